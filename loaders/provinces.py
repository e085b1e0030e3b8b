from __future__ import annotations

from collections.abc import Mapping, Sequence

from hub.provinces import ProvinceRecord, predecessors_by_codes
from loaders.base import EngineLoader, ReferenceLoader


class ProvinceByCodeLoader(ReferenceLoader[str, ProvinceRecord]):
    async def fetch(self, keys: Sequence[str]) -> Mapping[str, ProvinceRecord]:
        known = (await self.reference()).provinces
        return {key: known[key] for key in keys if key in known}


class PredecessorsByProvinceCodeLoader(EngineLoader[str, list[ProvinceRecord]]):
    async def fetch(self, keys: Sequence[str]) -> Mapping[str, list[ProvinceRecord]]:
        return await predecessors_by_codes(engine=self.engine, codes=keys)
