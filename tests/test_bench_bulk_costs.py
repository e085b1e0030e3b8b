"""The pure parts of ``make bench-bulk``: reading CPU times from /proc, moving an
index's definition onto the table's copy, and switching the table between the ways it
is served in turn."""

import os

import pytest

from bench.bulk_costs import (
    COPY_TABLE,
    REFERENCE_TRIGGER,
    BatchCost,
    BatchCosts,
    Way,
    cpu_ms,
    index_on_copy,
    machine_busy_ms,
    rates_table,
    serving_statements,
    ways_of_serving,
)

TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")


def stat_line(name: str, utime: int, stime: int, cutime: int, cstime: int) -> str:
    # pid (name) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
    # utime stime cutime cstime priority nice ...
    return (
        f"4242 ({name}) S 1 4242 4242 0 -1 4194560 900 800 7 6 "
        f"{utime} {stime} {cutime} {cstime} 20 0 1 0 123 456789 1234 18446744073709551615"
    )


def test_a_process_cpu_time_is_its_own_and_its_waited_for_childrens_user_and_system_time():
    assert cpu_ms(stat_line("postgres", 100, 20, 3, 4)) == pytest.approx(127 * TICK_MS)


@pytest.mark.parametrize("name", ["hub serve", "a) b (c", "python3.11", ") 99 99 99"])
def test_a_process_name_with_spaces_or_parentheses_does_not_shift_the_fields(name):
    assert cpu_ms(stat_line(name, 5, 6, 7, 8)) == pytest.approx(26 * TICK_MS)


def test_the_machine_is_busy_in_every_state_but_idle_and_iowait():
    proc_stat = "cpu  100 2 30 5000 70 0 4 0 0 0\ncpu0 50 1 15 2500 35 0 2 0 0 0\nintr 12345\n"
    assert machine_busy_ms(proc_stat) == pytest.approx((100 + 2 + 30 + 4) * TICK_MS)


def test_a_text_that_is_not_proc_stat_is_refused():
    with pytest.raises(ValueError, match="summary line"):
        machine_busy_ms("intr 12345\n")


def test_an_index_definition_is_moved_onto_the_copy_under_a_name_of_its_own():
    unique = (
        "CREATE UNIQUE INDEX uq_observations_series_key_revision ON public.observations "
        "USING btree (series_key, revision)"
    )
    partial = (
        "CREATE INDEX ix_observations_source_id ON public.observations USING btree "
        "(source_id) WHERE (source_id IS NOT NULL)"
    )
    assert index_on_copy(unique, "uq_observations_series_key_revision") == (
        f"CREATE UNIQUE INDEX c_uq_observations_series_key_revision ON public.{COPY_TABLE} "
        "USING btree (series_key, revision)"
    )
    assert index_on_copy(partial, "ix_observations_source_id") == (
        f"CREATE INDEX c_ix_observations_source_id ON public.{COPY_TABLE} USING btree "
        "(source_id) WHERE (source_id IS NOT NULL)"
    )


def test_a_definition_of_another_index_or_table_is_refused():
    with pytest.raises(ValueError, match="not a definition"):
        index_on_copy(
            "CREATE INDEX ix_plans_x ON public.plans USING btree (x)", "ix_observations_x"
        )


def test_batch_costs_are_the_median_of_each_figure_on_its_own_and_the_rate_follows_the_wall():
    costs = BatchCosts.of(
        [
            BatchCost(400, 100, 300, 420),
            BatchCost(200, 180, 150, 340),
            BatchCost(250, 150, 200, 380),
        ]
    )
    assert (costs.batches, costs.wall_ms, costs.hub_cpu_ms) == (3, 250, 150)
    assert (costs.postgres_cpu_ms, costs.machine_busy_ms) == (200, 380)
    assert costs.rate == pytest.approx(40_000)


DEFINITIONS = {
    "ix_observations_province_year": (
        "CREATE INDEX ix_observations_province_year ON public.observations "
        "USING btree (province_code, year)"
    ),
    "ix_observations_updated_at": (
        "CREATE INDEX ix_observations_updated_at ON public.observations USING btree (updated_at)"
    ),
    "observations_pkey": (
        "CREATE UNIQUE INDEX observations_pkey ON public.observations USING btree (id)"
    ),
}


def test_the_ways_of_serving_start_as_served_and_name_the_indexes_they_drop_once_each():
    ways = ways_of_serving(
        True, ["ix_observations_province_year", "ix_observations_updated_at"] * 2
    )
    assert ways == [
        Way("as served", "ENABLE"),
        Way("reference trigger disabled", "DISABLE"),
        Way(
            "without ix_observations_province_year, ix_observations_updated_at",
            "ENABLE",
            ("ix_observations_province_year", "ix_observations_updated_at"),
        ),
    ]
    assert ways_of_serving(False, []) == [Way("as served", "ENABLE")]


def test_a_way_without_indexes_drops_them_and_touches_no_other():
    way = Way("without", "ENABLE", ("ix_observations_province_year",))
    assert serving_statements(way, DEFINITIONS, set(DEFINITIONS)) == [
        f"ALTER TABLE observations ENABLE TRIGGER {REFERENCE_TRIGGER}",
        "DROP INDEX ix_observations_province_year",
    ]


def test_serving_as_served_again_builds_what_an_earlier_turn_dropped_and_switches_the_trigger():
    present = {"observations_pkey"}
    assert serving_statements(Way("as served", "ENABLE"), DEFINITIONS, present) == [
        f"ALTER TABLE observations ENABLE TRIGGER {REFERENCE_TRIGGER}",
        DEFINITIONS["ix_observations_province_year"],
        DEFINITIONS["ix_observations_updated_at"],
    ]
    disabled = Way("reference trigger disabled", "DISABLE")
    assert serving_statements(disabled, DEFINITIONS, set(DEFINITIONS)) == [
        f"ALTER TABLE observations DISABLE TRIGGER {REFERENCE_TRIGGER}"
    ]


def test_dropping_an_index_the_table_does_not_have_is_refused_before_anything_runs():
    way = Way("without", "ENABLE", ("ix_observations_no_such", "ix_observations_updated_at"))
    with pytest.raises(ValueError, match="no such index on observations: ix_observations_no_such"):
        serving_statements(way, DEFINITIONS, set(DEFINITIONS))


def test_the_rates_table_gives_each_way_its_median_and_every_turn():
    table = rates_table({"as served": [41_000.4, 35_000, 48_000], "without x": [52_000, 47_500]})
    assert table.splitlines()[2:] == [
        "| as served | 41,000 | 41,000, 35,000, 48,000 |",
        "| without x | 49,750 | 52,000, 47,500 |",
    ]
