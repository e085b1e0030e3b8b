"""Observations: filtering, and cursor pages in a stable order.

Public reads see the current revision of every series (the latest approved one).
Pages are ordered by the primary key, which never changes for a stored revision, so
a cursor stays valid while new figures arrive.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.dimensions import DIMENSION_NAMES, column_name
from hub.errors import InvalidArgumentError, InvalidCursorError
from hub.models import Indicator, Observation

_CURSOR_PREFIX = "obs:"


@dataclass(frozen=True, slots=True)
class DimensionValue:
    name: str
    value: str


@dataclass(frozen=True, slots=True)
class ObservationRecord:
    id: int
    indicator_code: str
    province_code: str
    year: int
    period: str
    value: float
    numerator: float | None
    denominator: float | None
    dimensions: tuple[DimensionValue, ...]
    flag: str
    revision: int
    source_id: int | None
    recorded_at: datetime


@dataclass(frozen=True, slots=True)
class ObservationQuery:
    """Which observations to read. Empty tuples mean "no restriction"."""

    province_codes: tuple[str, ...] | None = None
    indicator_codes: tuple[str, ...] | None = None
    topics: tuple[str, ...] | None = None
    years: tuple[int, ...] | None = None
    year_from: int | None = None
    year_to: int | None = None
    dimensions: tuple[DimensionValue, ...] = field(default_factory=tuple)
    totals_only: bool = False


@dataclass(frozen=True, slots=True)
class ObservationPage:
    records: list[ObservationRecord]
    total_count: int
    has_next_page: bool

    @property
    def end_cursor(self) -> str | None:
        return encode_cursor(self.records[-1].id) if self.records else None


def encode_cursor(observation_id: int) -> str:
    return base64.urlsafe_b64encode(f"{_CURSOR_PREFIX}{observation_id}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (binascii.Error, UnicodeError, ValueError):
        raise InvalidCursorError("The cursor is not one this API returned") from None
    if not text.startswith(_CURSOR_PREFIX) or not text[len(_CURSOR_PREFIX) :].isdigit():
        raise InvalidCursorError("The cursor is not one this API returned")
    return int(text[len(_CURSOR_PREFIX) :])


_DIMENSION_COLUMNS = tuple(getattr(Observation, column_name(name)) for name in DIMENSION_NAMES)
_ROW_COLUMNS = (
    Observation.id,
    Observation.indicator_code,
    Observation.province_code,
    Observation.year,
    Observation.period,
    Observation.value,
    Observation.numerator,
    Observation.denominator,
    Observation.flag,
    Observation.revision,
    Observation.source_id,
    Observation.recorded_at,
    *_DIMENSION_COLUMNS,
)


def record_from_row(row: Sequence[object]) -> ObservationRecord:
    """Build a record from a row selected with ``_ROW_COLUMNS``."""
    dims = tuple(
        DimensionValue(name, str(value))
        for name, value in zip(DIMENSION_NAMES, row[12:], strict=True)
        if value is not None
    )
    return ObservationRecord(
        id=int(row[0]),  # type: ignore[call-overload]
        indicator_code=str(row[1]),
        province_code=str(row[2]),
        year=int(row[3]),  # type: ignore[call-overload]
        period=str(row[4]),
        value=float(row[5]),  # type: ignore[arg-type]
        numerator=None if row[6] is None else float(row[6]),  # type: ignore[arg-type]
        denominator=None if row[7] is None else float(row[7]),  # type: ignore[arg-type]
        dimensions=dims,
        flag=str(row[8]),
        revision=int(row[9]),  # type: ignore[call-overload]
        source_id=None if row[10] is None else int(row[10]),  # type: ignore[call-overload]
        recorded_at=row[11],  # type: ignore[arg-type]
    )


def is_total() -> ColumnElement[bool]:
    """SQL condition: the observation is the indicator's total, not a disaggregated part."""
    return and_(*(column.is_(None) for column in _DIMENSION_COLUMNS))


def _conditions(query: ObservationQuery) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [Observation.is_current.is_(True)]
    if query.province_codes is not None:
        conditions.append(Observation.province_code.in_(query.province_codes))
    if query.indicator_codes is not None:
        conditions.append(Observation.indicator_code.in_(query.indicator_codes))
    if query.topics is not None:
        by_topic = select(Indicator.code).where(Indicator.topic.in_(query.topics))
        conditions.append(Observation.indicator_code.in_(by_topic))
    if query.years is not None:
        conditions.append(Observation.year.in_(query.years))
    if query.year_from is not None:
        conditions.append(Observation.year >= query.year_from)
    if query.year_to is not None:
        conditions.append(Observation.year <= query.year_to)
    for dim in query.dimensions:
        if dim.name not in DIMENSION_NAMES:
            raise InvalidArgumentError(
                f"Unknown dimension {dim.name!r}; known: {', '.join(DIMENSION_NAMES)}",
                field=("filter", "dimensions"),
            )
        conditions.append(getattr(Observation, column_name(dim.name)) == dim.value)
    if query.totals_only:
        conditions.append(is_total())
    return conditions


def select_observations(query: ObservationQuery) -> Select[tuple[object, ...]]:
    """The rows of ``query`` in page order (by id)."""
    return select(*_ROW_COLUMNS).where(*_conditions(query)).order_by(Observation.id)


async def page_observations(
    *, engine: AsyncEngine, query: ObservationQuery, first: int, after: str | None
) -> ObservationPage:
    """One page of ``first`` observations after the cursor, and the filter's total count."""
    if first < 0:
        raise InvalidArgumentError("first must not be negative", field=("first",))
    rows_query = select_observations(query).limit(first + 1)
    if after is not None:
        rows_query = rows_query.where(Observation.id > decode_cursor(after))
    count_query = select(func.count()).select_from(Observation).where(*_conditions(query))
    async with engine.connect() as conn:
        total = int((await conn.execute(count_query)).scalar_one())
        rows = (await conn.execute(rows_query)).all() if first > 0 else []
    records = [record_from_row(row) for row in rows[:first]]
    return ObservationPage(records=records, total_count=total, has_next_page=len(rows) > first)
