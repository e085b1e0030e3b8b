"""Bounds on list and size arguments, so no argument makes the server build an unbounded list."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from hub.errors import InvalidArgumentError, check_year

T = TypeVar("T")

MAX_PROVINCES = 100
MAX_INDICATORS = 200
MAX_YEARS = 60
MAX_DIMENSIONS = 10


def bounded(
    values: Sequence[T] | None, *, limit: int, field: tuple[str, ...]
) -> tuple[T, ...] | None:
    """``values`` as a tuple, refused with INVALID_ARGUMENT when longer than ``limit``."""
    if values is None:
        return None
    if len(values) > limit:
        raise InvalidArgumentError(
            f"{'.'.join(field)} takes at most {limit} items, got {len(values)}", field=field
        )
    return tuple(values)


def page_size(first: int | None, *, default: int, maximum: int) -> int:
    if first is None:
        return default
    if not 0 <= first <= maximum:
        raise InvalidArgumentError(f"first must lie between 0 and {maximum}", field=("first",))
    return first


def years_of(values: Sequence[int] | None, *, field: tuple[str, ...]) -> tuple[int, ...] | None:
    """Bounded in number, and each a plausible year."""
    found = bounded(values, limit=MAX_YEARS, field=field)
    return None if found is None else tuple(check_year(y, field) for y in found)


def year_of(value: int | None, *, field: tuple[str, ...]) -> int | None:
    return None if value is None else check_year(value, field)
