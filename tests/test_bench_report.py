"""The benchmark's verdicts: each goal measured from one run's records, marked honestly."""

import math

import pytest

from bench.load import Measured, median_of
from bench.report import goals, goals_table, ratios
from bench.run import Record


def record(scenario: str, server: str, rps: float, p50: float = math.nan, **extra) -> Record:
    return Record(
        scenario=scenario,
        size="national",
        concurrency=extra.get("concurrency", 8),
        server=server,
        cache=extra.get("cache", "cold"),
        rps=rps,
        p50_ms=p50,
        p99_ms=math.nan,
        statements_per_request=1,
        peak_rss_mb=None,
    )


RUN = [
    record("ranking", "hub", 1800, 4.0),
    record("ranking", "hub", 7000, 1.0, cache="warm"),
    record("ranking", "postgraphile", 1200, 6.0),
    record("ranking", "floor", 3600, 1.9),
    record("bulk_submission_10k", "hub", 24_000, concurrency=1),
    record("bulk_submission_10k", "hub", 51_000, concurrency=2),
    record("bulk_submission_10k", "floor", 260_000, concurrency=1),
]


def test_each_goal_is_the_ratio_of_the_run_and_is_marked_against_its_threshold():
    found = {goal.name: goal for goal in goals(RUN)}
    cold = found["ranking: hub cold / PostGraphile throughput"]
    assert (cold.measured, cold.met) == (1.5, True)
    assert found["ranking: hub warm / PostGraphile throughput"].measured == 7000 / 1200
    p50 = found["ranking: hub cold p50 / floor p50"]
    assert p50.measured == 4.0 / 1.9
    assert p50.met is False  # at most 2×: 2.1× misses it
    one, two = (
        found["bulk submission, observations/s (1 at once)"],
        found["bulk submission, observations/s (2 at once)"],
    )
    assert (one.met, two.met) == (False, True)


def test_a_goal_whose_scenario_did_not_run_is_not_measured_rather_than_met():
    found = {goal.name: goal for goal in goals(RUN)}
    dashboard = found["dashboard: hub cold / PostGraphile throughput"]
    assert dashboard.measured is None
    assert dashboard.met is None
    table = goals_table(RUN)
    assert "| dashboard: hub cold / PostGraphile throughput | not measured |" in table
    assert "| ranking: hub cold p50 / floor p50 | 2.11× | ≤ 2.00× | **not met** |" in table


def test_the_ratio_table_has_a_line_per_bulk_concurrency():
    table = ratios(RUN)
    assert "| bulk_submission_10k (national) | 1 | 24,000 obs/s |" in table
    assert "| bulk_submission_10k (national) | 2 | 51,000 obs/s |" in table
    assert "| ranking | 8 | 1,800 | 7,000 | 1,200 | 3,600 | 1.50× | 5.83× | 2.1× |" in table


def test_repeated_runs_are_summed_up_by_the_median_of_each_figure_on_its_own():
    runs = [
        Measured(rps=1500, p50_ms=5.0, p99_ms=12.0, requests=9000, errors=0),
        Measured(rps=2400, p50_ms=3.1, p99_ms=20.0, requests=14400, errors=1),
        Measured(rps=2100, p50_ms=3.9, p99_ms=9.0, requests=12600, errors=0),
    ]
    middle = median_of(runs)
    assert (middle.rps, middle.p50_ms, middle.p99_ms) == (2100, 3.9, 12.0)
    assert (middle.requests, middle.errors) == (36000, 1)
    assert median_of(runs[:1]) == runs[0]
    with pytest.raises(ValueError, match="no samples"):
        median_of([])
