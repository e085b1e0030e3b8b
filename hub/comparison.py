"""Side-by-side comparison of provinces: a full grid of cells, missing values included."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.errors import InvalidArgumentError
from hub.models import Observation
from hub.observations import is_total
from hub.ranking import latest_values, ranked_values

MAX_CELLS = 20_000


@dataclass(frozen=True, slots=True)
class ComparisonCellRecord:
    province_code: str
    indicator_code: str
    year: int
    value: float | None
    rank: int | None


async def compare(
    *,
    engine: AsyncEngine,
    province_codes: Sequence[str],
    indicator_codes: Sequence[str] | None,
    years: Sequence[int] | None,
) -> list[ComparisonCellRecord]:
    """Cells for every indicator × year × province, in that order.

    Indicators left out: every indicator any of the provinces has a value for. Years
    left out: every year in which any of them has a value (of the chosen indicators).
    A cell's value is the province's own figure; its rank is among all units that
    existed in that year, and null for a unit that was not one of them then.
    """
    if not province_codes:
        return []
    async with engine.connect() as conn:
        if indicator_codes is None or years is None:
            present = (
                select(Observation.indicator_code, Observation.year)
                .where(
                    Observation.is_current.is_(True),
                    Observation.province_code.in_(province_codes),
                    is_total(),
                )
                .distinct()
            )
            if indicator_codes is not None:
                present = present.where(Observation.indicator_code.in_(indicator_codes))
            if years is not None:
                present = present.where(Observation.year.in_(years))
            pairs = (await conn.execute(present)).all()
            if indicator_codes is None:
                indicator_codes = sorted({row.indicator_code for row in pairs})
            if years is None:
                years = sorted({row.year for row in pairs})
        if not indicator_codes or not years:
            return []
        cells = len(province_codes) * len(indicator_codes) * len(years)
        if cells > MAX_CELLS:
            raise InvalidArgumentError(
                f"The comparison would have {cells} cells; at most {MAX_CELLS}: ask for fewer "
                "provinces, indicators or years",
                field=("provinces",),
            )
        values = latest_values(
            indicator_codes=indicator_codes,
            years=years,
            province_codes=province_codes,
            existing_only=False,
        )
        # Rank among every unit first, then keep the compared ones (a filter on the
        # province cannot go below the window). Values and ranks are read apart and
        # matched here: joined in SQL, the planner's estimate for the filtered ranking
        # (a row or two) let it re-rank once per compared value, a thousand times over.
        every_rank = ranked_values(indicator_codes=indicator_codes, years=years)
        ranks_query = select(
            every_rank.c.indicator_code,
            every_rank.c.year,
            every_rank.c.province_code,
            every_rank.c.rank,
        ).where(every_rank.c.province_code.in_(province_codes))
        values_query = select(
            values.c.indicator_code, values.c.year, values.c.province_code, values.c.value
        )
        found_values = {(r[0], r[1], r[2]): r[3] for r in await conn.execute(values_query)}
        found_ranks = {(r[0], r[1], r[2]): r[3] for r in await conn.execute(ranks_query)}
    return [
        ComparisonCellRecord(
            province_code=province_code,
            indicator_code=indicator_code,
            year=year,
            value=found_values.get((indicator_code, year, province_code)),
            rank=found_ranks.get((indicator_code, year, province_code)),
        )
        for indicator_code in indicator_codes
        for year in years
        for province_code in province_codes
    ]
