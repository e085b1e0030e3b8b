"""Rankings computed by the database: competition ranks over one value per province.

For an indicator and a year the value of a province is its current revision of the
indicator's total (or of one breakdown, when the caller filters dimensions); where a
province reported several periods in the year, the latest period counts. Only units
that existed on the year's reference date take part (see
``hub.provinces.year_reference_date``). Equal values share a rank and the next rank
skips (1, 2, 2, 4): SQL's ``rank()``. Direction comes from ``higher_is_better``.
"""

from __future__ import annotations

import functools
import typing
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    Subquery,
    and_,
    case,
    cast,
    func,
    null,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.dimensions import DIMENSION_NAMES, column_name
from hub.driver import DriverStatement, fetch_rows
from hub.models import DataVersion, Indicator, Observation, Province
from hub.observations import DimensionValue, is_total
from hub.provinces import existed_on, year_reference_date


@dataclass(frozen=True, slots=True)
class RankedValue:
    indicator_code: str
    year: int
    province_code: str
    value: float
    rank: int


def breakdown_conditions(dimensions: Sequence[DimensionValue]) -> list[ColumnElement[bool]]:
    """Exactly this breakdown: the named dimensions equal, every other one absent."""
    if not dimensions:
        return [is_total()]
    named = {d.name: d.value for d in dimensions}
    return [
        getattr(Observation, column_name(name)) == named[name]
        if name in named
        else getattr(Observation, column_name(name)).is_(None)
        for name in DIMENSION_NAMES
    ]


def latest_values(
    *,
    indicator_codes: Sequence[str],
    years: Sequence[int],
    dimensions: Sequence[DimensionValue] = (),
    province_codes: Sequence[str] | None = None,
    existing_only: bool = True,
) -> Subquery:
    """(indicator_code, year, province_code, value): one current value per triple.

    ``existing_only`` keeps only units that existed on each year's reference date.
    """
    conditions = [
        Observation.is_current.is_(True),
        Observation.indicator_code.in_(indicator_codes),
        Observation.year.in_(years),
        *breakdown_conditions(dimensions),
    ]
    if province_codes is not None:
        conditions.append(Observation.province_code.in_(province_codes))
    query = select(
        Observation.indicator_code,
        Observation.year,
        Observation.province_code,
        Observation.value,
        Observation.numerator,
        Observation.denominator,
        func.row_number()
        .over(
            partition_by=(Observation.indicator_code, Observation.year, Observation.province_code),
            order_by=(Observation.period.desc(), Observation.id.desc()),
        )
        .label("position"),
    )
    if existing_only:
        query = query.join(Province, Province.code == Observation.province_code)
        conditions.append(
            or_(
                *(
                    and_(Observation.year == year, existed_on(year_reference_date(year)))
                    for year in sorted(set(years))
                )
            )
        )
    candidates = query.where(*conditions).subquery("candidates")
    return (
        select(
            candidates.c.indicator_code,
            candidates.c.year,
            candidates.c.province_code,
            candidates.c.value,
            candidates.c.numerator,
            candidates.c.denominator,
        )
        .where(candidates.c.position == 1)
        .subquery("latest")
    )


def ranked_values(
    *,
    indicator_codes: Sequence[str],
    years: Sequence[int],
    dimensions: Sequence[DimensionValue] = (),
) -> Subquery:
    """(indicator_code, year, province_code, value, rank) for every ranked province."""
    latest = latest_values(indicator_codes=indicator_codes, years=years, dimensions=dimensions)
    ordering = case((Indicator.higher_is_better.is_(True), -latest.c.value), else_=latest.c.value)
    return (
        select(
            latest.c.indicator_code,
            latest.c.year,
            latest.c.province_code,
            latest.c.value,
            func.rank()
            .over(partition_by=(latest.c.indicator_code, latest.c.year), order_by=ordering)
            .label("rank"),
        )
        .join(Indicator, Indicator.code == latest.c.indicator_code)
        .subquery("ranked")
    )


async def rank_values(
    *,
    engine: AsyncEngine,
    indicator_codes: Sequence[str],
    years: Sequence[int],
    dimensions: Sequence[DimensionValue] = (),
) -> list[RankedValue]:
    """Ranked values, best first then by province code, in one statement."""
    if not indicator_codes or not years:
        return []
    ranked = ranked_values(indicator_codes=indicator_codes, years=years, dimensions=dimensions)
    query = select(ranked).order_by(
        ranked.c.indicator_code, ranked.c.year, ranked.c.rank, ranked.c.province_code
    )
    async with engine.connect() as conn:
        return [
            RankedValue(
                indicator_code=row.indicator_code,
                year=row.year,
                province_code=row.province_code,
                value=row.value,
                rank=row.rank,
            )
            for row in await conn.execute(query)
        ]


