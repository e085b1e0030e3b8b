"""Pooled connections the driver keeps between its reads, instead of a checkout each.

A driver read (``hub.driver``) needs a connection of SQLAlchemy's pool: a checkout and
a checkin, each through SQLAlchemy's greenlet and the pool's bookkeeping, cost about
60 µs of CPU per statement here, as much as asyncpg's own work for a national ranking.
So the driver keeps up to ``KEPT`` of the connections it leased, and hands them to its
next reads as they are.

They stay checked out of the pool: they count against its size like connections in
use (``held`` tells how many). A connection a statement found broken is never kept (it
is invalidated, and the pool makes a new one). When the engine is disposed, the kept
ones are closed with it; one leased before and given back after is closed, not kept.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import Pool, PoolProxiedConnection
from sqlalchemy.util import greenlet_spawn

KEPT = 8
"""At most this many idle connections kept per engine (the hub's pool holds 10, and 10
more in overflow; a worker answers about that many requests at once)."""


@dataclass(eq=False)
class Lease:
    """A connection lent to one statement, and the pool it came from."""

    connection: PoolProxiedConnection
    pool: Pool


@dataclass(eq=False)
class _Kept:
    pool: Pool
    idle: list[PoolProxiedConnection] = field(default_factory=list)


_kept: weakref.WeakKeyDictionary[Engine, _Kept] = weakref.WeakKeyDictionary()
_watched: weakref.WeakSet[Engine] = weakref.WeakSet()


def _root(engine: Engine) -> Engine:
    """The engine that owns the pool (an engine with options is a proxy of it)."""
    root: Engine = getattr(engine, "_proxied", engine)
    return root


async def lease(engine: Engine) -> Lease:
    """A kept connection, else one checked out of the pool."""
    root = _root(engine)
    pool = root.pool
    kept = _kept.get(root)
    while kept is not None and kept.pool is pool and kept.idle:
        connection = kept.idle.pop()
        driver: Any = connection.driver_connection
        if not driver.is_closed():
            return Lease(connection, pool)
        # The server ended it while it was kept (a restart, an administrator).
        await greenlet_spawn(connection.invalidate)
    connection = await greenlet_spawn(pool.connect)
    return Lease(connection, pool)


async def give_back(engine: Engine, lent: Lease) -> None:
    """Keep the connection for the next read, or check it in (broken, too many kept,
    or of a pool the engine has since replaced)."""
    root = _root(engine)
    connection = lent.connection
    if connection.is_valid and lent.pool is root.pool:
        kept = _kept.get(root)
        if kept is None or kept.pool is not root.pool:
            kept = _kept[root] = _Kept(root.pool)
            _close_on_dispose(root)
        if len(kept.idle) < KEPT:
            kept.idle.append(connection)
            return
    await greenlet_spawn(connection.close)


def held(engine: Engine) -> int:
    """How many connections the driver keeps checked out of the engine's pool."""
    kept = _kept.get(_root(engine))
    return 0 if kept is None else len(kept.idle)


def _close_on_dispose(root: Engine) -> None:
    if root in _watched:
        return
    _watched.add(root)
    event.listen(root, "engine_disposed", _closed)


def _closed(engine: Engine, *_args: Any) -> None:
    """The engine was disposed (an async engine disposes in SQLAlchemy's greenlet, so
    closing may await): the kept connections are closed, not handed back to the old
    pool, which nobody would close them from."""
    kept = _kept.pop(engine, None)
    if kept is None:
        return
    for connection in kept.idle:
        connection.invalidate()
