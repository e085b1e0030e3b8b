"""Hot reads run by the driver itself (asyncpg), on a connection of SQLAlchemy's pool.

Every request reads the data version, and a national ranking its rows. Through
SQLAlchemy's execution layer (compiled-cache lookup, parameter processing, result
rows, a transaction object even in autocommit) such reads cost about a fifth of the
request's Python time, measured with py-spy under wrk. Here such a statement is
compiled once to PostgreSQL's positional SQL and run by asyncpg on a connection leased
from the pool, which prepares it once per connection.

What stays SQLAlchemy's: the pool and its limits, the connection settings (statement
timeout, application name), the engine's statement events (the statement counter of
the tests, a span per statement) and the errors callers see: a driver error is raised
as a ``DBAPIError`` carrying it, so ``hub.db_errors`` and the retries read it as before,
and a connection found broken is invalidated, so the pool replaces it. On SQLite the
statement runs through SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import asyncpg
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql import Select
from sqlalchemy.util import greenlet_spawn

from hub import kept_connections
from hub.telemetry import end_statement_span

# SQLSTATE classes that mean the connection itself is gone (connection exceptions,
# administrator shutdown).
_BROKEN_STATES = ("08", "57P")


class DriverStatement:
    """A SELECT whose PostgreSQL text and arguments are worked out once, on first use.

    Only for statements whose bound values need no conversion by SQLAlchemy (text,
    numbers, dates): compiling one that does raises ``TypeError``.
    """

    __slots__ = ("_postgresql", "postgresql_statement", "statement")

    def __init__(
        self, statement: Select[Any], postgresql_statement: Select[Any] | None = None
    ) -> None:
        self.statement = statement
        """What SQLite runs (through SQLAlchemy), and PostgreSQL unless told otherwise."""
        self.postgresql_statement = postgresql_statement
        """The same question in PostgreSQL's own terms, where they answer it cheaper."""
        self._postgresql: tuple[str, tuple[Any, ...]] | None = None

    def postgresql(self, engine: AsyncEngine) -> tuple[str, tuple[Any, ...]]:
        if self._postgresql is None:
            dialect = engine.dialect
            statement = (
                self.statement if self.postgresql_statement is None else self.postgresql_statement
            )
            compiled = statement.compile(
                dialect=dialect, compile_kwargs={"render_postcompile": True}
            )
            values = compiled.construct_params()
            names = compiled.positiontup or ()
            # The statement's own parameters: an expanded IN list renders under new
            # names, each one a value of one of these.
            for name, bind in compiled.binds.items():
                if bind.type._cached_bind_processor(dialect) is not None:
                    raise TypeError(f"parameter {name} needs SQLAlchemy's conversion")
            self._postgresql = (str(compiled), tuple(values[name] for name in names))
        return self._postgresql


async def fetch_rows(engine: AsyncEngine, statement: DriverStatement) -> Sequence[Sequence[Any]]:
    """Every row of ``statement``, as tuples by position."""
    if engine.dialect.name != "postgresql":
        async with engine.connect() as conn:
            return (await conn.execute(statement.statement)).tuples().all()
    sql, args = statement.postgresql(engine)
    rows: Sequence[Sequence[Any]] = await _run(engine, sql, args, "fetch")
    return rows


async def fetch_value(
    engine: AsyncEngine, sql: str, *, before_send: Callable[[], None] | None = None
) -> Any:
    """The first column of the first row of ``sql``, plain SQL without parameters.

    ``before_send`` is called once a connection is in hand, right before the statement
    leaves for the database: what the database answers is at least as new as that moment
    (``hub.data_version`` coalesces reads on it)."""
    if engine.dialect.name != "postgresql":
        async with engine.connect() as conn:
            if before_send is not None:
                before_send()
            return (await conn.exec_driver_sql(sql)).scalar_one()
    return await _run(engine, sql, (), "fetchval", before_send)


async def fetch_on(
    conn: AsyncConnection,
    sql: str,
    *args: Any,
    before_send: Callable[[], None] | None = None,
) -> list[Any]:
    """Every row of PostgreSQL's ``sql`` (``$1``, ``$2``... bound to ``args``), run by
    asyncpg on ``conn``, inside whatever transaction it is in. ``before_send``: see
    ``fetch_value``."""
    rows: list[Any] = await _run_on(conn, sql, args, "fetch", before_send)
    return rows