@functools.lru_cache(maxsize=1024)
def _national_ranking_query(
    indicator_code: str, year: int, dimensions: tuple[DimensionValue, ...]
) -> DriverStatement:
    """The statement of one national ranking. Building it costs more than running it on
    a warm database, and it depends only on its arguments: built once, reused, and run
    by the driver itself (``hub.driver``)."""
    ranked = ranked_values(indicator_codes=[indicator_code], years=[year], dimensions=dimensions)
    return DriverStatement(
        _ranking_of_units(ranked, indicator_code, year),
        _ranking_of_units(
            _ranked_by_distinct_on(indicator_code, year, dimensions), indicator_code, year
        ),
    )


def _ranking_of_units(ranked: Subquery, indicator_code: str, year: int) -> Select[Any]:
    """Every unit that existed in the year with its value and rank from ``ranked``
    (province_code, value, rank), its published rank, and the data version."""
    units = select(Province.code).where(existed_on(year_reference_date(year))).subquery("units")
    version = select(DataVersion.version).where(DataVersion.id == 1).scalar_subquery()
    joined = units.outerjoin(ranked, ranked.c.province_code == units.c.code)
    official_rank: ColumnElement[Any] = null()
    rank_code = official_rank_indicator(indicator_code)
    if rank_code is not None:
        official = latest_values(indicator_codes=[rank_code], years=[year])
        joined = joined.outerjoin(official, official.c.province_code == units.c.code)
        # A published rank is whole (validation refuses anything else): the cast keeps it.
        official_rank = cast(official.c.value, Integer)
    query = select(
        units.c.code,
        ranked.c.value,
        ranked.c.rank,
        official_rank.label("official"),
        version.label("data_version"),
    ).select_from(joined)
    return query.order_by(ranked.c.rank.is_(None), ranked.c.rank, units.c.code)


def _ranked_by_distinct_on(
    indicator_code: str, year: int, dimensions: tuple[DimensionValue, ...]
) -> Subquery:
    """``ranked_values`` for one indicator and year in PostgreSQL's terms: each unit's
    latest value taken by ``DISTINCT ON`` instead of numbering every candidate row with
    ``row_number()``. The same rows (``tests/test_ranking_statement.py`` compares both
    on every indicator and year of the national data set) in about two thirds of the
    database's time (0.29 against 0.43 ms an execution for 63 provinces here)."""
    units = select(Province.code).where(existed_on(year_reference_date(year)))
    latest = (
        select(Observation.province_code, Observation.value)
        .distinct(Observation.province_code)
        .where(
            Observation.is_current.is_(True),
            Observation.indicator_code == indicator_code,
            Observation.year == year,
            Observation.province_code.in_(units.scalar_subquery()),
            *breakdown_conditions(dimensions),
        )
        .order_by(Observation.province_code, Observation.period.desc(), Observation.id.desc())
        .subquery("latest")
    )
    higher_is_better = (
        select(Indicator.higher_is_better).where(Indicator.code == indicator_code).scalar_subquery()
    )
    ordering = case((higher_is_better.is_(True), -latest.c.value), else_=latest.c.value)
    return select(
        latest.c.province_code,
        latest.c.value,
        func.rank().over(order_by=ordering).label("rank"),
    ).subquery("ranked")


RankingRow = tuple[str, float | None, int | None, int | None, int]
"""One unit of a national ranking, by position: (province_code, value, rank,
official_rank, data_version); value and rank are null for a unit without a value. The
driver's rows are handed on as they come: 63 of them on every request."""


@dataclass(frozen=True, slots=True)
class NationalRanking:
    rows: Sequence[RankingRow]
    data_version: int | None
    """The data version the rows were read under (same statement, same snapshot): what
    the request's reference data must be at least as new as (``hub.reference``). None
    when there are no units to rank."""


def official_rank_indicator(indicator_code: str) -> str | None:
    """The indicator holding the published rank of an index: ``x.index`` → ``x.rank``."""
    if indicator_code.endswith(".index"):
        return indicator_code[: -len(".index")] + ".rank"
    return None


async def national_ranking(
    *,
    engine: AsyncEngine,
    indicator_code: str,
    year: int,
    dimensions: Sequence[DimensionValue] = (),
) -> NationalRanking:
    """Every unit that existed in the year: ranked ones best first, then those without a
    value by code; with the rank the province itself reported, where it did; and the
    data version they were read under. One statement."""
    query = _national_ranking_query(indicator_code, year, tuple(dimensions))
    rows = typing.cast(Sequence[RankingRow], await fetch_rows(engine, query))
    return NationalRanking(rows, int(rows[0][4]) if rows else None)
