"""Observations reference indicators, provinces, sources and submissions that exist.

SQLite enforces this with foreign keys; PostgreSQL with statement-level triggers
(migration 0006), which must behave as the foreign keys they replaced did: the same
``IntegrityError`` (SQLSTATE 23503, the same constraint names), nothing stored from a
refused statement or COPY, and a referenced parent that cannot vanish under a
concurrent writer.
"""

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hub.db import reader
from hub.db_errors import classify
from hub.models import Indicator, Observation, Province, Source, Submission
from hub.retry import is_retryable
from hub.submissions.bulk import (
    COLUMNS,
    Record,
    copy_records,
    insert_records,
    is_postgres,
    take_ids,
)

NOW = datetime(2025, 6, 1, tzinfo=UTC)
SERIES = "references-test|"
UNKNOWN: dict[str, Any] = {
    "indicator_code": "no.such.indicator",
    "province_code": "ZZ",
    "source_id": 987654321,
    "submission_id": 987654321,
}
# Per referencing column: the parent, its key, another key for it, a column to change.
PARENTS: dict[str, tuple[Any, Any, Any, dict[str, Any]]] = {
    "indicator_code": (Indicator, Indicator.code, "test.renamed", {"name": "Renamed"}),
    "province_code": (Province, Province.code, "T2", {"name": "Renamed"}),
    "source_id": (Source, Source.id, 987654320, {"title": "Renamed"}),
    "submission_id": (Submission, Submission.id, 987654320, {"status": "REJECTED"}),
}


async def new_parents(engine: AsyncEngine) -> dict[str, Any]:
    """A province, an indicator, a source and a submission that nothing refers to yet."""
    async with engine.begin() as conn:
        await conn.execute(
            insert(Province).values(
                code="T1",
                name="Thử",
                full_name="Tỉnh Thử",
                kind="PROVINCE",
                slug="thu",
                former_names="[]",
            )
        )
        await conn.execute(
            insert(Indicator).values(
                code="test.only",
                name="Thử",
                name_en="Test",
                topic="STAFFING",
                unit="COUNT",
                higher_is_better=True,
                description="",
                year_min=2000,
            )
        )
        source = await conn.scalar(
            insert(Source).values(fingerprint="references-test", title="Thử").returning(Source.id)
        )
        submission = await conn.scalar(
            insert(Submission)
            .values(
                kind="OBSERVATIONS",
                province_code="83",
                submitted_by="test",
                status="APPROVED",
                request_hash="h",
                item_count=1,
                created_at=NOW,
            )
            .returning(Submission.id)
        )
    return {
        "indicator_code": "test.only",
        "province_code": "T1",
        "source_id": source,
        "submission_id": submission,
    }


def figure(number: int, **references: Any) -> dict[str, Any]:
    """An observation's columns (``bulk.COLUMNS``) with these references."""
    columns: dict[str, Any] = dict.fromkeys(COLUMNS)
    columns.update(
        series_key=f"{SERIES}{number}",
        revision=1,
        year=2023,
        period="2023",
        value=float(number),
        dimension_key="",
        flag="FINAL",
        status="APPROVED",
        is_current=True,
        recorded_at=NOW,
        updated_at=NOW,
        **references,
    )
    return columns


def record(columns: dict[str, Any]) -> Record:
    """A bulk record without its id yet."""
    return (None, *(columns[name] for name in COLUMNS))


async def plain_insert(conn: AsyncConnection, figures: list[dict[str, Any]]) -> None:
    """One INSERT statement of every figure."""
    await conn.execute(insert(Observation).values(figures))


async def copied(conn: AsyncConnection, figures: list[dict[str, Any]]) -> None:
    """The bulk path: COPY on PostgreSQL, a multi-row INSERT on SQLite."""
    records = [record(f) for f in figures]
    if not is_postgres(conn):
        await insert_records(conn, records, NOW)
        return
    # The service's COPY runs in a transaction SQLAlchemy began (it stores the
    # submission first); the driver's own statements would not begin one.
    await conn.execute(select(1))
    ids = await take_ids(conn, len(records))
    await copy_records(conn, [(i, *r[1:]) for i, r in zip(ids, records, strict=True)])


