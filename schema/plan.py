from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import strawberry

from hub.plans import (
    LegalBasisRecord,
    PlanRecord,
    TargetProgressRecord,
    TargetRecord,
    targets_by_plan_ids,
    targets_with_progress_by_plan_ids,
)
from schema.catalogue import Dimension, Indicator, Source, indicators_named
from schema.context import Info, read_engine
from schema.enums import Comparator, PlanKind, SubmissionStatus
from schema.fast_lists import NOT_PREFETCHED, prefetched
from schema.province import Province, load_province, provinces_named
from schema.selection import selected_names


@strawberry.type(
    description="How far the province is from one of its targets, from the latest "
    "observation of the same indicator."
)
class TargetProgress:
    latest_value: float | None = strawberry.field(
        description="The latest value of the target's indicator for the plan's province."
    )
    latest_year: int | None = strawberry.field(description="The year of that value.")
    attainment: float | None = strawberry.field(
        description="latestValue as a share of the target value (1.0 = met)."
    )
    met: bool | None = strawberry.field(
        description="Whether the latest value meets the target, by its comparator."
    )

    @classmethod
    def from_record(cls, record: TargetProgressRecord) -> TargetProgress:
        return cls(
            latest_value=record.latest_value,
            latest_year=record.latest_year,
            attainment=record.attainment,
            met=record.met,
        )


@strawberry.type(description="A target a plan sets.")
class Target:
    description: str = strawberry.field(description="The target as the plan words it.")
    year: int = strawberry.field(description="Year by which it is to be reached.")
    value: float | None = strawberry.field(
        description="The number to reach, in the indicator's unit; null for a target the "
        "plan states without a number."
    )
    comparator: Comparator = strawberry.field(
        description='How a result is compared with the value ("trên 80%" is GT).'
    )
    dimensions: list[Dimension] = strawberry.field(
        description="The breakdown the target is about; empty for the indicator's total."
    )
    id_: strawberry.Private[int]
    indicator_code: strawberry.Private[str | None]
    prefetched_indicator: strawberry.Private[Indicator | None] = NOT_PREFETCHED
    prefetched_progress: strawberry.Private[TargetProgress | None] = NOT_PREFETCHED

    @classmethod
    def from_record(cls, record: TargetRecord) -> Target:
        return cls(
            description=record.description,
            year=record.year,
            value=record.value,
            comparator=Comparator(record.comparator),
            dimensions=[Dimension.from_record(d) for d in record.dimensions],
            id_=record.id,
            indicator_code=record.indicator_code,
        )

    @strawberry.field(description="The indicator the target is measured by, where the hub has one.")
    @prefetched("prefetched_indicator")
    async def indicator(self, info: Info) -> Indicator | None:
        if self.prefetched_indicator is not NOT_PREFETCHED:
            return self.prefetched_indicator
        if self.indicator_code is None:
            return None
        return Indicator.from_record(
            await info.context.loaders.indicator_by_code.load(self.indicator_code)
        )

    @strawberry.field(
        description="Progress from the latest observation; null for a target without an "
        "indicator or a number."
    )
    @prefetched("prefetched_progress")
    async def progress(self, info: Info) -> TargetProgress | None:
        if self.prefetched_progress is not NOT_PREFETCHED:
            return self.prefetched_progress
        record = await info.context.loaders.progress_by_target_id.load(self.id_)
        return None if record is None else TargetProgress.from_record(record)


@strawberry.type(description='A document a plan is based on ("Căn cứ …").')
class LegalBasis:
    number: str | None = strawberry.field(description='Its number, e.g. "749/QĐ-TTg".')
    title: str = strawberry.field(description="Its title or subject.")
    issued_on: date | None = strawberry.field(description="Its date.")
    issuer: str | None = strawberry.field(description="Who issued it.")

    @classmethod
    def from_record(cls, record: LegalBasisRecord) -> LegalBasis:
        return cls(
            number=record.number,
            title=record.title,
            issued_on=record.issued_on,
            issuer=record.issuer,
        )


