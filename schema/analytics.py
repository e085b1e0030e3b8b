from __future__ import annotations

from enum import Enum

import strawberry

from hub.provinces import year_reference_date
from schema.catalogue import Dimension, Indicator
from schema.context import Info
from schema.plan import Plan, Target, TargetProgress
from schema.province import Province, load_province, load_provinces


@strawberry.enum(description="Which provinces figures are attributed to.")
class Boundaries(Enum):
    HISTORICAL = strawberry.enum_value(
        "HISTORICAL", description="The units that existed in the year, as they reported."
    )
    CURRENT = strawberry.enum_value(
        "CURRENT",
        description="Today's 34 provinces: figures of merged units combined where they can be.",
    )


@strawberry.enum(description="Why a value on today's boundaries could not be given.")
class RollupReason(Enum):
    NOT_ADDITIVE = strawberry.enum_value(
        "NOT_ADDITIVE", description="An index or a rank: merged units' values do not combine."
    )
    SHARE_WITHOUT_PARTS = strawberry.enum_value(
        "SHARE_WITHOUT_PARTS",
        description="A share some merged unit gave without numerator and denominator.",
    )
    INCOMPLETE_COVERAGE = strawberry.enum_value(
        "INCOMPLETE_COVERAGE",
        description="Some merged units have no figure: a sum would be partial.",
    )
    NO_DATA = strawberry.enum_value("NO_DATA", description="None of the units has a figure.")


@strawberry.type(description="One province's place in a ranking.")
class RankingEntry:
    rank: int = strawberry.field(
        description="Competition ranking: equal values share a rank, the next rank skips "
        "(1, 2, 2, 4)."
    )
    value: float = strawberry.field(description="The value ranked.")
    official_rank: int | None = strawberry.field(
        description="The rank the province itself reported for this index and year (e.g. the "
        "DTI's published rank), where it did."
    )
    province: Province = strawberry.field(
        description="The province ranked, named as it was that year."
    )


@strawberry.type(
    description="The provinces that existed in a year, ranked on one indicator by the "
    "database, best first."
)
class Ranking:
    indicator: Indicator = strawberry.field(description="The indicator ranked.")
    year: int = strawberry.field(description="The reference year.")
    boundaries: Boundaries = strawberry.field(description="Historical or today's provinces.")
    dimensions: list[Dimension] = strawberry.field(
        description="The breakdown ranked; empty for the indicator's total."
    )
    entries: list[RankingEntry] = strawberry.field(
        description="Ranked provinces, best first; ties ordered by province code."
    )
    provinces_ranked: int = strawberry.field(description="How many provinces have a value.")
    province_codes_without_value: strawberry.Private[list[str]]

    @strawberry.field(
        description="Provinces that existed that year (or today, on current boundaries) and "
        "have no value."
    )
    async def provinces_without_value(self, info: Info) -> list[Province]:
        on = None if self.boundaries is Boundaries.CURRENT else year_reference_date(self.year)
        return await load_provinces(info, self.province_codes_without_value, on)


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
    province: Province = strawberry.field(
        description="The province of this cell, named as it was that year."
    )
    indicator: Indicator = strawberry.field(description="The indicator of this cell.")


@strawberry.type(description="One of today's provinces, with its predecessors' figures combined.")
class RollupCell:
    value: float | None = strawberry.field(
        description="The combined value; null when it cannot be given (see reason)."
    )
    numerator: float | None = strawberry.field(description="Summed numerators of a share.")
    denominator: float | None = strawberry.field(description="Summed denominators of a share.")
    reason: RollupReason | None = strawberry.field(description="Why value is null, if it is.")
    rank: int | None = strawberry.field(
        description="Rank among today's provinces with a value (competition ranking)."
    )
    province_code: strawberry.Private[str]
    contributor_codes: strawberry.Private[tuple[str, ...]]
    reported_codes: strawberry.Private[tuple[str, ...]]
    year: strawberry.Private[int]

    @strawberry.field(description="Today's province.")
    async def province(self, info: Info) -> Province:
        return await load_province(info, self.province_code)

    @strawberry.field(
        description="The units that existed in the year and lie within this province today."
    )
    async def contributors(self, info: Info) -> list[Province]:
        on = year_reference_date(self.year)
        return await load_provinces(info, self.contributor_codes, on)

    @strawberry.field(description="Those contributors that have a figure.")
    async def reported(self, info: Info) -> list[Province]:
        on = year_reference_date(self.year)
        return await load_provinces(info, self.reported_codes, on)


