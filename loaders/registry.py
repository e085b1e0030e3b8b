"""The per-request set of loaders."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from loaders.catalogue import IndicatorByCodeLoader, SourceByIdLoader
from loaders.plans import (
    LegalBasesByPlanIdLoader,
    ProgressByTargetIdLoader,
    TargetsByPlanIdLoader,
)
from loaders.provinces import PredecessorsByProvinceCodeLoader, ProvinceByCodeLoader


@dataclass(frozen=True, slots=True)
class Loaders:
    province_by_code: ProvinceByCodeLoader
    predecessors_by_province_code: PredecessorsByProvinceCodeLoader
    indicator_by_code: IndicatorByCodeLoader
    source_by_id: SourceByIdLoader
    targets_by_plan_id: TargetsByPlanIdLoader
    legal_bases_by_plan_id: LegalBasesByPlanIdLoader
    progress_by_target_id: ProgressByTargetIdLoader


def create_loaders(engine: AsyncEngine) -> Loaders:
    """Fresh loaders for one request: their caches never outlive it."""
    return Loaders(
        province_by_code=ProvinceByCodeLoader(engine),
        predecessors_by_province_code=PredecessorsByProvinceCodeLoader(engine),
        indicator_by_code=IndicatorByCodeLoader(engine),
        source_by_id=SourceByIdLoader(engine),
        targets_by_plan_id=TargetsByPlanIdLoader(engine),
        legal_bases_by_plan_id=LegalBasesByPlanIdLoader(engine),
        progress_by_target_id=ProgressByTargetIdLoader(engine),
    )
