"""The async engine, and a counter of SQL statements that tests use to pin round trips."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine


def create_engine(database_url: str, *, statement_timeout_ms: int = 0) -> AsyncEngine:
    """An engine for the URL; SQLite gets foreign keys on and its folder created.

    On PostgreSQL, connecting gives up after 5 s and the pool hands out a connection
    within 5 s or fails (a down database answers fast instead of piling requests up),
    and ``statement_timeout_ms`` (0: none) bounds every statement on the server.
    SQLite has no statement timeout.
    """
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    server_settings = {"application_name": "reporting-hub"}
    if statement_timeout_ms:
        server_settings["statement_timeout"] = str(statement_timeout_ms)
    return create_async_engine(
        url,
        # No ping before each checkout: it doubles the round trips of a read. A broken
        # connection is still noticed when used, and the pool then reconnects.
        pool_pre_ping=False,
        pool_size=10,
        max_overflow=10,
        pool_timeout=5,
        connect_args={"timeout": 5, "server_settings": server_settings},
    )


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def is_sqlite(engine: AsyncEngine) -> bool:
    return engine.dialect.name == "sqlite"


@dataclass
class StatementCounter:
    """Counts the SQL statements an engine sends, with their text, while active."""

    statements: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.statements)

    def _record(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.statements.append(statement)


@contextmanager
def count_statements(engine: AsyncEngine) -> Iterator[StatementCounter]:
    """Count every statement sent through ``engine`` inside the ``with`` block."""
    counter = StatementCounter()
    event.listen(engine.sync_engine, "before_cursor_execute", counter._record)
    try:
        yield counter
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", counter._record)


def reader(engine: AsyncEngine) -> AsyncEngine:
    """The same pool in autocommit mode, for reads: no BEGIN and ROLLBACK around each
    statement. Under READ COMMITTED every statement takes its own snapshot anyway, so a
    read loses nothing; writes keep using ``engine.begin()`` on the engine itself."""
    return engine.execution_options(isolation_level="AUTOCOMMIT")
