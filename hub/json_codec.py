"""JSON in and out of the HTTP layer, through orjson.

Encoding a 1,000-row page with the standard library takes longer than the query that
read it. orjson writes the same JSON (compact, UTF-8 instead of ``\\u`` escapes).
Reading falls back to the standard library on what orjson refuses but is still JSON
(integers beyond 64 bits), so that such a body gets the GraphQL error it deserves
rather than "not JSON".
"""

from __future__ import annotations

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
