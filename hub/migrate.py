"""Run Alembic migrations from Python, so ``hub migrate`` works from any folder."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.environment import IncludeObjectFn
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Constraint
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql.schema import SchemaItem

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the database at ``database_url`` to ``revision`` (blocking; not inside a loop)."""
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    """Take the database at ``database_url`` back to ``revision`` (blocking)."""
    command.downgrade(alembic_config(database_url), revision)


def include_object_for(dialect: Dialect) -> IncludeObjectFn:
    """Alembic's comparison filter for a database of ``dialect``.

    A constraint the models create on other databases only (``Constraint.ddl_if``: the
    references of observations are foreign keys on SQLite alone, triggers on PostgreSQL)
    is not expected in this one, so its absence is no difference. Whether it belongs is
    decided by SQLAlchemy's own rule, the one ``CREATE TABLE`` applies.
    """
    # A compiler of no statement: the rule reads only its dialect.
    compiler = dialect.ddl_compiler(dialect, None)  # type: ignore[arg-type]

    def include_object(
        item: SchemaItem,
        _name: str | None,
        _type: str,
        reflected: bool,
        _compare_to: SchemaItem | None,
    ) -> bool:
        if reflected or not isinstance(item, Constraint):
            return True
        return item._should_create_for_compiler(compiler)

    return include_object


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


async def current_revision(engine: AsyncEngine) -> str | None:
    """The revision the database is at, or None before the first migration."""

    def read(sync_connection: object) -> str | None:
        return MigrationContext.configure(sync_connection).get_current_revision()  # type: ignore[arg-type]

    async with engine.connect() as connection:
        return await connection.run_sync(read)
