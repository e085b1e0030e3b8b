"""One read shared by the callers that arrive before it is sent, never by later ones.

Every request reads the data version before anything else (``hub.data_version``): with
eight requests in flight that is a round trip each, for the same one-row answer. Callers
may share a read only if it cannot miss a change committed before they arrived, that
is, if the read leaves for the database after they arrived. So a caller joins the read
that is waiting to be sent, if there is one, and otherwise starts one; a read already
sent is never joined, however soon it will answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")

# The read: it calls its argument right before the statement is sent.
Read = Callable[[Callable[[], None]], Awaitable[T]]


class CoalescedRead(Generic[T]):
    """Shares each run of ``read`` among the callers that arrived before it was sent."""

    __slots__ = ("_read", "_running", "_unsent")

    def __init__(self, read: Read[T]) -> None:
        self._read = read
        self._unsent: asyncio.Future[T] | None = None
        self._running: set[asyncio.Task[None]] = set()

    async def __call__(self) -> T:
        pending = self._unsent
        if pending is None:
            pending = asyncio.get_running_loop().create_future()
            self._unsent = pending
            task = asyncio.ensure_future(self._run(pending))
            self._running.add(task)
            task.add_done_callback(self._running.discard)
        # A caller that gives up (its request cancelled) leaves the read to the others.
        return await asyncio.shield(pending)

    async def _run(self, pending: asyncio.Future[T]) -> None:
        def sent() -> None:
            if self._unsent is pending:
                self._unsent = None

        try:
            value = await self._read(sent)
        except Exception as error:
            pending.set_exception(error)
        else:
            pending.set_result(value)
        finally:
            sent()
            if not pending.done():  # the read itself was cancelled
                pending.cancel()
