"""The driver keeps the connections it leased for its next reads (``hub.kept_connections``):
no checkout per read, never a broken one kept, none left open after the engine goes."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import QueuePool

from hub import kept_connections
from hub.db import create_engine, reader
from hub.driver import fetch_value


def checked_out(engine: AsyncEngine) -> int:
    pool = engine.sync_engine.pool
    assert isinstance(pool, QueuePool)
    return pool.checkedout()


@pytest.fixture
def postgres_only(backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("the driver's reads run on PostgreSQL only")


def _checkouts(engine: AsyncEngine) -> list[int]:
    counted = [0]

    def checkout(*_args: object) -> None:
        counted[0] += 1

    event.listen(engine.sync_engine.pool, "checkout", checkout)
    return counted


async def test_reads_after_the_first_reuse_its_connection(database_url, postgres_only):
    engine = create_engine(database_url)
    try:
        reads = reader(engine)
        counted = _checkouts(engine)
        assert await fetch_value(reads, "SELECT 1") == 1
        assert counted == [1]
        for number in range(2, 12):
            assert await fetch_value(reads, f"SELECT {number}") == number
        assert counted == [1]  # the first read's connection, kept and reused
        assert kept_connections.held(engine.sync_engine) == 1
        assert checked_out(engine) == 1
    finally:
        await engine.dispose()


async def test_no_more_than_kept_are_held_however_many_read_at_once(database_url, postgres_only):
    engine = create_engine(database_url)
    try:
        many = kept_connections.KEPT + 4
        values = await asyncio.gather(
            *(fetch_value(engine, f"SELECT {n} FROM pg_sleep(0.05)") for n in range(many))
        )
        assert values == list(range(many))
        assert kept_connections.held(engine.sync_engine) == kept_connections.KEPT
        assert checked_out(engine) == kept_connections.KEPT
    finally:
        await engine.dispose()


async def _sessions(observer: AsyncEngine, marker: str) -> int:
    async with observer.connect() as conn:
        found = await conn.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE application_name = :name AND pid <> pg_backend_pid()"
            ),
            {"name": marker},
        )
    return int(found or 0)


async def test_a_broken_connection_is_dropped_and_disposing_closes_the_kept_ones(
    database_url, postgres_only
):
    engine = create_engine(database_url)
    observer = create_engine(database_url)
    try:
        first = await fetch_value(engine, "SELECT pg_backend_pid()")
        assert kept_connections.held(engine.sync_engine) == 1
        async with observer.begin() as conn:
            await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
        # The next read finds the kept connection closed (and takes another), or fails
        # on it, invalidated, as on any connection the server ended; never again after.
        failed: DBAPIError | None = None
        try:
            after = await fetch_value(engine, "SELECT pg_backend_pid()")
        except DBAPIError as error:
            failed = error
            after = await fetch_value(engine, "SELECT pg_backend_pid()")
        assert failed is None or failed.connection_invalidated
        assert after != first
        assert await fetch_value(engine, "SELECT pg_backend_pid()") == after
        assert kept_connections.held(engine.sync_engine) == 1
        assert await _sessions(observer, "reporting-hub") >= 1
        await engine.dispose()
        assert kept_connections.held(engine.sync_engine) == 0
        for _ in range(50):  # the server sees the session end shortly after the close
            if await _sessions(observer, "reporting-hub") == 0:
                break
            await asyncio.sleep(0.05)
        assert await _sessions(observer, "reporting-hub") == 0
        assert await fetch_value(engine, "SELECT 3") == 3  # a disposed engine reconnects
    finally:
        await engine.dispose()
        await observer.dispose()
