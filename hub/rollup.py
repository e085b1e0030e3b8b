"""Figures of merged units combined into today's provinces, where they can be.

On 1 July 2025 the 63 provinces became 34. Asked on current boundaries, a year's
figures of the units merged into a province are combined by the database: counts and
money are summed; a share is recomputed from the summed numerators and denominators;
an index or a rank cannot be combined and comes back null with the reason, never
averaged. A sum over only some of the merged units would be silently partial, so it
too comes back null, with its reason. A unit that absorbed nothing keeps its figure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from sqlalchemy import ColumnElement, Subquery, and_, case, func, literal, null, select
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.models import Indicator, Province
from hub.observations import DimensionValue
from hub.provinces import existed_on, year_reference_date
from hub.ranking import latest_values

ADDITIVE_UNITS = frozenset({"COUNT", "VND"})


class RollupReason(Enum):
    NOT_ADDITIVE = "NOT_ADDITIVE"
    SHARE_WITHOUT_PARTS = "SHARE_WITHOUT_PARTS"
    INCOMPLETE_COVERAGE = "INCOMPLETE_COVERAGE"
    NO_DATA = "NO_DATA"


@dataclass(frozen=True, slots=True)
class RolledUpValue:
    province_code: str
    """The current unit."""
    value: float | None
    numerator: float | None
    denominator: float | None
    reason: RollupReason | None
    """Why ``value`` is null; None when it is known."""
    contributors: tuple[str, ...]
    """The units that existed in the year and lie within this one today."""
    reported: tuple[str, ...]
    """Those of them with a figure."""
    rank: int | None = None


def rolled_up(
    *, indicator_code: str, measure: str, year: int, dimensions: Sequence[DimensionValue] = ()
) -> Subquery:
    """(unit, members, reported, with_parts, value, numerator, denominator, contributors,
    reporters) per current unit; ``measure`` is the indicator's unit."""
    today = func.coalesce(Province.successor_code, Province.code)
    figures = latest_values(indicator_codes=[indicator_code], years=[year], dimensions=dimensions)
    members = func.count()
    reported = func.count(figures.c.value)
    with_parts = func.count(
        case((and_(figures.c.numerator.is_not(None), figures.c.denominator.is_not(None)), 1))
    )
    numerator, denominator = func.sum(figures.c.numerator), func.sum(figures.c.denominator)
    combined: ColumnElement[Any] = null()
    if measure in ADDITIVE_UNITS:
        combined = case((reported == members, func.sum(figures.c.value)), else_=null())
    elif measure == "PERCENT":
        combined = case(
            (
                and_(reported == members, with_parts == members, denominator > 0),
                literal(100.0) * numerator / denominator,
            ),
            else_=null(),
        )
    value = case((members == 1, func.max(figures.c.value)), else_=combined)
    keep_parts = case((members == 1, True), else_=measure == "PERCENT")
    return (
        select(
            today.label("unit"),
            members.label("members"),
            reported.label("reported"),
            with_parts.label("with_parts"),
            value.label("value"),
            case((keep_parts, numerator), else_=null()).label("numerator"),
            case((keep_parts, denominator), else_=null()).label("denominator"),
            func.aggregate_strings(Province.code, ",").label("contributors"),
            func.aggregate_strings(case((figures.c.value.is_not(None), Province.code)), ",").label(
                "reporters"
            ),
        )
        .outerjoin(figures, figures.c.province_code == Province.code)
        .where(existed_on(year_reference_date(year)))
        .group_by(today)
        .subquery("rolled_up")
    )


def _reason(measure: str, members: int, reported: int, with_parts: int) -> RollupReason:
    if reported == 0:
        return RollupReason.NO_DATA
    if measure not in ADDITIVE_UNITS and measure != "PERCENT":
        return RollupReason.NOT_ADDITIVE
    if reported < members:
        return RollupReason.INCOMPLETE_COVERAGE
    return RollupReason.SHARE_WITHOUT_PARTS


def _codes(joined: str | None) -> tuple[str, ...]:
    return tuple(sorted(joined.split(","))) if joined else ()


async def rollup(
    *,
    engine: AsyncEngine,
    indicator_code: str,
    measure: str,
    year: int,
    dimensions: Sequence[DimensionValue] = (),
) -> list[RolledUpValue]:
    """One value per current province, ranked by the database among those with a value
    (competition ranking, direction from the indicator); one statement."""
    table = rolled_up(
        indicator_code=indicator_code, measure=measure, year=year, dimensions=dimensions
    )
    direction = (
        select(Indicator.higher_is_better).where(Indicator.code == indicator_code).scalar_subquery()
    )
    ordering = case((direction.is_(True), -table.c.value), else_=table.c.value)
    rank = case(
        (
            table.c.value.is_not(None),
            func.rank().over(partition_by=table.c.value.is_(None), order_by=ordering),
        ),
        else_=null(),
    )
    query = select(table, rank.label("rank")).order_by(table.c.unit)
    async with engine.connect() as conn:
        rows = (await conn.execute(query)).all()
    return [
        RolledUpValue(
            province_code=row.unit,
            value=row.value,
            numerator=row.numerator,
            denominator=row.denominator,
            reason=None
            if row.value is not None
            else _reason(measure, row.members, row.reported, row.with_parts),
            contributors=_codes(row.contributors),
            reported=_codes(row.reporters),
            rank=row.rank,
        )
        for row in rows
    ]
