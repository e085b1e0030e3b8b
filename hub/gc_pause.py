"""Automatic garbage collection paused while a request with a large body is served.

A 10,000-figure submission parses, coerces and validates into about a million container
objects, all alive until the answer is sent. CPython's collector is driven by
allocations, not by garbage: every 700 new containers it collects the youngest
generation, and whenever the survivors have grown by a quarter it runs a full
collection, which walks every live object the request made (the startup heap is frozen
by ``hub serve``, see ``hub.cli``, but the request's own objects are not). For such a
request that was 150-200 ms of a ~850 ms answer spent walking objects that are not
garbage. Reference counting frees everything outside a cycle as usual while the
collector waits, and a request's objects hold almost no cycles: the counts carried over
make the first collection after the pause pick up whatever cycles were left.

The switch is process-wide, so concurrent requests share the pause: a counter of the
pauses in force, and the collector turned back on when the last one ends, only if it was
on when the first began (a caller that had turned it off keeps it off). The hub serves
from one event loop thread, so the counter needs no lock. Large requests that keep
overlapping would keep the collector off for good, while each leaves cyclic garbage
behind (graphql-core's execution context refers to itself, and holds the coerced
batch): so a pause ending when the collector has been off for ``MAX_PAUSE`` seconds
collects the young generations itself, once, and the clock starts again.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from contextlib import contextmanager

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from hub.identifiers import ascii_int

LARGE_BODY = 256 * 1024
"""A body at least this large pauses collection: ~1,000 figures and up. Smaller
requests allocate too little for a full collection to matter."""

MAX_PAUSE = 2.0
"""Seconds the collector may stay off under overlapping pauses before one collects."""

_pauses = 0
_resume = False
_since = 0.0


@contextmanager
def collection_paused() -> Iterator[None]:
    """No automatic collection inside the block (nor in concurrent ones) until the
    last such block ends, however it ends; but the young generations collected once
    every ``MAX_PAUSE`` seconds while pauses keep overlapping."""
    global _pauses, _resume, _since
    if _pauses == 0:
        _resume = gc.isenabled()
        _since = time.monotonic()
        gc.disable()
    _pauses += 1
    try:
        yield
    finally:
        _pauses -= 1
        if _resume:
            if _pauses == 0:
                gc.enable()
            elif time.monotonic() - _since > MAX_PAUSE:
                gc.collect(1)  # what the pauses allocated is all in the young generations
                _since = time.monotonic()


class PauseCollectionForLargeBodies:
    """ASGI middleware: a request announcing a body of ``min_bytes`` or more is served,
    from parsing to the last byte of its answer, with collection paused."""

    def __init__(self, app: ASGIApp, *, min_bytes: int = LARGE_BODY) -> None:
        self.app = app
        self.min_bytes = min_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            declared = Headers(scope=scope).get("content-length")
            size = None if declared is None else ascii_int(declared)
            if size is not None and size >= self.min_bytes:
                with collection_paused():
                    await self.app(scope, receive, send)
                return
        await self.app(scope, receive, send)
