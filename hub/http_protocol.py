"""uvicorn's HTTP protocol (httptools), with each answer's head and body sent together.

uvicorn writes the status line and headers when the app sends ``http.response.start``,
and the body when it sends ``http.response.body``: two sends for every answer, and two
wake-ups of the client, which reads the head, then waits for the body. A send to a
local socket cost ~50 µs of CPU on the machines the hub was measured on (``strace``
showed four writes per national ranking: the query, the head, the body, the log line),
as much as a tenth of what a request costs.

So the transport handed to uvicorn's protocol holds what is written during one turn of
the event loop and writes it at the end of that turn, in one call: a head and a body
sent right after it (Starlette's responses send both in the same turn) leave together.
Nothing waits longer than the turn it was written in, so a streamed answer (the CSV
export) or a ``100 Continue`` is not held back; a close or an abort still comes after
everything written before it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class _TurnBufferedTransport:
    """A transport that writes at the end of the event loop's turn, all at once."""

    __slots__ = ("_held", "_loop", "_transport")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._held: list[bytes] | None = None

    def write(self, data: bytes) -> None:
        if not data:
            return
        held = self._held
        if held is None:
            self._held = [data]
            self._loop.call_soon(self._flush)
        else:
            held.append(data)

    def writelines(self, lines: Iterable[bytes]) -> None:
        for data in lines:
            self.write(data)

    def _flush(self) -> None:
        held, self._held = self._held, None
        if not held or self._transport.is_closing():
            return
        if len(held) == 1:
            self._transport.write(held[0])
        else:
            self._transport.writelines(held)

    def close(self) -> None:
        self._flush()
        self._transport.close()

    def abort(self) -> None:
        self._held = None
        self._transport.abort()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class HubHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol over a ``_TurnBufferedTransport``."""

    def connection_made(self, transport: Any) -> None:
        buffered: Any = _TurnBufferedTransport(transport, self.loop)
        super().connection_made(buffered)