@strawberry.type(description="A plan, decision, programme or strategy issued by a province.")
class Plan:
    id: strawberry.ID = strawberry.field(description="Identifier of this revision of the plan.")
    number: str | None = strawberry.field(
        description='Document number as issued, e.g. "4624/KH-UBND".'
    )
    kind: PlanKind = strawberry.field(description="Plan, decision, resolution, programme…")
    title: str = strawberry.field(description="The title, verbatim.")
    issued_on: date | None = strawberry.field(description="Day of issue, where known.")
    issued_month: str | None = strawberry.field(
        description='Month of issue ("2022-04") where only the month is known.'
    )
    period_start: int | None = strawberry.field(description="First year the plan covers.")
    period_end: int | None = strawberry.field(description="Last year the plan covers.")
    signer: str | None = strawberry.field(description="Who signed it.")
    issuer: str | None = strawberry.field(description='Who issued it, e.g. "UBND tỉnh Bến Tre".')
    revision: int = strawberry.field(description="1 for the first version, then 2, 3, …")
    status: SubmissionStatus = strawberry.field(
        description="APPROVED plans are public; PENDING ones only reach their province and the "
        "ministry."
    )
    plan_key: strawberry.Private[str]
    province_code: strawberry.Private[str]
    source_id: strawberry.Private[int | None]
    prefetched_province: strawberry.Private[Province] = NOT_PREFETCHED
    prefetched_targets: strawberry.Private[list[Target]] = NOT_PREFETCHED

    @classmethod
    def from_record(cls, record: PlanRecord) -> Plan:
        return cls(
            id=strawberry.ID(str(record.id)),
            number=record.number,
            kind=PlanKind(record.kind),
            title=record.title,
            issued_on=record.issued_on,
            issued_month=record.issued_month,
            period_start=record.period_start,
            period_end=record.period_end,
            signer=record.signer,
            issuer=record.issuer,
            revision=record.revision,
            status=SubmissionStatus(record.status),
            plan_key=record.plan_key,
            province_code=record.province_code,
            source_id=record.source_id,
        )

    @strawberry.field(description="The province that issued it, named as it was then.")
    @prefetched("prefetched_province")
    async def province(self, info: Info) -> Province:
        if self.prefetched_province is not NOT_PREFETCHED:
            return self.prefetched_province
        return await load_province(info, self.province_code, self.issued_on)

    @strawberry.field(description="Its targets, in the order the plan lists them.")
    @prefetched("prefetched_targets")
    async def targets(self, info: Info) -> list[Target]:
        if self.prefetched_targets is not NOT_PREFETCHED:
            return self.prefetched_targets
        records = await info.context.loaders.targets_by_plan_id.load(int(self.id))
        return [Target.from_record(r) for r in records]

    @strawberry.field(description="The documents it states it is based on.")
    async def legal_bases(self, info: Info) -> list[LegalBasis]:
        records = await info.context.loaders.legal_bases_by_plan_id.load(int(self.id))
        return [LegalBasis.from_record(r) for r in records]

    @strawberry.field(description="Every revision of this plan the caller may see, oldest first.")
    async def revisions(self, info: Info) -> list[Plan]:
        records = await info.context.loaders.revisions_by_plan_key.load(self.plan_key)
        return [Plan.from_record(r) for r in records]

    @strawberry.field(description="Where the plan's text comes from.")
    async def source(self, info: Info) -> Source | None:
        if self.source_id is None:
            return None
        return Source.from_record(await info.context.loaders.source_by_id.load(self.source_id))


async def build_plans(info: Info, records: Sequence[PlanRecord]) -> list[Plan]:
    """Plans with their province, targets and the targets' indicators and progress
    loaded in advance, a batch per relation and only where the query selects it, so
    that a list of plans is completed by the fast list path (``schema.fast_lists``)."""
    result = [Plan.from_record(r) for r in records]
    if not result:
        return result
    wanted = selected_names(info)
    if "province" in wanted:
        named = await provinces_named(info, {(p.province_code, p.issued_on) for p in result})
        for plan in result:
            plan.prefetched_province = named[plan.province_code, plan.issued_on]
    if "targets" in wanted:
        targets = await _targets_of(info, wanted, [int(p.id) for p in result])
        await _prefetch_indicators(info, wanted, [t for group in targets for t in group])
        for plan, group in zip(result, targets, strict=True):
            plan.prefetched_targets = group
    return result


async def _targets_of(
    info: Info, wanted: frozenset[str], plan_ids: list[int]
) -> list[list[Target]]:
    """Each plan's targets, with their progress when the query asks for it: one service
    call for the whole list (no DataLoader future per key), one statement either way."""
    engine = read_engine(info.context)
    if "progress" not in wanted:
        per_plan = await targets_by_plan_ids(engine=engine, plan_ids=plan_ids)
        return [[Target.from_record(t) for t in per_plan[plan_id]] for plan_id in plan_ids]
    with_progress = await targets_with_progress_by_plan_ids(engine=engine, plan_ids=plan_ids)
    found = []
    for plan_id in plan_ids:
        group = []
        for item in with_progress[plan_id]:
            target = Target.from_record(item.target)
            target.prefetched_progress = (
                None if item.progress is None else TargetProgress.from_record(item.progress)
            )
            group.append(target)
        found.append(group)
    return found


async def _prefetch_indicators(info: Info, wanted: frozenset[str], targets: list[Target]) -> None:
    if "indicator" in wanted:
        indicators = await indicators_named(
            info, (t.indicator_code for t in targets if t.indicator_code is not None)
        )
        for target in targets:
            code = target.indicator_code
            target.prefetched_indicator = None if code is None else indicators[code]
