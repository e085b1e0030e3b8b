"""The per-request set of loaders."""

from __future__ import annotations

from functools import cached_property

from sqlalchemy.ext.asyncio import AsyncEngine

from hub.observations import PUBLIC, Visibility
from hub.reference import ReferenceCache, RequestReference
from loaders.catalogue import IndicatorByCodeLoader, SourceByIdLoader
from loaders.plans import (
    LegalBasesByPlanIdLoader,
    PlanByIdLoader,
    ProgressByTargetIdLoader,
    TargetsByPlanIdLoader,
)
from loaders.provinces import PredecessorsByProvinceCodeLoader, ProvinceByCodeLoader
from loaders.revisions import RevisionsByPlanKeyLoader, RevisionsBySeriesKeyLoader


class Loaders:
    """One request's loaders, each created on first use: most requests need one or two
    of them, and creating a DataLoader costs more than many a resolver."""

    def __init__(
        self, engine: AsyncEngine, visibility: Visibility, reference: RequestReference
    ) -> None:
        self._engine = engine
        self._visibility = visibility
        self._reference = reference

    @cached_property
    def province_by_code(self) -> ProvinceByCodeLoader:
        return ProvinceByCodeLoader(self._engine, self._reference)

    @cached_property
    def predecessors_by_province_code(self) -> PredecessorsByProvinceCodeLoader:
        return PredecessorsByProvinceCodeLoader(self._engine)

    @cached_property
    def indicator_by_code(self) -> IndicatorByCodeLoader:
        return IndicatorByCodeLoader(self._engine, self._reference)

    @cached_property
    def source_by_id(self) -> SourceByIdLoader:
        return SourceByIdLoader(self._engine)

    @cached_property
    def targets_by_plan_id(self) -> TargetsByPlanIdLoader:
        return TargetsByPlanIdLoader(self._engine)

    @cached_property
    def legal_bases_by_plan_id(self) -> LegalBasesByPlanIdLoader:
        return LegalBasesByPlanIdLoader(self._engine)

    @cached_property
    def progress_by_target_id(self) -> ProgressByTargetIdLoader:
        return ProgressByTargetIdLoader(self._engine)

    @cached_property
    def revisions_by_series_key(self) -> RevisionsBySeriesKeyLoader:
        return RevisionsBySeriesKeyLoader(self._engine, self._visibility)

    @cached_property
    def revisions_by_plan_key(self) -> RevisionsByPlanKeyLoader:
        return RevisionsByPlanKeyLoader(self._engine, self._visibility)

    @cached_property
    def plan_by_id(self) -> PlanByIdLoader:
        return PlanByIdLoader(self._engine)


def create_loaders(
    engine: AsyncEngine,
    visibility: Visibility = PUBLIC,
    reference: RequestReference | None = None,
) -> Loaders:
    """Fresh loaders for one request: their caches never outlive it. Provinces and
    indicators come from ``reference`` (the process's copy, ``hub.reference``)."""
    return Loaders(engine, visibility, reference or RequestReference(ReferenceCache(), engine))
