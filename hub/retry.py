"""Which database errors mean "a concurrent writer won; run the transaction again"."""

from __future__ import annotations

import asyncio
import random

from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

MAX_ATTEMPTS = 20
_RETRYABLE_SQLSTATES = {"40001", "40P01"}  # serialization failure, deadlock


def is_retryable(error: Exception) -> bool:
    """A lost race: a revision number taken meanwhile, SQLite's write lock, a deadlock."""
    if isinstance(error, IntegrityError):
        return True
    if isinstance(error, OperationalError) and "database is locked" in str(error.orig):
        return True
    if isinstance(error, DBAPIError):
        state = getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)
        return state in _RETRYABLE_SQLSTATES
    return False


async def back_off(attempt: int) -> None:
    """Sleep a little longer after each lost race, with jitter so writers spread out."""
    await asyncio.sleep(random.uniform(0.002, 0.02) * min(attempt + 1, 10))
