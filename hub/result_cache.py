"""A cache of whole GraphQL answers, in front of the GraphQL endpoint.

An entry is keyed by the query text, operation name, variables, what the caller may
see (anonymous, one province's token, the ministry) and the Accept header, and it is
stamped with the data version it was computed under (``hub.data_version``). Every
request reads the current version (one small statement) and is served from the cache
only when the entry's version is current, so a warm cache never serves stale data.
Only queries are cached, only successful answers, and only up to a size; mutations,
subscriptions, errors and anything unparsable pass straight through.

The cache is per process: several instances behind a load balancer each keep their
own, and all of them follow the one version in the database.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub import data_version, json_codec
from hub.auth import Principal
from hub.db_errors import classify
from hub.operations import operation_type

MAX_BODY = 1 << 20  # requests larger than this are not looked up
MAX_ENTRY = 2 << 20  # answers larger than this are not kept


@dataclass(frozen=True, slots=True)
class CachedAnswer:
    version: int
    status: int
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes


@dataclass
class ResultCache:
    """A bounded LRU of answers; ``max_entries`` 0 turns caching off."""

    max_entries: int
    entries: OrderedDict[str, CachedAnswer] = field(default_factory=OrderedDict)
    hits: int = 0
    misses: int = 0

    def get(self, key: str, version: int) -> CachedAnswer | None:
        found = self.entries.get(key)
        if found is None or found.version != version:
            self.misses += 1
            return None
        self.entries.move_to_end(key)
        self.hits += 1
        return found

    def put(self, key: str, answer: CachedAnswer) -> None:
        self.entries[key] = answer
        self.entries.move_to_end(key)
        while len(self.entries) > self.max_entries:
            self.entries.popitem(last=False)


def _visibility_key(principal: Principal | None) -> str:
    if principal is None:
        return "public"
    return "ministry" if principal.is_ministry else f"province:{principal.province_code}"


def _request_fields(scope: Scope, body: bytes) -> tuple[str, str | None, object] | None:
    """(query, operationName, variables) of a GraphQL request, or None if not one."""
    if scope["method"] == "GET":
        params = parse_qs(scope.get("query_string", b"").decode(), keep_blank_values=True)
        if "query" not in params:
            return None
        try:
            variables = json_codec.loads(params["variables"][0]) if "variables" in params else None
        except json_codec.DecodeError:
            return None
        name = params.get("operationName", [None])[0] or None
        return params["query"][0], name, variables
    content_type = dict(scope["headers"]).get(b"content-type", b"").split(b";")[0].strip()
    if content_type != b"application/json":
        return None  # the view refuses it; never answer it from the cache
    try:
        payload = json_codec.loads_body(body)
    except (json_codec.DecodeError, UnicodeDecodeError):
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
        return None
    name, variables = payload.get("operationName"), payload.get("variables")
    if not isinstance(name, str | None) or not isinstance(variables, dict | None):
        return None
    if not isinstance(payload.get("extensions"), dict | None):
        return None
    return payload["query"], name, variables


class CachedGraphQL:
    """ASGI wrapper: answer repeated queries from ``cache`` while the data is unchanged."""

    def __init__(self, app: ASGIApp, *, engine: AsyncEngine, cache: ResultCache) -> None:
        self.app = app
        self.engine = engine
        self.cache = cache

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or self.cache.max_entries == 0
            or scope["method"] not in {"GET", "POST"}
        ):
            await self.app(scope, receive, send)
            return
        body, replay = await _read_body(receive)
        fields = None if body is None else _request_fields(scope, body)
        if fields is None or operation_type(fields[0], fields[1]) != "query":
            await self.app(scope, replay, send)
            return
        headers = dict(scope["headers"])
        principal = scope.get("state", {}).get("principal")
        key = hashlib.sha256(
            json.dumps(
                [
                    fields[0],
                    fields[1],
                    fields[2],
                    _visibility_key(principal),
                    headers.get(b"accept", b"").decode("latin-1"),
                ],
                sort_keys=True,
                default=str,
            ).encode()
        ).hexdigest()
        try:
            version = await data_version.current(self.engine)
        except Exception as error:
            if classify(error) is None:
                raise
            await self.app(scope, replay, send)  # let GraphQL answer with its code
            return
        found = self.cache.get(key, version)
        if found is not None:
            await send(
                {
                    "type": "http.response.start",
                    "status": found.status,
                    "headers": [*found.headers, (b"x-hub-cache", b"hit")],
                }
            )
            await send({"type": "http.response.body", "body": found.body})
            return
        # The request's reference data (``hub.reference``) is read under the same version.
        scope.setdefault("state", {})["data_version"] = version
        await self._run_and_keep(scope, replay, send, key, version)

    async def _run_and_keep(
        self, scope: Scope, receive: Receive, send: Send, key: str, version: int
    ) -> None:
        start: Message | None = None
        chunks: list[bytes] = []
        size = 0

        async def capture(message: Message) -> None:
            nonlocal start, size
            if message["type"] == "http.response.start":
                start = message
                message = {**message, "headers": [*message["headers"], (b"x-hub-cache", b"miss")]}
            elif message["type"] == "http.response.body":
                chunk = message.get("body", b"")
                size += len(chunk)
                if size <= MAX_ENTRY:
                    chunks.append(chunk)
            await send(message)

        await self.app(scope, receive, capture)
        body = b"".join(chunks)
        if (
            start is not None
            and start["status"] == 200
            and size <= MAX_ENTRY
            and b'"errors"' not in body
        ):
            self.cache.put(
                key,
                CachedAnswer(
                    version=version,
                    status=200,
                    headers=tuple(tuple(h) for h in start["headers"]),
                    body=body,
                ),
            )


async def _read_body(receive: Receive) -> tuple[bytes | None, Receive]:
    """The request body (None when larger than MAX_BODY) and a receive that replays it."""
    chunks: list[bytes] = []
    size = 0
    more = True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        size += len(chunks[-1])
        more = message.get("more_body", False)
        if size > MAX_BODY:
            break
    body = b"".join(chunks)
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": more}
        return await receive()

    return (None if more else body), replay
