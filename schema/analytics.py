from __future__ import annotations

import strawberry

from hub.provinces import year_reference_date
from schema.catalogue import Indicator
from schema.context import Info
from schema.province import Province, load_province


@strawberry.type(description="One province's place in a ranking.")
class RankingEntry:
    rank: int = strawberry.field(
        description="Competition ranking: equal values share a rank, the next rank skips "
        "(1, 2, 2, 4)."
    )
    value: float = strawberry.field(description="The value ranked.")
    province_code: strawberry.Private[str]
    year: strawberry.Private[int]

    @strawberry.field(description="The province ranked, named as it was that year.")
    async def province(self, info: Info) -> Province:
        return await load_province(info, self.province_code, year_reference_date(self.year))


@strawberry.type(
    description="The provinces that existed in a year, ranked on one indicator by the "
    "database, best first."
)
class Ranking:
    indicator: Indicator = strawberry.field(description="The indicator ranked.")
    year: int = strawberry.field(description="The reference year.")
    entries: list[RankingEntry] = strawberry.field(
        description="Ranked provinces, best first; ties ordered by province code."
    )


@strawberry.type(description="One value of a side-by-side comparison.")
class ComparisonCell:
    year: int = strawberry.field(description="The reference year.")
    value: float | None = strawberry.field(
        description="The province's value; null where it has none, so the grid is complete."
    )
    rank: int | None = strawberry.field(
        description="Rank of this province for this indicator and year among all provinces "
        "with a value."
    )
    province_code: strawberry.Private[str]
    indicator_code: strawberry.Private[str]

    @strawberry.field(description="The province of this cell, named as it was that year.")
    async def province(self, info: Info) -> Province:
        return await load_province(info, self.province_code, year_reference_date(self.year))

    @strawberry.field(description="The indicator of this cell.")
    async def indicator(self, info: Info) -> Indicator:
        return Indicator.from_record(
            await info.context.loaders.indicator_by_code.load(self.indicator_code)
        )
