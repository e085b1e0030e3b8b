"""What every resolver receives: the engine, the settings and this request's loaders."""

from __future__ import annotations

from dataclasses import dataclass

import strawberry
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from hub.auth import Principal, pending_provinces_for
from hub.observations import Visibility
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

    @property
    def visibility(self) -> Visibility:
        return Visibility(pending_provinces=pending_provinces_for(self.principal))


Info = strawberry.Info[HubContext, None]


def read_engine(context: HubContext) -> AsyncEngine:
    return context.reader or context.engine
