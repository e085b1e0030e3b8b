"""ASGI middleware: turn ``Authorization: Bearer <token>`` into the request's principal.

No header: an anonymous caller. A header with an unknown, malformed, revoked or
expired token: 401 with one and the same answer, before any GraphQL runs, so a
caller can never tell which it was. The token itself is never logged.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from hub.auth import AuthenticationError, authenticate, bearer_token
from hub.db_errors import DatabaseFailure, classify
from hub.failure_responses import unavailable


class AuthenticationMiddleware:
    def __init__(self, app: ASGIApp, *, engine: AsyncEngine) -> None:
        self.app = app
        self.engine = engine

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in {"http", "websocket"}:
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        state["principal"] = None
        token = bearer_token(Headers(scope=scope).get("authorization"))
        if token is not None:
            try:
                state["principal"] = await authenticate(engine=self.engine, token=token)
            except Exception as error:
                if not isinstance(error, AuthenticationError):
                    if classify(error) is DatabaseFailure.UNAVAILABLE:
                        await unavailable()(scope, receive, send)
                        return
                    raise
                response = JSONResponse(
                    {"errors": [{"message": error.message, "extensions": {"code": error.code}}]},
                    status_code=401,
                    headers={"WWW-Authenticate": 'Bearer realm="hub"'},
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
