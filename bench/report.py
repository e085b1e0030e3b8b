"""Write, tabulate and draw benchmark results."""

from __future__ import annotations

import dataclasses
import datetime
import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def write(records: Sequence[Any], machine: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    rows = [
        {
            k: (None if isinstance(v, float) and math.isnan(v) else v)
            for k, v in dataclasses.asdict(r).items()
        }
        | {"machine": machine}
        for r in records
    ]
    text = json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    dated = RESULTS / f"{datetime.date.today().isoformat()}.json"
    dated.write_text(text, encoding="utf-8")
    (RESULTS / "latest.json").write_text(text, encoding="utf-8")
    return dated


def _find(records: Sequence[Any], scenario: str, server: str, cache: str, c: int) -> Any:
    return next(
        (
            r
            for r in records
            if (r.scenario, r.server, r.cache, r.concurrency) == (scenario, server, cache, c)
        ),
        None,
    )


def ratios(records: Sequence[Any]) -> str:
    """The table of the README: throughput and the ratios against the goals."""
    lines = [
        "| scenario | c | hub cold req/s | hub warm req/s | PostGraphile req/s | floor req/s "
        "| hub/PG cold | hub/PG warm | hub p50 / floor p50 |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for scenario in ("ranking", "compare", "dashboard", "page_1000"):
        for c in sorted({r.concurrency for r in records if r.scenario == scenario}):
            cold = _find(records, scenario, "hub", "cold", c)
            warm = _find(records, scenario, "hub", "warm", c)
            pg = _find(records, scenario, "postgraphile", "cold", c)
            fl = _find(records, scenario, "floor", "cold", c)
            if not (cold and warm and pg and fl):
                continue
            lines.append(
                f"| {scenario} | {c} | {cold.rps:,.0f} | {warm.rps:,.0f} | {pg.rps:,.0f} | "
                f"{fl.rps:,.0f} | {cold.rps / pg.rps:.2f}× | {warm.rps / pg.rps:.2f}× | "
                f"{cold.p50_ms / fl.p50_ms:.1f}× |"
            )
    for scenario, unit in (("bulk_submission_10k", "obs/s"), ("csv_export", "rows/s")):
        fl = next((r for r in records if r.scenario == scenario and r.server == "floor"), None)
        for hub in (r for r in records if r.scenario == scenario and r.server == "hub"):
            if fl:
                lines.append(
                    f"| {scenario} ({hub.size}) | {hub.concurrency} | {hub.rps:,.0f} {unit} | | | "
                    f"{fl.rps:,.0f} {unit} (COPY) | | | hub/COPY {hub.rps / fl.rps:.2f}× |"
                )
    return "\n".join(lines)


@dataclasses.dataclass(frozen=True)
class Goal:
    """One goal of the benchmark issue, measured as a ratio in one run."""

    name: str
    measured: float | None
    threshold: float
    unit: str = "×"
    at_most: bool = False

    @property
    def met(self) -> bool | None:
        if self.measured is None or math.isnan(self.measured):
            return None
        if self.at_most:
            return self.measured <= self.threshold
        return self.measured >= self.threshold


def goals(records: Sequence[Any], concurrency: int = 8) -> list[Goal]:
    """The goals, each with the ratio this run measured (None where not measured)."""

    def ratio(scenario: str, cache: str, peer: str, field: str = "rps") -> float | None:
        hub = _find(records, scenario, "hub", cache, concurrency)
        other = _find(records, scenario, peer, "cold", concurrency)
        if not (hub and other) or not getattr(other, field):
            return None
        return float(getattr(hub, field) / getattr(other, field))

    def single(scenario: str, server: str) -> Any:
        return next((r for r in records if r.scenario == scenario and r.server == server), None)

    found = [
        Goal(f"{s}: hub cold / PostGraphile throughput", ratio(s, "cold", "postgraphile"), 1.0)
        for s in ("ranking", "compare", "dashboard")
    ]
    found.append(
        Goal(
            "page_1000: hub cold / PostGraphile throughput",
            ratio("page_1000", "cold", "postgraphile"),
            0.5,
        )
    )
    found += [
        Goal(f"{s}: hub warm / PostGraphile throughput", ratio(s, "warm", "postgraphile"), 3.0)
        for s in ("ranking", "compare", "dashboard", "page_1000")
    ]
    found.append(
        Goal(
            "ranking: hub cold p50 / floor p50",
            ratio("ranking", "cold", "floor", "p50_ms"),
            2.0,
            at_most=True,
        )
    )
    bulks = [r for r in records if r.scenario == "bulk_submission_10k" and r.server == "hub"]
    found += [
        Goal(
            f"bulk submission, observations/s ({bulk.concurrency} at once)",
            bulk.rps,
            50_000,
            unit="/s",
        )
        for bulk in sorted(bulks, key=lambda r: r.concurrency)
    ] or [Goal("bulk submission, observations/s", None, 50_000, unit="/s")]
    hub_csv, copy_csv = single("csv_export", "hub"), single("csv_export", "floor")
    found.append(
        Goal(
            "CSV export: hub / COPY rows per second",
            hub_csv.rps / copy_csv.rps if hub_csv and copy_csv else None,
            0.5,
        )
    )
    return found


def goals_table(records: Sequence[Any], concurrency: int = 8) -> str:
    """Each goal, its measured value and whether this run met it."""
    lines = ["| goal | measured | target | met |", "|---|---|---|---|"]
    for goal in goals(records, concurrency):
        measured = "not measured" if goal.measured is None else f"{goal.measured:,.2f}{goal.unit}"
        target = ("≤ " if goal.at_most else "≥ ") + f"{goal.threshold:,.2f}{goal.unit}"
        verdict = {True: "met", False: "**not met**", None: "not measured"}[goal.met]
        lines.append(f"| {goal.name} | {measured} | {target} | {verdict} |")
    return "\n".join(lines)


def chart(records: Sequence[Any], path: Path | None = None) -> Path | None:
    """Throughput and median latency per scenario, hub vs PostGraphile vs floor."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no chart (pip install -e '.[bench]')")
        return None
    scenarios = ["ranking", "compare", "dashboard", "page_1000"]
    c = 8 if any(r.concurrency == 8 for r in records) else records[0].concurrency
    series = [
        ("hub", "cold", "hub (cache off)"),
        ("hub", "warm", "hub (cache warm)"),
        ("postgraphile", "cold", "PostGraphile 5"),
        ("floor", "cold", "asyncpg floor"),
    ]
    figure, (top, bottom) = plt.subplots(2, 1, figsize=(10, 8))
    width = 0.2
    for index, (server, cache, label) in enumerate(series):
        found = [_find(records, s, server, cache, c) for s in scenarios]
        xs = [i + (index - 1.5) * width for i in range(len(scenarios))]
        top.bar(xs, [f.rps if f else 0 for f in found], width, label=label)
        bottom.bar(xs, [f.p50_ms if f else 0 for f in found], width, label=label)
    for axis, title in (
        (top, f"requests per second ({c} connections)"),
        (bottom, "median latency, ms (log scale)"),
    ):
        axis.set_xticks(range(len(scenarios)), scenarios)
        axis.set_title(title)
        axis.legend(fontsize=8)
    top.set_yscale("log")
    bottom.set_yscale("log")
    figure.tight_layout()
    target = path or RESULTS / "latest.png"
    figure.savefig(target, dpi=100)
    return target
