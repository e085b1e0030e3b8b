from __future__ import annotations

from collections.abc import Mapping, Sequence

from hub.plans import (
    LegalBasisRecord,
    PlanRecord,
    TargetProgressRecord,
    TargetRecord,
    legal_bases_by_plan_ids,
    plans_by_ids,
    progress_by_target_ids,
    targets_by_plan_ids,
)
from loaders.base import EngineLoader


class TargetsByPlanIdLoader(EngineLoader[int, list[TargetRecord]]):
    async def fetch(self, keys: Sequence[int]) -> Mapping[int, list[TargetRecord]]:
        return await targets_by_plan_ids(engine=self.engine, plan_ids=keys)


class LegalBasesByPlanIdLoader(EngineLoader[int, list[LegalBasisRecord]]):
    async def fetch(self, keys: Sequence[int]) -> Mapping[int, list[LegalBasisRecord]]:
        return await legal_bases_by_plan_ids(engine=self.engine, plan_ids=keys)


class ProgressByTargetIdLoader(EngineLoader[int, TargetProgressRecord | None]):
    async def fetch(self, keys: Sequence[int]) -> Mapping[int, TargetProgressRecord | None]:
        return await progress_by_target_ids(engine=self.engine, target_ids=keys)


class PlanByIdLoader(EngineLoader[int, PlanRecord]):
    async def fetch(self, keys: Sequence[int]) -> Mapping[int, PlanRecord]:
        return {plan.id: plan for plan in await plans_by_ids(engine=self.engine, ids=keys)}
