"""Which exceptions mean the database is down, or a statement ran out of time."""

from __future__ import annotations

from enum import Enum

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError


class DatabaseFailure(Enum):
    UNAVAILABLE = "UNAVAILABLE"
    TIMEOUT = "TIMEOUT"


_TIMEOUT_STATES = {"57014"}  # query_canceled: statement_timeout
_UNAVAILABLE_STATES = {"57P01", "57P02", "57P03", "08000", "08001", "08003", "08004", "08006"}


def classify(error: BaseException) -> DatabaseFailure | None:
    """UNAVAILABLE, TIMEOUT, or None for anything that is not a database failure."""
    if isinstance(error, PoolTimeoutError | ConnectionError | TimeoutError):
        return DatabaseFailure.UNAVAILABLE
    if isinstance(error, OSError) and not isinstance(error, FileNotFoundError):
        return DatabaseFailure.UNAVAILABLE
    if isinstance(error, DBAPIError):
        original = error.orig
        state = getattr(original, "sqlstate", None) or getattr(original, "pgcode", None)
        if state in _TIMEOUT_STATES:
            return DatabaseFailure.TIMEOUT
        if state in _UNAVAILABLE_STATES:
            return DatabaseFailure.UNAVAILABLE
        if isinstance(error, InterfaceError) or error.connection_invalidated:
            return DatabaseFailure.UNAVAILABLE
        if isinstance(error, OperationalError) and "unable to open database" in str(original):
            return DatabaseFailure.UNAVAILABLE
        cause = original.__cause__ if original is not None else None
        if isinstance(cause, OSError | ConnectionError):
            return DatabaseFailure.UNAVAILABLE
    return None
