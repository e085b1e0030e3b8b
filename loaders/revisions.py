"""Revision histories, as far as the caller may see them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy.ext.asyncio import AsyncEngine

from hub.observations import ObservationRecord, Visibility, revisions_by_series_keys
from hub.plans import PlanRecord, revisions_by_plan_keys
from loaders.base import EngineLoader


class RevisionsBySeriesKeyLoader(EngineLoader[str, list[ObservationRecord]]):
    def __init__(self, engine: AsyncEngine, visibility: Visibility) -> None:
        super().__init__(engine)
        self.visibility = visibility

    async def fetch(self, keys: Sequence[str]) -> Mapping[str, list[ObservationRecord]]:
        return await revisions_by_series_keys(
            engine=self.engine, keys=keys, visibility=self.visibility
        )


class RevisionsByPlanKeyLoader(EngineLoader[str, list[PlanRecord]]):
    def __init__(self, engine: AsyncEngine, visibility: Visibility) -> None:
        super().__init__(engine)
        self.visibility = visibility

    async def fetch(self, keys: Sequence[str]) -> Mapping[str, list[PlanRecord]]:
        return await revisions_by_plan_keys(
            engine=self.engine, keys=keys, pending_provinces=self.visibility.pending_provinces
        )
