"""The data version: a counter every write bumps, last, inside its own transaction.

Bumping last keeps the row lock (PostgreSQL) as short as possible. A reader that
sees version v is guaranteed that no answer computed under v misses a change committed
under v + 1: the version and the data commit together.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from hub import driver
from hub.coalesced import CoalescedRead
from hub.models import DataVersion


async def bump(conn: AsyncConnection | AsyncSession) -> None:
    await conn.execute(
        update(DataVersion).where(DataVersion.id == 1).values(version=DataVersion.version + 1)
    )


_CURRENT = f"SELECT version FROM {DataVersion.__tablename__} WHERE id = 1"


_readers: weakref.WeakKeyDictionary[AsyncEngine, CoalescedRead[int]] = weakref.WeakKeyDictionary()


async def current(engine: AsyncEngine) -> int:
    """The version now: at least as new as every change committed before the call.

    Read on every request (result cache, reference data), so run by the driver itself
    (``hub.driver``), and shared by the requests that ask before the read is sent
    (``hub.coalesced``)."""
    reader = _readers.get(engine)
    if reader is None:
        reader = _readers[engine] = CoalescedRead(functools.partial(_read, engine))
    return await reader()


async def _read(engine: AsyncEngine, before_send: Callable[[], None]) -> int:
    return int(await driver.fetch_value(engine, _CURRENT, before_send=before_send))
