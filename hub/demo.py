"""``hub generate-demo``: a synthetic national data set, for tests and benchmarks only.

It fills a separate database with every unit (63 + 34), every indicator of the
catalogue, 2016–2025, values that respect each unit (shares with consistent parts,
whole counts, indices in 0–1 with four decimals and the matching ranks), breakdowns
over each indicator's dimensions, and a synthetic plan with targets per province.
Every row cites one source titled as synthetic, so it can never pass for reported
data; the command refuses a database that holds any other figure. Deterministic for
a seed.
"""

from __future__ import annotations

import itertools
import random
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, TextIO

from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from hub import data_version
from hub.dimensions import DIMENSION_NAMES, column_name, dimension_key
from hub.fixtures.entries import Catalogue, DimensionEntry, IndicatorEntry, ProvinceEntry
from hub.fixtures.store import store_catalogue
from hub.models import Observation, Plan, Source, Target
from hub.sources import source_fingerprint

SYNTHETIC_TITLE = "SYNTHETIC DEMO DATA — not reported figures (hub generate-demo)"
YEARS = range(2016, 2026)
SIZES = ("tiny", "national", "deep")
CHUNK = 20_000


class DemoRefused(Exception):
    """The target database holds real figures, or the arguments make no sense."""


@dataclass(frozen=True, slots=True)
class DemoReport:
    observations: int
    plans: int
    targets: int


def _breakdowns(
    indicator: IndicatorEntry, dimensions: dict[str, DimensionEntry], size: str
) -> list[tuple[tuple[str, str], ...]]:
    """The breakdowns to generate: the total, plus one dimension at a time (national) or
    every combination of the indicator's dimensions (deep)."""
    options = [
        [(name, v.code) for v in dimensions[name].values]
        for name in indicator.dimensions
        if name in dimensions
    ]
    if size == "tiny":
        return [()]
    if size == "national":
        return [(), *((pair,) for values in options for pair in values)]
    combos = itertools.product(*([None, *values] for values in options))
    return [tuple(p for p in combo if p is not None) for combo in combos]


def _units_of(year: int, provinces: Sequence[ProvinceEntry]) -> list[str]:
    day = date(year, 12, 31)
    return [
        p.code
        for p in provinces
        if (p.valid_from is None or p.valid_from <= day)
        and (p.valid_to is None or day <= p.valid_to)
    ]


def _value(unit: str, rng: random.Random) -> tuple[float, float | None, float | None]:
    if unit == "PERCENT":
        denominator = rng.randint(20, 5000)
        numerator = rng.randint(0, denominator)
        return round(100 * numerator / denominator, 2), float(numerator), float(denominator)
    if unit == "INDEX":
        return round(rng.random(), 4), None, None
    if unit == "VND":
        return float(rng.randint(1, 2000) * 10**9), None, None
    if unit == "RANK":
        return float(rng.randint(1, 63)), None, None
    return float(rng.randint(0, 5000)), None, None


def generate_rows(
    catalogue: Catalogue, *, size: str, seed: int, source_id: int, now: datetime
) -> Iterator[dict[str, Any]]:
    """Every synthetic observation, deterministically for ``seed``."""
    rng = random.Random(seed)
    dimensions = {d.name: d for d in catalogue.dimensions}
    indicators = {i.code: i for i in catalogue.indicators}
    for year in YEARS:
        units = _units_of(year, catalogue.provinces)
        if size == "tiny":
            units = units[:8]
        index_values: dict[str, dict[str, float]] = {}
        for indicator in catalogue.indicators:
            if indicator.unit == "RANK":
                continue  # ranks follow their index, below
            for unit_code in units:
                for breakdown in _breakdowns(indicator, dimensions, size):
                    for period in _periods(year, size):
                        value, numerator, denominator = _value(indicator.unit, rng)
                        if indicator.unit == "INDEX" and not breakdown and period == str(year):
                            index_values.setdefault(indicator.code, {})[unit_code] = value
                        yield _row(
                            indicator,
                            unit_code,
                            year,
                            period,
                            breakdown,
                            (value, numerator, denominator),
                            source_id,
                            now,
                        )
        for index_code, values in index_values.items():
            rank_code = index_code.removesuffix(".index") + ".rank"
            if rank_code not in indicators:
                continue
            ordered = sorted(values.values(), reverse=True)
            for unit_code, value in values.items():
                rank = float(ordered.index(value) + 1)
                yield _row(
                    indicators[rank_code],
                    unit_code,
                    year,
                    str(year),
                    (),
                    (rank, None, None),
                    source_id,
                    now,
                )


def _periods(year: int, size: str) -> tuple[str, ...]:
    """The deep set also has figures as of April and August; the annual one is last."""
    return (f"{year}-04", f"{year}-08", str(year)) if size == "deep" else (str(year),)


def _row(
    indicator: IndicatorEntry,
    province: str,
    year: int,
    period: str,
    breakdown: tuple[tuple[str, str], ...],
    figure: tuple[float, float | None, float | None],
    source_id: int,
    now: datetime,
) -> dict[str, Any]:
    value, numerator, denominator = figure
    dims = dict(breakdown)
    key = dimension_key(dims)
    return {
        "series_key": f"{indicator.code}|{province}|{period}|{key}",
        "revision": 1,
        "indicator_code": indicator.code,
        "province_code": province,
        "year": year,
        "period": period,
        "value": value,
        "numerator": numerator,
        "denominator": denominator,
        "dimension_key": key,
        "flag": "FINAL",
        "status": "APPROVED",
        "is_current": True,
        "source_id": source_id,
        "recorded_at": now,
        "updated_at": now,
        "recorded_by": "generate-demo",
        **{column_name(n): dims.get(n) for n in DIMENSION_NAMES},
    }


