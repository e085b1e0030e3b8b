"""The Starlette application: GraphQL (with GraphiQL) at /graphql, and health checks."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from hub.authentication import AuthenticationMiddleware
from hub.db import create_engine, reader
from hub.export import export_observations
from hub.failure_responses import unexpected_failure
from hub.gc_pause import PauseCollectionForLargeBodies
from hub.graphql_view import HubGraphQL
from hub.http_limits import BodySizeLimit, RateLimit
from hub.migrate import current_revision, head_revision
from hub.request_telemetry import RequestTelemetry, metrics
from hub.result_cache import CachedGraphQL, ResultCache
from hub.settings import Settings
from hub.telemetry import instrument_engine


def create_app(settings: Settings | None = None, engine: AsyncEngine | None = None) -> Starlette:
    """The hub as an ASGI app. An engine passed in is the caller's to dispose of."""
    settings = settings or Settings.from_env()
    owns_engine = engine is None
    engine = engine or create_engine(
        settings.database_url, statement_timeout_ms=settings.statement_timeout_ms
    )
    instrument_engine(engine)
    reads = reader(engine)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        if owns_engine:
            await engine.dispose()

    async def export_csv(request: Request) -> Response:
        return await export_observations(
            request, engine
        )  # a server-side cursor needs a transaction

    async def healthz(_request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(_request: Request) -> Response:
        try:
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            revision = await current_revision(engine)
        except Exception:
            return JSONResponse({"ready": False, "database": "unreachable"}, status_code=503)
        head = head_revision()
        if revision != head:
            return JSONResponse(
                {"ready": False, "database": "reachable", "migrations": "behind"}, status_code=503
            )
        return JSONResponse({"ready": True, "database": "reachable", "migrations": "current"})

    graphql = HubGraphQL(engine=engine, settings=settings)
    cache = ResultCache(max_entries=settings.result_cache_size)
    app = Starlette(
        routes=[
            Route(
                "/graphql",
                CachedGraphQL(graphql, engine=reads, cache=cache),
                methods=["GET", "POST"],
            ),
            Route("/export/observations.csv", export_csv, methods=["GET"]),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/metrics", metrics, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
        ],
        lifespan=lifespan,
        exception_handlers={Exception: unexpected_failure},
        middleware=[
            Middleware(RequestTelemetry),
            Middleware(BodySizeLimit, max_bytes=settings.max_body_bytes),
            Middleware(PauseCollectionForLargeBodies),
            Middleware(RateLimit, per_minute=settings.rate_limit_per_minute),
            Middleware(AuthenticationMiddleware, engine=reads),
        ],
    )
    app.state.engine = engine
    app.state.result_cache = cache
    app.state.settings = settings
    return app
