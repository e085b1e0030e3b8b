"""Grouped statistics over filtered observations, computed by the database."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.dimensions import DIMENSION_NAMES, column_name
from hub.models import Observation
from hub.observations import ObservationQuery, conditions_of

MAX_GROUPS = 5000

GROUP_COLUMNS: dict[str, ColumnElement[object]] = {
    "PROVINCE": Observation.province_code,  # type: ignore[dict-item]
    "YEAR": Observation.year,  # type: ignore[dict-item]
    "INDICATOR": Observation.indicator_code,  # type: ignore[dict-item]
    **{name.upper(): getattr(Observation, column_name(name)) for name in DIMENSION_NAMES},
}


@dataclass(frozen=True, slots=True)
class Group:
    keys: tuple[tuple[str, str | None], ...]
    """(grouping, value) pairs in the order asked; a dimension's value is null where the
    figure is not broken down by it."""
    count: int
    sum: float | None
    min: float | None
    max: float | None
    mean: float | None


@dataclass(frozen=True, slots=True)
class Aggregation:
    groups: list[Group]
    truncated: bool


async def aggregate(
    *, engine: AsyncEngine, query: ObservationQuery, group_by: Sequence[str]
) -> Aggregation:
    """Count, sum, min, max and mean of the values per group, at most MAX_GROUPS groups.

    Sums and means mix whatever the filter lets through: filter one indicator (and its
    totals) for figures that add up.
    """
    columns = [GROUP_COLUMNS[name].label(f"g{i}") for i, name in enumerate(group_by)]
    statement = (
        select(
            *columns,
            func.count().label("n"),
            func.sum(Observation.value).label("total"),
            func.min(Observation.value).label("low"),
            func.max(Observation.value).label("high"),
            func.avg(Observation.value).label("mean"),
        )
        .where(*conditions_of(query))
        .group_by(*columns)
        .order_by(*columns)
        .limit(MAX_GROUPS + 1)
    )
    async with engine.connect() as conn:
        rows = (await conn.execute(statement)).all()
    groups = [
        Group(
            keys=tuple(
                (name, None if row[i] is None else str(row[i])) for i, name in enumerate(group_by)
            ),
            count=int(row.n),
            sum=None if row.total is None else float(row.total),
            min=None if row.low is None else float(row.low),
            max=None if row.high is None else float(row.high),
            mean=None if row.mean is None else float(row.mean),
        )
        for row in rows[:MAX_GROUPS]
    ]
    return Aggregation(groups=groups, truncated=len(rows) > MAX_GROUPS)
