"""Coalesced reads (``hub.coalesced``) and the data version read through them: callers
share a read only when it leaves after they arrived, so none misses an earlier commit."""

import asyncio
from collections.abc import Callable

import pytest
from sqlalchemy import event

from hub import data_version
from hub.coalesced import CoalescedRead
from hub.db import count_statements, create_engine


class Database:
    """A value that changes, read by reads that the test sends and answers by hand."""

    def __init__(self) -> None:
        self.value = 0
        self.reads = 0
        self.sent: list[asyncio.Event] = []
        self.answer: list[asyncio.Event] = []
        self.fail: Exception | None = None

    async def read(self, before_send: Callable[[], None]) -> int:
        self.reads += 1
        sent, answer = asyncio.Event(), asyncio.Event()
        self.sent.append(sent)
        self.answer.append(answer)
        await asyncio.sleep(0)  # a connection is checked out
        before_send()
        seen = self.value  # the database answers as of the moment the read was sent
        sent.set()
        await answer.wait()
        if self.fail is not None:
            raise self.fail
        return seen


async def _settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_callers_arriving_before_the_read_is_sent_share_it():
    database = Database()
    read = CoalescedRead(database.read)
    callers = [asyncio.ensure_future(read()) for _ in range(5)]
    await _settle()
    database.answer[0].set()
    assert await asyncio.gather(*callers) == [0] * 5
    assert database.reads == 1


async def test_a_caller_arriving_after_the_read_was_sent_sees_a_commit_made_in_between():
    database = Database()
    read = CoalescedRead(database.read)
    first = asyncio.ensure_future(read())
    await _settle()
    assert database.sent[0].is_set()
    database.value = 1  # committed while the first read is on its way
    second = asyncio.ensure_future(read())
    await _settle()
    database.answer[0].set()
    database.answer[1].set()
    assert await first == 0
    assert await second == 1
    assert database.reads == 2


async def test_callers_after_an_answer_start_a_new_read():
    database = Database()
    read = CoalescedRead(database.read)
    first = asyncio.ensure_future(read())
    await _settle()
    database.answer[0].set()
    assert await first == 0
    database.value = 7
    later = asyncio.ensure_future(read())
    await _settle()
    database.answer[1].set()
    assert await later == 7


async def test_a_failed_read_fails_every_caller_that_shared_it_and_the_next_read_is_fresh():
    database = Database()
    read = CoalescedRead(database.read)
    database.fail = ConnectionError("down")
    callers = [asyncio.ensure_future(read()) for _ in range(3)]
    await _settle()
    database.answer[0].set()
    outcomes = await asyncio.gather(*callers, return_exceptions=True)
    assert all(isinstance(outcome, ConnectionError) for outcome in outcomes)
    database.fail = None
    again = asyncio.ensure_future(read())
    await _settle()
    database.answer[1].set()
    assert await again == 0
    assert database.reads == 2


async def test_a_caller_that_gives_up_leaves_the_read_to_the_others():
    database = Database()
    read = CoalescedRead(database.read)
    leaving, staying = asyncio.ensure_future(read()), asyncio.ensure_future(read())
    await _settle()
    leaving.cancel()
    await _settle()
    database.answer[0].set()
    assert await staying == 0
    with pytest.raises(asyncio.CancelledError):
        await leaving


async def test_concurrent_requests_share_one_data_version_statement(engine):
    with count_statements(engine) as counter:
        versions = await asyncio.gather(*(data_version.current(engine) for _ in range(8)))
    assert len(set(versions)) == 1
    assert counter.count == 1, counter.statements


async def test_sequential_reads_of_the_data_version_each_send_a_statement_and_see_bumps(engine):
    before = await data_version.current(engine)
    with count_statements(engine) as counter:
        async with engine.begin() as conn:
            await data_version.bump(conn)
        after = await data_version.current(engine)
    assert after == before + 1
    assert sum(1 for s in counter.statements if "SELECT version" in s) == 1


async def test_a_bump_committed_while_a_version_read_is_in_flight_is_seen_by_later_callers(
    database_url,
):
    """The bump is committed by another engine (another worker) at the moment the first
    read is sent; a caller arriving after the commit must not take the first answer."""
    engine, other = create_engine(database_url), create_engine(database_url)
    try:
        before = await data_version.current(engine)
        sent = asyncio.Event()
        event.listen(engine.sync_engine, "before_cursor_execute", lambda *_: sent.set())
        first = asyncio.ensure_future(data_version.current(engine))
        await sent.wait()  # the first read is being sent
        async with other.begin() as conn:
            await data_version.bump(conn)
        second = await data_version.current(engine)
        assert await first in (before, before + 1)
        assert second == before + 1
    finally:
        await engine.dispose()
        await other.dispose()
