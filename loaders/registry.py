"""The per-request set of loaders."""

from __future__ import annotations

from dataclasses import dataclass

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


@dataclass(frozen=True, slots=True)
class Loaders:
    province_by_code: ProvinceByCodeLoader
    predecessors_by_province_code: PredecessorsByProvinceCodeLoader
    indicator_by_code: IndicatorByCodeLoader
    source_by_id: SourceByIdLoader
    targets_by_plan_id: TargetsByPlanIdLoader
    legal_bases_by_plan_id: LegalBasesByPlanIdLoader
    progress_by_target_id: ProgressByTargetIdLoader
    revisions_by_series_key: RevisionsBySeriesKeyLoader
    revisions_by_plan_key: RevisionsByPlanKeyLoader
    plan_by_id: PlanByIdLoader


def create_loaders(
    engine: AsyncEngine,
    visibility: Visibility = PUBLIC,
    reference: RequestReference | None = None,
) -> Loaders:
    """Fresh loaders for one request: their caches never outlive it. Provinces and
    indicators come from ``reference`` (the process's copy, ``hub.reference``)."""
    reference = reference or RequestReference(ReferenceCache(), engine)
    return Loaders(
        province_by_code=ProvinceByCodeLoader(engine, reference),
        predecessors_by_province_code=PredecessorsByProvinceCodeLoader(engine),
        indicator_by_code=IndicatorByCodeLoader(engine, reference),
        source_by_id=SourceByIdLoader(engine),
        targets_by_plan_id=TargetsByPlanIdLoader(engine),
        legal_bases_by_plan_id=LegalBasesByPlanIdLoader(engine),
        progress_by_target_id=ProgressByTargetIdLoader(engine),
        revisions_by_series_key=RevisionsBySeriesKeyLoader(engine, visibility),
        revisions_by_plan_key=RevisionsByPlanKeyLoader(engine, visibility),
        plan_by_id=PlanByIdLoader(engine),
    )
