"""JSON in and out of the HTTP layer, through orjson.

Encoding a 1,000-row page with the standard library takes longer than the query that
read it. orjson writes the same JSON (compact, UTF-8 instead of ``\\u`` escapes).
Reading falls back to the standard library on what orjson refuses but is still JSON
(integers beyond 64 bits), so that such a body gets the GraphQL error it deserves
rather than "not JSON".
"""

from __future__ import annotations

import contextvars
import json
from typing import Any

import orjson

DecodeError = json.JSONDecodeError
"""What ``loads`` raises on text that is not JSON (orjson's error is a subclass)."""


def dumps(value: Any) -> bytes:
    return orjson.dumps(value)


def loads(data: str | bytes) -> Any:
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return json.loads(data)


_LAST_BODY: contextvars.ContextVar[tuple[bytes, Any] | None] = contextvars.ContextVar(
    "last_body", default=None
)


def loads_body(raw: bytes) -> Any:
    """A request body parsed, once per request: the result cache, the view and
    strawberry each read it, and a 10,000-figure submission is megabytes. Remembered in
    the request's context, and only handed back for the same bytes. Callers read it,
    never change it."""
    seen = _LAST_BODY.get()
    if seen is not None and (seen[0] is raw or seen[0] == raw):
        return seen[1]
    parsed = loads(raw)
    _LAST_BODY.set((raw, parsed))
    return parsed
