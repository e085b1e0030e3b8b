"""The hub's HTTP protocol sends each answer's head and body together, and nothing else
changes: keep-alive, HEAD, streamed answers and closed connections behave as before."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from hub.http_protocol import HubHttpToolsProtocol, _TurnBufferedTransport


class RecordingTransport:
    """A transport that records every call made to it."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []
        self.closing = False

    def write(self, data: bytes) -> None:
        self.calls.append(("write", data))

    def writelines(self, lines: list[bytes]) -> None:
        self.calls.append(("writelines", list(lines)))

    def is_closing(self) -> bool:
        return self.closing

    def close(self) -> None:
        self.calls.append(("close", None))
        self.closing = True

    def abort(self) -> None:
        self.calls.append(("abort", None))
        self.closing = True

    def get_extra_info(self, name: str) -> str:
        return f"info:{name}"


async def _next_turn() -> None:
    await asyncio.sleep(0)
    await asyncio.sleep(0)


async def test_writes_of_one_turn_leave_in_one_call_at_its_end() -> None:
    inner = RecordingTransport()
    transport: Any = _TurnBufferedTransport(inner, asyncio.get_running_loop())  # type: ignore[arg-type]
    transport.write(b"HTTP/1.1 200 OK\r\n\r\n")
    transport.write(b"body")
    assert inner.calls == []  # held until the turn ends
    await _next_turn()
    assert inner.calls == [("writelines", [b"HTTP/1.1 200 OK\r\n\r\n", b"body"])]
    transport.write(b"alone")
    await _next_turn()
    assert inner.calls[-1] == ("write", b"alone")
    assert transport.get_extra_info("peername") == "info:peername"


async def test_a_close_sends_what_was_written_first_and_an_abort_drops_it() -> None:
    inner = RecordingTransport()
    transport: Any = _TurnBufferedTransport(inner, asyncio.get_running_loop())  # type: ignore[arg-type]
    transport.write(b"last words")
    transport.close()
    assert inner.calls == [("write", b"last words"), ("close", None)]
    await _next_turn()
    assert len(inner.calls) == 2  # nothing written after the close

    other = RecordingTransport()
    aborted: Any = _TurnBufferedTransport(other, asyncio.get_running_loop())  # type: ignore[arg-type]
    aborted.write(b"never sent")
    aborted.abort()
    await _next_turn()
    assert other.calls == [("abort", None)]


async def _stream() -> AsyncIterator[bytes]:
    for part in (b"a,b\n", b"1,2\n", b"3,4\n"):
        await asyncio.sleep(0.01)
        yield part


async def _json(_request: Request) -> Response:
    return JSONResponse({"answer": 42})


async def _csv(_request: Request) -> Response:
    return StreamingResponse(_stream(), media_type="text/csv")


async def _echo(request: Request) -> Response:
    return Response(await request.body(), media_type="application/octet-stream")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
async def served() -> AsyncIterator[str]:
    app = Starlette(
        routes=[
            Route("/json", _json, methods=["GET", "HEAD"]),
            Route("/csv", _csv),
            Route("/echo", _echo, methods=["POST"]),
        ]
    )
    port = _free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, http=HubHttpToolsProtocol, log_level="warning"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    for _ in range(200):
        if server.started:
            break
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


async def test_answers_over_a_kept_alive_connection_head_streams_and_large_bodies(
    served: str,
) -> None:
    async with httpx.AsyncClient(base_url=served) as client:
        for _ in range(3):  # one connection, several answers in turn
            answer = await client.get("/json")
            assert answer.json() == {"answer": 42}
            assert answer.headers["content-type"] == "application/json"
        head = await client.head("/json")
        assert head.status_code == 200
        assert head.content == b""
        streamed = await client.get("/csv")
        assert streamed.text == "a,b\n1,2\n3,4\n"
        large = bytes(range(256)) * 4096  # 1 MiB: more than a socket takes at once
        echoed = await client.post("/echo", content=large)
        assert echoed.content == large
        continued = await client.post(
            "/echo", content=b"after continue", headers={"expect": "100-continue"}
        )
        assert continued.content == b"after continue"
