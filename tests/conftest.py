"""Every test that takes ``engine`` or ``client`` runs twice: on SQLite and on PostgreSQL.

PostgreSQL is a real server: ``HUB_TEST_POSTGRES_URL`` when given, otherwise a private
cluster this setup starts (and removes). If it cannot be had the run fails; only
``HUB_TEST_SKIP_POSTGRES=1``, set on purpose, runs SQLite alone.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from sqlalchemy.ext.asyncio import AsyncEngine

from hub import telemetry
from hub.app import create_app
from hub.db import create_engine
from hub.settings import Settings
from tests.support.databases import (
    build_postgres_template,
    build_sqlite_template,
    clone_postgres,
    clone_sqlite,
)
from tests.support.postgres import PostgresUnavailable, start_private_postgres

BACKENDS = ["sqlite", "postgresql"]
_postgres_report: dict[str, Any] = {"passed": 0, "failed": 0, "where": None}


@dataclass
class PostgresServer:
    url: str
    description: str


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    given = os.environ.get("HUB_TEST_POSTGRES_URL")
    if given:
        url = given.replace("postgresql://", "postgresql+asyncpg://", 1)
        _postgres_report["where"] = "the server at HUB_TEST_POSTGRES_URL"
        yield PostgresServer(url, _postgres_report["where"])
        return
    try:
        server = start_private_postgres()
    except PostgresUnavailable as error:
        pytest.fail(f"PostgreSQL is required for the test suite: {error}", pytrace=False)
    _postgres_report["where"] = f"a private cluster ({server.version}) on 127.0.0.1:{server.port}"
    try:
        yield PostgresServer(server.url, _postgres_report["where"])
    finally:
        server.stop()


@pytest.fixture(scope="session")
def sqlite_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("sqlite")


@pytest.fixture(scope="session")
def templates(request: pytest.FixtureRequest, sqlite_folder: Path) -> dict[str, Any]:
    """Built lazily: a backend's template is made the first time a test asks for it."""
    return {}


def _template(
    backend: str,
    request: pytest.FixtureRequest,
    cache: dict[str, Any],
    folder: Path,
    with_fixtures: bool,
) -> Any:
    key = f"{backend}:{with_fixtures}"
    if key not in cache:
        if backend == "sqlite":
            cache[key] = build_sqlite_template(folder, with_fixtures=with_fixtures)
        else:
            server: PostgresServer = request.getfixturevalue("postgres_server")
            cache[key] = build_postgres_template(server.url, with_fixtures=with_fixtures)
    return cache[key]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgresql" and os.environ.get("HUB_TEST_SKIP_POSTGRES") == "1":
        pytest.skip("HUB_TEST_SKIP_POSTGRES=1")
    return str(request.param)


def _clone(
    backend: str,
    request: pytest.FixtureRequest,
    templates: dict[str, Any],
    folder: Path,
    with_fixtures: bool,
) -> str:
    template = _template(backend, request, templates, folder, with_fixtures)
    return clone_sqlite(template, folder) if backend == "sqlite" else clone_postgres(template)


@pytest.fixture
def database_url(
    backend: str, request: pytest.FixtureRequest, templates: dict[str, Any], sqlite_folder: Path
) -> str:
    """A private copy of a migrated database with every fixture loaded."""
    return _clone(backend, request, templates, sqlite_folder, with_fixtures=True)


@pytest.fixture
def empty_database_url(
    backend: str, request: pytest.FixtureRequest, templates: dict[str, Any], sqlite_folder: Path
) -> str:
    """A private copy of a migrated database with nothing loaded."""
    return _clone(backend, request, templates, sqlite_folder, with_fixtures=False)


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url)


@pytest.fixture
async def client(engine: AsyncEngine, settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, engine=engine)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as http:
        yield http


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call" and "[postgresql" in report.nodeid:
        _postgres_report["passed" if report.passed else "failed"] += int(
            report.passed or report.failed
        )


def pytest_terminal_summary(terminalreporter: Any) -> None:
    where = _postgres_report["where"]
    if where is None:
        terminalreporter.write_line("PostgreSQL: no test ran against PostgreSQL.")
        return
    terminalreporter.write_line(
        f"PostgreSQL: {_postgres_report['passed']} passed, {_postgres_report['failed']} failed "
        f"against {where}."
    )


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    """Spans recorded in memory, one at a time, for the test to read; tracing off after."""
    exporter = InMemorySpanExporter()
    telemetry.configure(exporter, batch=False)
    yield exporter
    telemetry.configure(None)
