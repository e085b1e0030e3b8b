"""Reporting completeness: who reported an indicator (or a topic) for a year, who did not."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.models import Indicator, Observation, Province
from hub.provinces import existed_on, year_reference_date


@dataclass(frozen=True, slots=True)
class Completeness:
    year: int
    reported: tuple[str, ...]
    missing: tuple[str, ...]

    @property
    def share(self) -> float:
        total = len(self.reported) + len(self.missing)
        return 0.0 if total == 0 else len(self.reported) / total


async def completeness(
    *, engine: AsyncEngine, year: int, indicator_code: str | None, topic: str | None
) -> Completeness:
    """Units that existed in the year, split by whether they have a current figure of the
    indicator (or of any indicator of the topic) for it. One statement."""
    figure = select(Observation.id).where(
        Observation.province_code == Province.code,
        Observation.year == year,
        Observation.is_current.is_(True),
    )
    if indicator_code is not None:
        figure = figure.where(Observation.indicator_code == indicator_code)
    if topic is not None:
        figure = figure.where(
            Observation.indicator_code.in_(select(Indicator.code).where(Indicator.topic == topic))
        )
    query = (
        select(Province.code, exists(figure).label("reported"))
        .where(existed_on(year_reference_date(year)))
        .order_by(Province.code)
    )
    async with engine.connect() as conn:
        rows = (await conn.execute(query)).all()
    return Completeness(
        year=year,
        reported=tuple(r.code for r in rows if r.reported),
        missing=tuple(r.code for r in rows if not r.reported),
    )
