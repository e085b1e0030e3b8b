from __future__ import annotations

from typing import Annotated

import strawberry

from hub import aggregates, completeness, rollup, targets_report
from hub.errors import check_year
from schema.analytics import (
    Aggregate,
    AggregateGroup,
    Completeness,
    GroupBy,
    GroupKey,
    RollupCell,
    RollupReason,
    TargetStanding,
    TargetStatus,
)
from schema.arguments import bounded
from schema.context import Info, indicators_by_code, read_engine
from schema.enums import Topic
from schema.observation import DimensionInput, ObservationFilter
from schema.plan import Target, TargetProgress
from schema.query import indicator_and_breakdown, observation_query

IndicatorArgument = Annotated[
    strawberry.ID | None, strawberry.argument(description="Only this indicator (code).")
]
TopicArgument = Annotated[
    Topic | None, strawberry.argument(description="Only indicators of this topic.")
]


async def _indicator_code(info: Info, code: strawberry.ID | None) -> str | None:
    if code is None:
        return None
    (record,) = await indicators_by_code(info.context, [str(code)], ("indicator",))
    return record.code


@strawberry.type(description="Analyses for dashboards and report builders.")
class AnalyticsQuery:
    @strawberry.field(
        description="One indicator and year on today's 34 provinces: figures of merged units "
        "summed (counts, money) or recomputed from summed parts (shares); null with a reason "
        "where they cannot be combined, never averaged."
    )
    async def rollup(
        self,
        info: Info,
        indicator: Annotated[strawberry.ID, strawberry.argument(description="Indicator code.")],
        year: Annotated[int, strawberry.argument(description="Reference year.")],
        dimensions: Annotated[
            list[DimensionInput] | None,
            strawberry.argument(description="Combine this breakdown instead of the total."),
        ] = None,
    ) -> list[RollupCell]:
        check_year(year, ("year",))
        record, dims = await indicator_and_breakdown(info, indicator, dimensions)
        cells = await rollup.rollup(
            engine=read_engine(info.context),
            indicator_code=record.code,
            measure=record.unit,
            year=year,
            dimensions=dims,
        )
        return [
            RollupCell(
                value=c.value,
                numerator=c.numerator,
                denominator=c.denominator,
                reason=None if c.reason is None else RollupReason(c.reason.value),
                rank=c.rank,
                province_code=c.province_code,
                contributor_codes=c.contributors,
                reported_codes=c.reported,
                year=year,
            )
            for c in cells
        ]

    @strawberry.field(
        description="For a target year: every province target linked to an indicator, and "
        "whether the province is on track, behind, or has no data."
    )
    async def targets_report(
        self,
        info: Info,
        year: Annotated[int, strawberry.argument(description="The targets' year.")],
        indicator: IndicatorArgument = None,
        topic: TopicArgument = None,
    ) -> list[TargetStanding]:
        standings = await targets_report.targets_report(
            engine=read_engine(info.context),
            year=check_year(year, ("year",)),
            indicator_code=await _indicator_code(info, indicator),
            topic=None if topic is None else topic.name,
        )
        return [
            TargetStanding(
                status=TargetStatus(s.status.value),
                target=Target.from_record(s.target),
                progress=TargetProgress.from_record(s.progress),
                province_code=s.province_code,
                plan_id=s.target.plan_id,
            )
            for s in standings
        ]

    @strawberry.field(
        description="Which provinces reported an indicator (or any indicator of a topic) for a "
        "year, which did not, and the share that did."
    )
    async def completeness(
        self,
        info: Info,
        year: Annotated[int, strawberry.argument(description="Reference year.")],
        indicator: IndicatorArgument = None,
        topic: TopicArgument = None,
    ) -> Completeness:
        found = await completeness.completeness(
            engine=read_engine(info.context),
            year=check_year(year, ("year",)),
            indicator_code=await _indicator_code(info, indicator),
            topic=None if topic is None else topic.name,
        )
        return Completeness(
            year=year,
            expected=len(found.reported) + len(found.missing),
            reported_count=len(found.reported),
            share=found.share,
            reported_codes=found.reported,
            missing_codes=found.missing,
        )

    @strawberry.field(
        description="Count, sum, min, max and mean of the figures matching a filter, grouped "
        "by province, year, indicator or any dimension (at most 5,000 groups)."
    )
    async def aggregate(
        self,
        info: Info,
        group_by: Annotated[
            list[GroupBy], strawberry.argument(description="What to group by, in order.")
        ],
        filter: Annotated[
            ObservationFilter | None, strawberry.argument(description="Which figures.")
        ] = None,
    ) -> Aggregate:
        wanted = bounded(group_by, limit=len(GroupBy), field=("groupBy",)) or ()
        found = await aggregates.aggregate(
            engine=read_engine(info.context),
            query=await observation_query(info, filter),
            group_by=[g.name for g in wanted],
        )
        return Aggregate(
            groups=[
                AggregateGroup(
                    keys=[GroupKey(by=GroupBy[name], value=value) for name, value in g.keys],
                    count=g.count,
                    sum=g.sum,
                    min=g.min,
                    max=g.max,
                    mean=g.mean,
                )
                for g in found.groups
            ],
            truncated=found.truncated,
        )
