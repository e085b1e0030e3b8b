"""Collection is paused for large requests, and always resumed, however they end."""

import asyncio
import gc
from collections.abc import Iterator

import httpx
import pytest
from starlette.types import Receive, Scope, Send

from hub import gc_pause
from hub.gc_pause import LARGE_BODY, PauseCollectionForLargeBodies, collection_paused


@pytest.fixture(autouse=True)
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_the_collector_resumes_when_the_block_raises():
    inside: list[bool] = []

    def fails() -> None:
        with collection_paused():
            inside.append(gc.isenabled())
            raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        fails()
    assert inside == [False]
    assert gc.isenabled()


async def test_concurrent_pauses_resume_only_when_the_last_one_ends():
    first_in, second_out = asyncio.Event(), asyncio.Event()
    seen: list[bool] = []

    async def first() -> None:
        with collection_paused():
            first_in.set()
            await second_out.wait()
            seen.append(gc.isenabled())
        seen.append(gc.isenabled())

    async def second() -> None:
        await first_in.wait()
        with pytest.raises(RuntimeError), collection_paused():
            raise RuntimeError("refused")
        seen.append(gc.isenabled())
        second_out.set()

    await asyncio.gather(first(), second())
    assert seen == [False, False, True]


def test_a_collector_turned_off_by_the_caller_stays_off():
    gc.disable()
    with collection_paused():
        pass
    assert not gc.isenabled()


async def test_only_a_large_body_pauses_collection_for_its_whole_request():
    during: list[bool] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        during.append(gc.isenabled())
        if scope["path"] == "/fails":
            raise RuntimeError("the app failed")
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    paused = PauseCollectionForLargeBodies(app)
    transport = httpx.ASGITransport(app=paused, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as client:
        await client.post("/", content=b"x" * (LARGE_BODY - 1))
        await client.post("/", content=b"x" * LARGE_BODY)
        await client.post("/fails", content=b"x" * LARGE_BODY)
    assert during == [True, False, False]
    assert gc.isenabled()


def test_pauses_that_keep_overlapping_still_collect_now_and_then(monkeypatch):
    monkeypatch.setattr(gc_pause, "MAX_PAUSE", 0.0)
    collected: list[int] = []
    monkeypatch.setattr(gc, "collect", lambda generation=2: collected.append(generation))
    with collection_paused():
        with collection_paused():
            pass
        assert collected == [1]  # another pause was still in force
        assert not gc.isenabled()
    assert collected == [1]
    assert gc.isenabled()
