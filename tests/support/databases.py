"""Template databases (migrated, fixtures loaded) and cheap per-test copies of them."""

from __future__ import annotations

import asyncio
import shutil
import uuid
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from hub.db import create_engine
from hub.fixtures.load import load_fixtures
from hub.migrate import upgrade
from hub.settings import FIXTURES_DIR

TEMPLATE_NAME = "hub_template"


def _asyncpg_dsn(url: str, database: str | None = None) -> str:
    parsed = make_url(url)
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


async def _load(url: str) -> None:
    engine = create_engine(url)
    try:
        await load_fixtures(engine, FIXTURES_DIR)
    finally:
        await engine.dispose()


async def _pg_execute(url: str, *statements: str) -> None:
    conn = await asyncpg.connect(_asyncpg_dsn(url))
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


def build_postgres_template(server_url: str, *, with_fixtures: bool = True) -> str:
    """Create ``hub_template`` on the server: migrated and (by default) loaded."""
    name = TEMPLATE_NAME if with_fixtures else TEMPLATE_NAME + "_empty"
    asyncio.run(
        _pg_execute(server_url, f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"')
    )
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    if with_fixtures:
        asyncio.run(_load(url))
    return url


def clone_postgres(template_url: str) -> str:
    """A fresh database copied from the template; returns its URL."""
    template = make_url(template_url).database
    name = f"hub_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(
        _pg_execute(
            template_url.replace(f"/{template}", "/postgres"),
            f'CREATE DATABASE "{name}" TEMPLATE "{template}"',
        )
    )
    return make_url(template_url).set(database=name).render_as_string(hide_password=False)


def build_sqlite_template(folder: Path, *, with_fixtures: bool = True) -> Path:
    path = folder / ("template.sqlite3" if with_fixtures else "template-empty.sqlite3")
    url = f"sqlite+aiosqlite:///{path}"
    upgrade(url)
    if with_fixtures:
        asyncio.run(_load(url))
    return path


def clone_sqlite(template: Path, folder: Path) -> str:
    copy = folder / f"test-{uuid.uuid4().hex[:12]}.sqlite3"
    shutil.copyfile(template, copy)
    return f"sqlite+aiosqlite:///{copy}"
