"""Observations: filtering, and cursor pages in a stable order.

Public reads see the current revision of every series (the latest approved one).
A province's token also sees that province's pending revisions, the ministry's sees
every pending revision (``Visibility``). Pages are ordered by the primary key, which
never changes for a stored revision, so a cursor stays valid while figures arrive.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.dimensions import DIMENSION_NAMES, column_name
from hub.errors import InvalidArgumentError, InvalidCursorError
from hub.identifiers import ascii_int
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
    status: str
    comment: str | None
    series_key: str
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Visibility:
    """Which revisions beyond the public ones a caller may read.

    ``pending_provinces`` lists the provinces whose pending and rejected revisions the
    caller sees; None means every province (the ministry); empty means none.
    """

    pending_provinces: tuple[str, ...] | None = ()

    def condition(self, *, current_only: bool) -> ColumnElement[bool]:
        public = (
            Observation.is_current.is_(True) if current_only else Observation.status == "APPROVED"
        )
        if self.pending_provinces == ():
            return public
        own = Observation.status != "APPROVED"
        if current_only:
            own = Observation.status == "PENDING"
        if self.pending_provinces is not None:
            own = and_(own, Observation.province_code.in_(self.pending_provinces))
        return or_(public, own)


PUBLIC = Visibility()


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
    updated_after: datetime | None = None
    visibility: Visibility = PUBLIC


@dataclass(frozen=True, slots=True)
class ObservationPage:
    records: list[ObservationRecord]
    total_count: int | None
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
    number = ascii_int(text[len(_CURSOR_PREFIX) :]) if text.startswith(_CURSOR_PREFIX) else None
    if number is None or number < 0:
        raise InvalidCursorError("The cursor is not one this API returned")
    return number


_DIMENSION_COLUMNS = tuple(getattr(Observation, column_name(name)) for name in DIMENSION_NAMES)
ROW_COLUMNS = (
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
    Observation.status,
    Observation.comment,
    Observation.series_key,
    Observation.updated_at,
    *_DIMENSION_COLUMNS,
)
_FIRST_DIMENSION = len(ROW_COLUMNS) - len(_DIMENSION_COLUMNS)


def record_from_row(row: Sequence[object]) -> ObservationRecord:
    """Build a record from a row selected with ``ROW_COLUMNS``."""
    dims = tuple(
        DimensionValue(name, str(value))
        for name, value in zip(DIMENSION_NAMES, row[_FIRST_DIMENSION:], strict=True)
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
        recorded_at=as_utc(row[11]),  # type: ignore[arg-type]
        status=str(row[12]),
        comment=None if row[13] is None else str(row[13]),
        series_key=str(row[14]),
        updated_at=as_utc(row[15]),  # type: ignore[arg-type]
    )


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored moment is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def is_total() -> ColumnElement[bool]:
    """SQL condition: the observation is the indicator's total, not a disaggregated part."""
    return and_(*(column.is_(None) for column in _DIMENSION_COLUMNS))


def conditions_of(query: ObservationQuery) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [query.visibility.condition(current_only=True)]
    if query.updated_after is not None:
        conditions.append(Observation.updated_at > query.updated_after)
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
    check_dimension_names(query.dimensions, field=("filter", "dimensions"))
    for dim in query.dimensions:
        conditions.append(getattr(Observation, column_name(dim.name)) == dim.value)
    if query.totals_only:
        conditions.append(is_total())
    return conditions


def check_dimension_names(dimensions: Sequence[DimensionValue], *, field: tuple[str, ...]) -> None:
    """Refuse a dimension the hub does not know, naming the ones it does."""
    for dim in dimensions:
        if dim.name not in DIMENSION_NAMES:
            raise InvalidArgumentError(
                f"Unknown dimension {dim.name!r}; known: {', '.join(DIMENSION_NAMES)}",
                field=field,
            )


def select_observations(query: ObservationQuery) -> Select[tuple[object, ...]]:
    """The rows of ``query`` in page order (by id)."""
    return select(*ROW_COLUMNS).where(*conditions_of(query)).order_by(Observation.id)


async def page_observations(
    *,
    engine: AsyncEngine,
    query: ObservationQuery,
    first: int,
    after: str | None,
    count: bool = True,
) -> ObservationPage:
    """One page of ``first`` observations after the cursor, and the filter's total count.

    Counting every match costs more than reading a page: with ``count=False`` (nobody
    asked for the total) ``total_count`` is None and no count runs.
    """
    if first < 0:
        raise InvalidArgumentError("first must not be negative", field=("first",))
    rows_query = select_observations(query).limit(first + 1)
    if after is not None:
        rows_query = rows_query.where(Observation.id > decode_cursor(after))
    count_query = select(func.count()).select_from(Observation).where(*conditions_of(query))
    async with engine.connect() as conn:
        total = int((await conn.execute(count_query)).scalar_one()) if count else None
        rows = (await conn.execute(rows_query)).all() if first > 0 else []
    records = [record_from_row(row) for row in rows[:first]]
    return ObservationPage(records=records, total_count=total, has_next_page=len(rows) > first)


async def observations_by_ids(
    *, engine: AsyncEngine, ids: Sequence[int]
) -> list[ObservationRecord]:
    """The observations with these ids, in id order (whatever their status)."""
    if not ids:
        return []
    query = (
        select(*ROW_COLUMNS).where(Observation.id.in_(sorted(set(ids)))).order_by(Observation.id)
    )
    async with engine.connect() as conn:
        return [record_from_row(row) for row in await conn.execute(query)]


async def revisions_by_series_keys(
    *, engine: AsyncEngine, keys: Sequence[str], visibility: Visibility
) -> dict[str, list[ObservationRecord]]:
    """Every revision of each series the caller may see, oldest first."""
    found: dict[str, list[ObservationRecord]] = {key: [] for key in keys}
    if not keys:
        return found
    query = (
        select(*ROW_COLUMNS)
        .where(
            Observation.series_key.in_(sorted(set(keys))),
            visibility.condition(current_only=False),
        )
        .order_by(Observation.series_key, Observation.revision)
    )
    async with engine.connect() as conn:
        for row in await conn.execute(query):
            record = record_from_row(row)
            found[record.series_key].append(record)
    return found
