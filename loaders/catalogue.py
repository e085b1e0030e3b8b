from __future__ import annotations

from collections.abc import Mapping, Sequence

from hub.indicators import IndicatorRecord, indicators_by_codes
from hub.sources import SourceRecord, sources_by_ids
from loaders.base import EngineLoader


class IndicatorByCodeLoader(EngineLoader[str, IndicatorRecord]):
    async def fetch(self, keys: Sequence[str]) -> Mapping[str, IndicatorRecord]:
        return await indicators_by_codes(engine=self.engine, codes=keys)


class SourceByIdLoader(EngineLoader[int, SourceRecord]):
    async def fetch(self, keys: Sequence[int]) -> Mapping[int, SourceRecord]:
        return await sources_by_ids(engine=self.engine, ids=keys)
