"""A DataLoader bound to the engine, whose batch function is one service call."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping, Sequence
from typing import Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine
from strawberry.dataloader import DataLoader

from hub import telemetry
from hub.reference import RequestReference

K = TypeVar("K")
V = TypeVar("V")


class EngineLoader(DataLoader[K, V], Generic[K, V]):
    """Loads many keys with one call to ``fetch``; missing keys get ``default``."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        super().__init__(load_fn=self._batch)

    @abstractmethod
    async def fetch(self, keys: Sequence[K]) -> Mapping[K, V]:
        """Everything found for ``keys``, in one statement."""

    def default(self, key: K) -> V:
        raise KeyError(key)

    async def _batch(self, keys: list[K]) -> list[V]:
        with telemetry.span(
            "dataloader.batch", **{"loader": type(self).__name__, "keys": len(keys)}
        ) as current:
            found = await self.fetch(keys)
            current.set_attribute("rows", len(found))
        return [found[key] if key in found else self.default(key) for key in keys]


class ReferenceLoader(EngineLoader[K, V], Generic[K, V]):
    """A loader whose values come from the process's reference data (no statement
    beyond, at most, the request's one read of the data version)."""

    def __init__(self, engine: AsyncEngine, reference: RequestReference) -> None:
        super().__init__(engine)
        self.reference = reference