async def stored(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        count = await conn.scalar(
            select(func.count()).where(Observation.series_key.startswith(SERIES))
        )
    return int(count or 0)


def driver_error(error: DBAPIError) -> BaseException:
    """asyncpg's exception: SQLAlchemy's adapter wraps it, the COPY path raises it as is."""
    assert error.orig is not None
    return error.orig.__cause__ or error.orig


def assert_foreign_key_violation(
    error: IntegrityError, backend: str, column: str, key: Any, *, parent_side: bool = False
) -> None:
    """PostgreSQL's own foreign key error, as the dropped constraints raised it, which the
    hub handles as before: no database failure, a race a writer retries."""
    assert classify(error) is None
    assert is_retryable(error)
    if backend == "sqlite":
        assert "FOREIGN KEY constraint failed" in str(error.orig)
        return
    driver = driver_error(error)
    assert getattr(driver, "sqlstate", None) == "23503"
    model, key_column, _, _ = PARENTS[column]
    constraint = f"fk_observations_{column}_{model.__tablename__}"
    assert getattr(driver, "constraint_name", None) == constraint
    assert getattr(driver, "table_name", None) == "observations"
    if parent_side:
        detail = f'Key ({key_column.key})=({key}) is still referenced from table "observations".'
    else:
        detail = f'Key ({column})=({key}) is not present in table "{model.__tablename__}".'
    assert getattr(driver, "detail", None) == detail


@pytest.mark.parametrize("column", list(UNKNOWN))
async def test_a_figure_with_an_unknown_reference_is_refused_and_nothing_is_stored(
    engine, backend, column
):
    parents = await new_parents(engine)
    good = [figure(n, **parents) for n in range(300)]
    bad = figure(300, **{**parents, column: UNKNOWN[column]})
    for write in (plain_insert, copied):
        for batch in ([bad], [*good, bad]):
            with pytest.raises(IntegrityError) as refused:
                async with engine.begin() as conn:
                    await write(conn, batch)
            assert_foreign_key_violation(refused.value, backend, column, UNKNOWN[column])
    assert await stored(engine) == 0

    async with engine.begin() as conn:
        await copied(conn, good)
        await plain_insert(conn, [figure(300, **{**parents, "source_id": None})])
    assert await stored(engine) == 301


async def test_pointing_a_stored_figure_at_an_unknown_reference_is_refused(engine, backend):
    parents = await new_parents(engine)
    async with engine.begin() as conn:
        await copied(conn, [figure(n, **parents) for n in range(20)])
    mine = Observation.series_key.startswith(SERIES)
    for column, key in UNKNOWN.items():
        with pytest.raises(IntegrityError) as refused:
            async with engine.begin() as conn:
                await conn.execute(update(Observation).where(mine).values({column: key}))
        assert_foreign_key_violation(refused.value, backend, column, key)
    # Flags and dates change without touching references (what reviews and
    # refresh_current do); a reference may move to another existing parent.
    async with engine.begin() as conn:
        await conn.execute(update(Observation).where(mine).values(is_current=False, updated_at=NOW))
        await conn.execute(update(Observation).where(mine).values(province_code="83"))
        await conn.execute(update(Observation).where(mine).values(source_id=None))
    async with engine.connect() as conn:
        assert set(await conn.scalars(select(Observation.province_code).where(mine))) == {"83"}


async def test_a_referenced_parent_can_be_neither_deleted_nor_re_keyed(engine, backend):
    parents = await new_parents(engine)
    async with engine.begin() as conn:
        await copied(conn, [figure(n, **parents) for n in range(20)])
    for column, (model, key, other_key, change) in PARENTS.items():
        this = key == parents[column]
        for statement in (
            delete(model).where(this),
            update(model).where(this).values({key: other_key}),
        ):
            with pytest.raises(IntegrityError) as refused:
                async with engine.begin() as conn:
                    await conn.execute(statement)
            assert_foreign_key_violation(
                refused.value, backend, column, parents[column], parent_side=True
            )
        async with engine.begin() as conn:  # a change that keeps the key
            await conn.execute(update(model).where(this).values(change))

    async with engine.begin() as conn:
        await conn.execute(delete(Observation).where(Observation.series_key.startswith(SERIES)))
        for column, (model, key, _, _) in PARENTS.items():
            await conn.execute(delete(model).where(key == parents[column]))


async def test_truncating_a_referenced_parent_is_refused(engine, backend):
    """TRUNCATE fires no DELETE trigger: its own trigger refuses, even with CASCADE, which
    reached observations through the foreign keys and no longer does."""
    if backend == "sqlite":
        pytest.skip("SQLite has no TRUNCATE")
    parents = await new_parents(engine)
    async with engine.begin() as conn:
        await copied(conn, [figure(1, **parents)])
    for column, (model, _, _, _) in PARENTS.items():
        with pytest.raises(IntegrityError) as refused:
            async with engine.begin() as conn:
                await conn.execute(text(f"TRUNCATE {model.__tablename__} CASCADE"))
        driver = driver_error(refused.value)
        assert getattr(driver, "constraint_name", None) == (
            f"fk_observations_{column}_{model.__tablename__}"
        )
    async with engine.connect() as conn:
        await conn.execute(text("TRUNCATE provinces, indicators, observations CASCADE"))
        await conn.rollback()


async def wait_for_lock(engine: AsyncEngine, pid: int) -> None:
    """Return once backend ``pid`` waits for a lock (each read in its own transaction)."""
    async with reader(engine).connect() as watcher:
        for _ in range(1000):
            waiting = await watcher.scalar(
                text("SELECT wait_event_type FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}
            )
            if waiting == "Lock":
                return
            await asyncio.sleep(0.01)
    raise AssertionError(f"backend {pid} never waited for a lock")


async def backend_pid(conn: AsyncConnection) -> int:
    return int(await conn.scalar(text("SELECT pg_backend_pid()")) or 0)


async def test_a_figure_waits_for_a_concurrent_delete_of_its_province_and_fails(engine, backend):
    if backend == "sqlite":
        pytest.skip("SQLite has one writer at a time")
    parents = await new_parents(engine)
    async with engine.connect() as deleting, engine.connect() as writing:
        await deleting.execute(delete(Province).where(Province.code == "T1"))  # not committed
        pid = await backend_pid(writing)
        write = asyncio.create_task(copied(writing, [figure(1, **parents)]))
        await wait_for_lock(engine, pid)
        assert not write.done()
        await deleting.commit()
        with pytest.raises(IntegrityError) as refused:
            await write
    assert_foreign_key_violation(refused.value, backend, "province_code", "T1")
    assert await stored(engine) == 0


@pytest.mark.parametrize(("ending", "deleted"), [("commit", False), ("rollback", True)])
async def test_a_delete_waits_for_a_concurrent_figure_of_its_province(
    engine, backend, ending, deleted
):
    """The figure holds its province until it commits (the delete then fails) or rolls
    back (the delete then succeeds)."""
    if backend == "sqlite":
        pytest.skip("SQLite has one writer at a time")
    parents = await new_parents(engine)
    async with engine.connect() as writing, engine.connect() as deleting:
        await copied(writing, [figure(1, **parents)])  # not committed
        pid = await backend_pid(deleting)
        gone = asyncio.create_task(deleting.execute(delete(Province).where(Province.code == "T1")))
        await wait_for_lock(engine, pid)
        assert not gone.done()
        await getattr(writing, ending)()
        if deleted:
            assert (await gone).rowcount == 1
            await deleting.commit()
        else:
            with pytest.raises(IntegrityError) as refused:
                await gone
            assert_foreign_key_violation(
                refused.value, backend, "province_code", "T1", parent_side=True
            )
    async with engine.connect() as conn:
        found = await conn.scalar(select(func.count()).where(Province.code == "T1"))
    assert found == (0 if deleted else 1)
    assert await stored(engine) == (0 if deleted else 1)


async def test_a_parent_loses_keys_only_under_read_committed(engine, backend):
    """Outside READ COMMITTED the triggers could miss a figure committed while the delete
    waited for it, so a delete or re-keying of a parent is refused there (0A000)."""
    if backend == "sqlite":
        pytest.skip("SQLite's foreign keys need no snapshot")
    parents = await new_parents(engine)
    repeatable = engine.execution_options(isolation_level="REPEATABLE READ")
    for column, (model, key, other_key, change) in PARENTS.items():
        this = key == parents[column]
        for statement in (
            delete(model).where(this),
            update(model).where(this).values({key: other_key}),
        ):
            with pytest.raises(DBAPIError) as refused:
                async with repeatable.begin() as conn:
                    await conn.execute(statement)
            assert getattr(driver_error(refused.value), "sqlstate", None) == "0A000"
        async with repeatable.begin() as conn:  # a change that keeps the key
            await conn.execute(update(model).where(this).values(change))
    async with engine.begin() as conn:
        for column, (model, key, _, _) in PARENTS.items():
            await conn.execute(delete(model).where(key == parents[column]))