@strawberry.enum(description="Where a province stands against one of its targets.")
class TargetStatus(Enum):
    ON_TRACK = strawberry.enum_value(
        "ON_TRACK", description="The latest figure already meets the target."
    )
    BEHIND = strawberry.enum_value("BEHIND", description="The latest figure falls short.")
    NO_DATA = strawberry.enum_value(
        "NO_DATA", description="No figure of the target's indicator and breakdown."
    )


@strawberry.type(description="A province target and where the province stands against it.")
class TargetStanding:
    status: TargetStatus = strawberry.field(description="On track, behind, or no data.")
    target: Target = strawberry.field(description="The target.")
    progress: TargetProgress = strawberry.field(description="The latest figure against it.")
    province_code: strawberry.Private[str]
    plan_id: strawberry.Private[int]

    @strawberry.field(description="The province whose target it is.")
    async def province(self, info: Info) -> Province:
        return await load_province(info, self.province_code)

    @strawberry.field(description="The plan that sets the target.")
    async def plan(self, info: Info) -> Plan:
        return Plan.from_record(await info.context.loaders.plan_by_id.load(self.plan_id))


@strawberry.type(description="Who reported for a year, and who did not.")
class Completeness:
    year: int = strawberry.field(description="The reference year.")
    expected: int = strawberry.field(description="Provinces that existed that year.")
    reported_count: int = strawberry.field(description="How many of them reported.")
    share: float = strawberry.field(description="reportedCount / expected, from 0 to 1.")
    reported_codes: strawberry.Private[tuple[str, ...]]
    missing_codes: strawberry.Private[tuple[str, ...]]

    @strawberry.field(description="Provinces with a figure, named as they were that year.")
    async def reported(self, info: Info) -> list[Province]:
        on = year_reference_date(self.year)
        return await load_provinces(info, self.reported_codes, on)

    @strawberry.field(description="Provinces without a figure, named as they were that year.")
    async def missing(self, info: Info) -> list[Province]:
        on = year_reference_date(self.year)
        return await load_provinces(info, self.missing_codes, on)


@strawberry.enum(description="What to group observations by in an aggregate.")
class GroupBy(Enum):
    PROVINCE = strawberry.enum_value("PROVINCE", description="The province's code.")
    YEAR = strawberry.enum_value("YEAR", description="The reference year.")
    INDICATOR = strawberry.enum_value("INDICATOR", description="The indicator's code.")
    LEVEL = strawberry.enum_value("LEVEL", description="The government-level dimension.")
    QUALIFICATION = strawberry.enum_value("QUALIFICATION", description="The qualification.")
    EMPLOYMENT = strawberry.enum_value("EMPLOYMENT", description="Dedicated or part-time.")
    SCHOOL_LEVEL = strawberry.enum_value("SCHOOL_LEVEL", description="The school level.")
    AUDIENCE = strawberry.enum_value("AUDIENCE", description="The audience.")
    SECTOR = strawberry.enum_value("SECTOR", description="The sector.")
    TRAINING_MODE = strawberry.enum_value("TRAINING_MODE", description="The training mode.")


@strawberry.type(description="One grouping key of an aggregate group.")
class GroupKey:
    by: GroupBy = strawberry.field(description="What is grouped by.")
    value: str | None = strawberry.field(
        description="The group's value (a code); null for figures without that breakdown."
    )


@strawberry.type(description="Statistics of the values in one group.")
class AggregateGroup:
    keys: list[GroupKey] = strawberry.field(description="The group, in the order asked.")
    count: int = strawberry.field(description="How many figures.")
    sum: float | None = strawberry.field(description="Their sum.")
    min: float | None = strawberry.field(description="The smallest.")
    max: float | None = strawberry.field(description="The largest.")
    mean: float | None = strawberry.field(description="Their mean.")


@strawberry.type(description="Grouped statistics over filtered observations.")
class Aggregate:
    groups: list[AggregateGroup] = strawberry.field(description="The groups, ordered by key.")
    truncated: bool = strawberry.field(
        description="True when there were more groups than the 5,000 returned."
    )
