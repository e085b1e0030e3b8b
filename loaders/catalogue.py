from __future__ import annotations

from collections.abc import Mapping, Sequence

from hub.indicators import IndicatorRecord
from hub.sources import SourceRecord, sources_by_ids
from loaders.base import EngineLoader, ReferenceLoader


class IndicatorByCodeLoader(ReferenceLoader[str, IndicatorRecord]):
    async def fetch(self, keys: Sequence[str]) -> Mapping[str, IndicatorRecord]:
        known = (await self.reference()).indicators
        return {key: known[key] for key in keys if key in known}


class SourceByIdLoader(EngineLoader[int, SourceRecord]):
    async def fetch(self, keys: Sequence[int]) -> Mapping[int, SourceRecord]:
        return await sources_by_ids(engine=self.engine, ids=keys)
