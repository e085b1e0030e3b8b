"""HTTP-level bounds: request body size, and a request rate per caller.

The rate limit is a token bucket per caller (the hash of its Authorization header, or
its address when anonymous), kept in this process's memory: with several instances
behind a load balancer each enforces its own share, so the fleet's limit is the
per-instance limit times the number of instances.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections import OrderedDict
from dataclasses import dataclass

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub.identifiers import ascii_int

MAX_CALLERS = 100_000


def _refusal(
    message: str, code: str, status: int, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        {"errors": [{"message": message, "extensions": {"code": code}}]},
        status_code=status,
        headers=headers,
    )


class BodySizeLimit:
    """413 for a body larger than ``max_bytes``, whether announced or streamed."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        size = None if declared is None else ascii_int(declared)
        if size is not None and size > self.max_bytes:
            await self._too_large()(scope, receive, send)
            return
        received = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _BodyTooLarge
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except _BodyTooLarge:
            if not started:
                await self._too_large()(scope, receive, send)

    def _too_large(self) -> JSONResponse:
        return _refusal(
            f"The request body is larger than {self.max_bytes} bytes", "PAYLOAD_TOO_LARGE", 413
        )


class _BodyTooLarge(Exception):
    pass


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimit:
    """429 with Retry-After once a caller exceeds ``per_minute`` requests (0: off)."""

    def __init__(self, app: ASGIApp, *, per_minute: int) -> None:
        self.app = app
        self.per_minute = per_minute
        self.buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def _caller(self, scope: Scope) -> str:
        authorization = Headers(scope=scope).get("authorization")
        if authorization:
            return "t:" + hashlib.sha256(authorization.encode()).hexdigest()
        client = scope.get("client")
        return "a:" + (client[0] if client else "unknown")

    def allow(self, caller: str, now: float) -> float:
        """0 when allowed, else the seconds until the next request would be."""
        rate = self.per_minute / 60.0
        bucket = self.buckets.get(caller) or _Bucket(tokens=float(self.per_minute), updated=now)
        bucket.tokens = min(float(self.per_minute), bucket.tokens + (now - bucket.updated) * rate)
        bucket.updated = now
        self.buckets[caller] = bucket
        self.buckets.move_to_end(caller)
        while len(self.buckets) > MAX_CALLERS:
            self.buckets.popitem(last=False)
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / rate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.per_minute == 0:
            await self.app(scope, receive, send)
            return
        wait = self.allow(self._caller(scope), time.monotonic())
        if wait > 0:
            refusal = _refusal(
                f"Too many requests: at most {self.per_minute} a minute",
                "RATE_LIMITED",
                429,
                {"Retry-After": str(math.ceil(wait))},
            )
            await refusal(scope, receive, send)
            return
        await self.app(scope, receive, send)
