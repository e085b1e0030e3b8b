"""Provinces and indicators, kept in process while the data version is unchanged.

Nearly every answer names provinces and indicators: a national ranking needs all of
them, a page of observations a few dozen. They are a few hundred rows that change only
when fixtures are loaded, which bumps the data version (``hub.data_version``) like
every other write. So a process keeps one copy, stamped with the version it was read
under, and a request that sees another version reads them again first: a request
reads the version once (one short statement) instead of two or three lookups, and
never a name older than the data it answers with.
"""

from __future__ import annotations

import asyncio
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from hub import data_version
from hub.indicators import IndicatorRecord, list_indicators
from hub.provinces import ProvinceRecord, all_name_keys, all_provinces


@dataclass(frozen=True, slots=True)
class Reference:
    version: int
    provinces: Mapping[str, ProvinceRecord]
    """Every unit, current or former, by code (named as the unit is named today)."""
    indicators: Mapping[str, IndicatorRecord]
    named: tuple[tuple[ProvinceRecord, str, date | None], ...]
    """Every unit with each folded name it may be looked up by, and the name's last day
    (None: its current name), as ``hub.provinces.pick_provinces`` wants them."""
    derived: dict[Hashable, Any] = field(default_factory=dict, compare=False, repr=False)
    """Values worked out from this copy, kept with it by their users (a ranking names
    the same 63 units the same way on every request); they go when the copy goes."""

    def provinces_on(self, day: date) -> list[ProvinceRecord]:
        """The units that existed on ``day``, named as they were then, ordered by code:
        what ``hub.provinces.list_provinces`` reads, without a statement."""
        key = ("provinces_on", day)
        found: list[ProvinceRecord] | None = self.derived.get(key)
        if found is None:
            found = [
                self.provinces[code].named_on(day)
                for code in sorted(self.provinces)
                if self.provinces[code].existed_on(day)
            ]
            self.derived[key] = found
        return found


class ReferenceCache:
    """The latest ``Reference`` read; reloaded when a request sees a newer version."""

    def __init__(self) -> None:
        self._held: Reference | None = None
        self._lock = asyncio.Lock()
        self.loads = 0
        """How many times the reference data was read (tests pin it)."""

    @property
    def held(self) -> Reference | None:
        """The latest copy, whatever the database holds now (None before the first load)."""
        return self._held

    async def at(self, engine: AsyncEngine, version: int) -> Reference:
        """The reference data as of ``version`` or later.

        Reading after the version was read can only see as much or more; a copy read
        under an older version is never handed to a request that saw a newer one.
        """
        held = self._held
        if held is not None and held.version >= version:
            return held
        async with self._lock:
            held = self._held
            if held is not None and held.version >= version:
                return held
            provinces = {p.code: p for p in await all_provinces(engine=engine)}
            indicators = await list_indicators(engine=engine)
            names = await all_name_keys(engine=engine)
            held = Reference(
                version=version,
                provinces=provinces,
                indicators={i.code: i for i in indicators},
                named=tuple((provinces[n.province_code], n.search_key, n.valid_to) for n in names),
            )
            self._held = held
            self.loads += 1
            return held


class RequestReference:
    """One request's view of the cache: the data version read (at most) once, and the
    reference data fetched once, however many resolvers ask."""

    __slots__ = ("_cache", "_engine", "_task", "_version")

    def __init__(
        self, cache: ReferenceCache, engine: AsyncEngine, version: int | None = None
    ) -> None:
        self._cache = cache
        self._engine = engine
        self._version = version
        self._task: asyncio.Future[Reference] | None = None

    async def __call__(self) -> Reference:
        if self._task is None:
            self._task = asyncio.ensure_future(self._load())
        return await self._task

    async def provisional(self) -> Reference:
        """A copy to read codes and names from before a statement that also returns the
        data version, with no statement of its own when the process holds a copy: the
        request's own copy if it has one, else the process's. Whatever it reads must be
        checked against ``settle`` once the statement has answered."""
        if self._task is not None or self._version is not None:
            return await self()
        held = self._cache.held
        return held if held is not None else await self()

    async def settle(self, version: int) -> Reference:
        """The request's copy once a statement read data under ``version``: at least as
        new as that data (reread if the process's copy is older), and from then on the
        copy every resolver of the request gets, without reading the version again."""
        if self._task is not None:
            found = await self._task
            if found.version >= version:
                return found
        found = await self._cache.at(self._engine, version)
        settled: asyncio.Future[Reference] = asyncio.get_running_loop().create_future()
        settled.set_result(found)
        self._version, self._task = version, settled
        return found

    async def _load(self) -> Reference:
        version = self._version
        if version is None:
            version = await data_version.current(self._engine)
        return await self._cache.at(self._engine, version)