async def fetch_value_on(conn: AsyncConnection, sql: str, *args: Any) -> Any:
    """The first column of the first row of ``sql``, as ``fetch_on`` runs it."""
    return await _run_on(conn, sql, args, "fetchval")


async def _run_on(
    conn: AsyncConnection,
    sql: str,
    args: tuple[Any, ...],
    method: str,
    before_send: Callable[[], None] | None = None,
) -> Any:
    """Run one statement on the connection ``conn`` holds, with its events."""
    sync = conn.sync_connection
    assert sync is not None
    # The connection is at hand unless invalidated: no need for SQLAlchemy's greenlet
    # hop (``get_raw_connection``), which is only needed to reconnect.
    raw = await conn.get_raw_connection() if sync.invalidated else sync.connection
    return await _execute(
        sync.dispatch, sync, raw.driver_connection, sql, args, method, before_send, conn.invalidate
    )


async def _run(
    engine: AsyncEngine,
    sql: str,
    args: tuple[Any, ...],
    method: str,
    before_send: Callable[[], None] | None = None,
) -> Any:
    """Run one statement on a connection leased from the engine's pool.

    The lease (``hub.kept_connections``) is a connection the driver kept from an
    earlier read, or the pool's own checkout; either way without a ``Connection``
    around it: no isolation level set and reset, no transaction object; asyncpg runs
    the statement outside any transaction, which is autocommit. The engine's statement
    events fire as they would for a ``Connection``, with the pooled connection standing
    in for it: the hub's listeners (the statement counter, the statement spans) read
    only the statement and the connection's ``info``.
    """
    sync_engine = engine.sync_engine
    try:
        lent = await kept_connections.lease(sync_engine)
    except Exception as error:  # no connection to be had: raised as SQLAlchemy would
        raise as_dbapi_error(error, sql, args) from error
    pooled = lent.connection

    async def invalidate(error: BaseException) -> None:
        await greenlet_spawn(pooled.invalidate, error)

    try:
        return await _execute(
            sync_engine.dispatch,
            pooled,
            pooled.driver_connection,
            sql,
            args,
            method,
            before_send,
            invalidate,
        )
    finally:
        await kept_connections.give_back(sync_engine, lent)


async def _execute(
    dispatch: Any,
    connection: Any,
    driver: Any,
    sql: str,
    args: tuple[Any, ...],
    method: str,
    before_send: Callable[[], None] | None,
    invalidate: Callable[[BaseException], Awaitable[None]],
) -> Any:
    """The statement run by asyncpg between the engine's statement events; a driver
    error raised as SQLAlchemy's, the connection invalidated when it broke."""
    dispatch.before_cursor_execute(connection, None, sql, args, None, False)
    if before_send is not None:
        before_send()
    try:
        result = await getattr(driver, method)(sql, *args)
    except Exception as error:
        end_statement_span(connection.info, failed=True)
        wrapped = as_dbapi_error(error, sql, args)
        if isinstance(wrapped, DBAPIError) and wrapped.connection_invalidated:
            await invalidate(error)
        raise wrapped from error
    dispatch.after_cursor_execute(connection, None, sql, args, None, False)
    return result


def as_dbapi_error(
    error: Exception, statement: str, params: Sequence[Any] | None = None
) -> Exception:
    """The driver's error as SQLAlchemy would raise it, so that ``hub.db_errors`` and the
    retries recognise it: an ``IntegrityError`` for a violated constraint, an
    ``InterfaceError`` marked invalidated for a connection that broke."""
    state = getattr(error, "sqlstate", None)
    if isinstance(state, str):
        if state.startswith("23"):
            return IntegrityError(statement, params, error)
        return DBAPIError(
            statement, params, error, connection_invalidated=state.startswith(_BROKEN_STATES)
        )
    if isinstance(
        error,
        asyncpg.InterfaceError
        | asyncpg.InternalClientError  # the protocol lost its state: the server went away
        | ConnectionError
        | OSError
        | TimeoutError,
    ):
        return InterfaceError(statement, params, error, connection_invalidated=True)
    return error
