"""The indicator catalogue: what each figure measures, in which unit, ranked which way."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.errors import UnknownIndicatorError
from hub.models import Indicator, IndicatorDimension


@dataclass(frozen=True, slots=True)
class IndicatorRecord:
    code: str
    name: str
    name_en: str
    topic: str
    unit: str
    higher_is_better: bool
    description: str
    year_min: int
    dimensions: tuple[str, ...]


async def list_indicators(
    *, engine: AsyncEngine, topic: str | None = None, codes: Iterable[str] | None = None
) -> list[IndicatorRecord]:
    """Indicators ordered by code, optionally of one topic or with the given codes.

    One statement: the allowed dimensions come along through an outer join.
    """
    query = (
        select(*Indicator.__table__.columns, IndicatorDimension.dimension_name)
        .outerjoin(IndicatorDimension, IndicatorDimension.indicator_code == Indicator.code)
        .order_by(Indicator.code, IndicatorDimension.dimension_name)
    )
    if topic is not None:
        query = query.where(Indicator.topic == topic)
    if codes is not None:
        query = query.where(Indicator.code.in_(sorted(set(codes))))
    rows: dict[str, Row[Any]] = {}
    dimensions: defaultdict[str, list[str]] = defaultdict(list)
    async with engine.connect() as conn:
        for row in await conn.execute(query):
            rows.setdefault(row.code, row)
            if row.dimension_name is not None:
                dimensions[row.code].append(row.dimension_name)
    return [
        IndicatorRecord(
            code=row.code,
            name=row.name,
            name_en=row.name_en,
            topic=row.topic,
            unit=row.unit,
            higher_is_better=row.higher_is_better,
            description=row.description,
            year_min=row.year_min,
            dimensions=tuple(dimensions[row.code]),
        )
        for row in rows.values()
    ]


def pick_indicators(
    found: Mapping[str, IndicatorRecord], codes: Sequence[str], field: tuple[str, ...] = ()
) -> list[IndicatorRecord]:
    """The indicators of ``found`` with these codes, in the given order, each once;
    unknown codes raise."""
    resolved: list[IndicatorRecord] = []
    for index, code in enumerate(codes):
        record = found.get(code.strip())
        if record is None:
            raise UnknownIndicatorError(code, field=(*field, str(index)) if field else None)
        if record not in resolved:
            resolved.append(record)
    return resolved
