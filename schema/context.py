"""What every resolver receives: the engine, the settings and this request's loaders."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import strawberry
from graphql import ExecutionResult
from opentelemetry.trace import Span
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from hub.auth import Principal, pending_provinces_for
from hub.indicators import IndicatorRecord, pick_indicators
from hub.observations import Visibility
from hub.reference import Reference, ReferenceCache, RequestReference
from hub.settings import Settings
from loaders import Loaders


@dataclass
class HubContext:
    engine: AsyncEngine
    """For writes: transactions, all or nothing."""
    settings: Settings
    loaders: Loaders
    reader: AsyncEngine | None = None
    """For reads: the same pool in autocommit mode (``hub.db.reader``)."""
    principal: Principal | None = None
    request: Request | WebSocket | None = None
    response: Response | WebSocket | None = None
    reference: RequestReference | None = None
    """Provinces and indicators as of this request's data version (``hub.reference``)."""
    precomputed: ExecutionResult | None = None
    """A compiled document's result for strawberry to finish (``schema.compiled_operations``)."""
    operation_span: Span | None = None
    """The operation's span when a compiled document opened it (``schema.tracing``)."""

    @property
    def visibility(self) -> Visibility:
        return Visibility(pending_provinces=pending_provinces_for(self.principal))


Info = strawberry.Info[HubContext, None]


def read_engine(context: HubContext) -> AsyncEngine:
    return context.reader or context.engine


def request_reference(context: HubContext) -> RequestReference:
    """The request's view of the reference data (``hub.reference``)."""
    if context.reference is None:
        context.reference = RequestReference(ReferenceCache(), read_engine(context))
    return context.reference


async def reference_of(context: HubContext) -> Reference:
    """The request's provinces and indicators (``hub.reference``)."""
    return await request_reference(context)()


async def indicators_by_code(
    context: HubContext, codes: Sequence[str], field: tuple[str, ...]
) -> list[IndicatorRecord]:
    """The indicators with these codes, in the given order; unknown codes raise."""
    return pick_indicators((await reference_of(context)).indicators, codes, field)
