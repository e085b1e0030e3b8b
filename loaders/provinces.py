from __future__ import annotations

from collections.abc import Mapping, Sequence

from hub.provinces import ProvinceRecord, predecessors_by_codes, provinces_by_codes
from loaders.base import EngineLoader


class ProvinceByCodeLoader(EngineLoader[str, ProvinceRecord]):
    async def fetch(self, keys: Sequence[str]) -> Mapping[str, ProvinceRecord]:
        return await provinces_by_codes(engine=self.engine, codes=keys)


class PredecessorsByProvinceCodeLoader(EngineLoader[str, list[ProvinceRecord]]):
    async def fetch(self, keys: Sequence[str]) -> Mapping[str, list[ProvinceRecord]]:
        return await predecessors_by_codes(engine=self.engine, codes=keys)