def count_rows(catalogue: Catalogue, size: str) -> int:
    dimensions = {d.name: d for d in catalogue.dimensions}
    per_unit = sum(
        len(_breakdowns(i, dimensions, size)) * len(_periods(2020, size)) if i.unit != "RANK" else 1
        for i in catalogue.indicators
    )
    unit_years = sum(
        min(len(_units_of(y, catalogue.provinces)), 8 if size == "tiny" else 999) for y in YEARS
    )
    return per_unit * unit_years


class Progress:
    """A textual progress bar on standard error."""

    def __init__(self, total: int, stream: TextIO | None = sys.stderr, width: int = 40) -> None:
        self.total, self.stream, self.width, self.done = max(total, 1), stream, width, 0

    def advance(self, count: int) -> None:
        self.done += count
        if self.stream is None:
            return
        filled = min(self.width, self.width * self.done // self.total)
        percent = min(100, 100 * self.done // self.total)
        self.stream.write(
            f"\r[{'#' * filled}{'.' * (self.width - filled)}] {percent:3d}% "
            f"{self.done:,}/{self.total:,} observations"
        )
        self.stream.flush()

    def close(self) -> None:
        if self.stream is not None:
            self.stream.write("\n")


async def _insert_chunks(
    engine: AsyncEngine, rows: Iterator[dict[str, Any]], advance: Callable[[int], None]
) -> int:
    total = 0
    columns = [c.name for c in Observation.__table__.columns if c.name != "id"]
    async with engine.begin() as conn:
        while chunk := list(itertools.islice(rows, CHUNK)):
            if engine.dialect.name == "postgresql":
                raw = await conn.get_raw_connection()
                driver = raw.driver_connection
                assert driver is not None
                await driver.copy_records_to_table(
                    "observations",
                    records=[tuple(r.get(c) for c in columns) for r in chunk],
                    columns=columns,
                )
            else:
                await conn.execute(insert(Observation), chunk)
            total += len(chunk)
            advance(len(chunk))
        await data_version.bump(conn)
    return total


async def _plans(
    engine: AsyncEngine, catalogue: Catalogue, source_id: int, now: datetime, seed: int
) -> tuple[int, int]:
    rng = random.Random(seed + 1)
    linked = [i for i in catalogue.indicators if i.unit in {"PERCENT", "COUNT"}]
    plans = targets = 0
    async with engine.begin() as conn:
        for province in _units_of(2025, catalogue.provinces):
            plan_id = (
                await conn.execute(
                    insert(Plan)
                    .values(
                        plan_key=f"{province}|DEMO-{province}",
                        revision=1,
                        province_code=province,
                        number=f"DEMO-{province}/KH-UBND",
                        kind="PLAN",
                        title=f"Synthetic demo plan {province} (not a real document)",
                        issued_on=date(2021, 6, 1),
                        period_start=2021,
                        period_end=2025,
                        status="APPROVED",
                        is_current=True,
                        content_hash="demo",
                        source_id=source_id,
                        recorded_at=now,
                        updated_at=now,
                        recorded_by="generate-demo",
                    )
                    .returning(Plan.id)
                )
            ).scalar_one()
            plans += 1
            for position, indicator in enumerate(rng.sample(linked, 5)):
                value = 80.0 if indicator.unit == "PERCENT" else float(rng.randint(100, 4000))
                await conn.execute(
                    insert(Target).values(
                        plan_id=plan_id,
                        position=position,
                        indicator_code=indicator.code,
                        description=f"Synthetic target: {indicator.name_en} ≥ {value:g} by 2025",
                        year=2025,
                        value=value,
                        comparator="GE",
                        dimension_key="",
                    )
                )
                targets += 1
        await data_version.bump(conn)
    return plans, targets


async def generate_demo(
    engine: AsyncEngine,
    catalogue: Catalogue,
    *,
    size: str,
    seed: int,
    progress: Progress | None = None,
) -> DemoReport:
    """Fill ``engine``'s (migrated) database with the synthetic set of ``size``."""
    if size not in SIZES:
        raise DemoRefused(f"size is one of {', '.join(SIZES)}")
    async with engine.connect() as conn:
        existing = (await conn.execute(select(func.count()).select_from(Observation))).scalar_one()
    if existing:
        raise DemoRefused(
            f"the database already holds {existing} figures; generate-demo fills an empty one"
        )
    await store_catalogue(
        engine, Catalogue(catalogue.provinces, catalogue.dimensions, catalogue.indicators, ())
    )
    now = datetime.now(UTC)
    async with engine.begin() as conn:
        source_id = (
            await conn.execute(
                insert(Source)
                .values(
                    fingerprint=source_fingerprint(SYNTHETIC_TITLE, None, None),
                    title=SYNTHETIC_TITLE,
                    publisher="hub generate-demo",
                    seed=f"random seed {seed}",
                )
                .returning(Source.id)
            )
        ).scalar_one()
    rows = generate_rows(catalogue, size=size, seed=seed, source_id=source_id, now=now)
    bar = progress or Progress(count_rows(catalogue, size), stream=None)
    total = await _insert_chunks(engine, rows, bar.advance)
    bar.close()
    plans, targets = await _plans(engine, catalogue, source_id, now, seed)
    await _analyze(engine)
    return DemoReport(observations=total, plans=plans, targets=targets)


async def _analyze(engine: AsyncEngine) -> None:
    """Refresh the planner's statistics: after a bulk load it has none, and plans badly."""
    async with engine.begin() as conn:
        await conn.execute(text("ANALYZE"))
