"""The CSV export on PostgreSQL: the server writes the CSV itself with ``COPY ... TO STDOUT``.

Every field is rendered in SQL exactly as the Python writer of ``hub.export`` renders it
(the tests compare the two byte for byte), and COPY's CSV quoting is the csv module's
minimal quoting. What COPY cannot be told is handled here: it ends records with
``\\n`` where the export has always used ``\\r\\n``, and it writes a non-NULL empty
string as ``""`` (every text column goes through ``NULLIF(..., '')``, so both empty and
NULL come out as nothing, as before).

Rows go out in chunks of ``COPY_ROWS``, one COPY statement each (``id > last id
LIMIT COPY_ROWS``), all inside one read-only REPEATABLE READ transaction so the whole
file is one snapshot. A chunk is collected whole before it is sent, so the database
never waits on a slow client and the configured statement timeout bounds the
database's work on one chunk, as it bounded each cursor fetch before. The next chunk is
copied while one is sent: memory stays at a few chunks whatever the export's size.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    Numeric,
    Select,
    SQLColumnExpression,
    String,
    Text,
    and_,
    bindparam,
    case,
    cast,
    func,
    literal_column,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hub.dimensions import DIMENSION_NAMES, column_name
from hub.models import Indicator, Observation, Source
from hub.observations import ObservationQuery, conditions_of
from hub.provinces import ProvinceRecord, year_reference_date

COPY_ROWS = 10_000
"""Rows per COPY statement: about 3 MB of CSV on the national data set."""

_YEAR_LOW, _YEAR_HIGH = -(2**31), 2**31 - 2  # int4range [low, high] must fit high + 1
_ID_LOW = -(2**63)
_TWO_TO_63 = "9223372036854775808::float8"


def uses_copy(engine: AsyncEngine) -> bool:
    """Whether this engine's export can be written by the database (PostgreSQL via asyncpg)."""
    return engine.dialect.name == "postgresql" and engine.dialect.driver == "asyncpg"


# --- Fields, rendered in SQL as hub.export._text renders them in Python ---------------


def _sql(text: str) -> ColumnElement[Any]:
    """A constant written into the statement (never user input)."""
    return literal_column(text)


def _text(column: SQLColumnExpression[Any]) -> ColumnElement[Any]:
    """Text; empty and NULL both give an empty field (COPY would quote the empty string)."""
    return func.nullif(column, _sql("''"))


def _float_text(x: SQLColumnExpression[Any]) -> ColumnElement[Any]:
    """A float8 as ``_text`` writes it: integral values as integers (exactly, at any
    magnitude), others as Python's ``repr``.

    With ``extra_float_digits`` > 0, PostgreSQL writes the same shortest round-trip
    digits as ``repr``, in the same notation below 1e15 (integral values without a
    fraction, exponents from 1e-5 down), so that common case is its own output; adding
    zero turns -0.0 into the ``0`` that ``str(int(-0.0))`` gives. Above, PostgreSQL
    switches to exponents where ``repr`` or ``int`` do not, so those are rebuilt. NaN
    and infinities come out as PostgreSQL spells them.
    """
    magnitude = func.abs(x)
    integral = x == func.trunc(x)
    finite = magnitude < _sql("'Infinity'::float8")
    return case(
        (magnitude < _sql("1e15::float8"), cast(x.op("+")(_sql("0::float8")), Text)),
        (and_(integral, magnitude < _sql(_TWO_TO_63)), cast(cast(x, BigInteger), Text)),
        (and_(integral, finite), _exact_integer(x)),
        (finite, _fixed_point(x)),
        else_=cast(x, Text),
    )


def _exact_integer(x: SQLColumnExpression[Any]) -> ColumnElement[Any]:
    """An integral float8 beyond bigint as its exact decimal expansion, like ``str(int(x))``.

    ``x = m * 2**k`` with ``m`` a bigint; ``k`` is taken a few bits short of the exponent
    so that an inexact logarithm cannot make ``m`` fractional or too large.
    """
    # .op: SQLAlchemy's "/" would make these numeric divisions, which round.
    log2 = func.ln(func.abs(x)).op("/")(func.ln(_sql("2::float8")))
    shift = func.greatest(func.floor(log2).op("-")(_sql("60")), _sql("0"))
    mantissa = cast(x.op("/")(func.power(_sql("2::float8"), shift)), BigInteger)
    return cast(
        func.trunc(
            cast(mantissa, Numeric()) * func.power(_sql("2::numeric"), cast(shift, Numeric()))
        ),
        Text,
    )


def _fixed_point(x: SQLColumnExpression[Any]) -> ColumnElement[Any]:
    """A non-integral float8 in [1e15, 1e16) in fixed notation from its shortest digits.

    PostgreSQL writes ``1.0000000000000001e+15``; ``repr`` writes ``1000000000000000.1``.
    Such a number has 16 digits before the point and at least one after.
    """
    mantissa = func.split_part(func.ltrim(cast(x, Text), _sql("'-'")), _sql("'e'"), _sql("1"))
    digits = func.replace(mantissa, _sql("'.'"), _sql("''"))
    sign = case((x < _sql("0"), _sql("'-'")), else_=_sql("''"))
    return func.concat(
        sign, func.left(digits, _sql("16")), _sql("'.'"), func.substr(digits, _sql("17"))
    )


def _date_text(column: SQLColumnExpression[Any]) -> ColumnElement[Any]:
    """``str(date)``, whatever the session's DateStyle."""
    return func.to_char(column, _sql("'YYYY-MM-DD'"))


def _moment_text(column: SQLColumnExpression[Any]) -> ColumnElement[Any]:
    """``datetime.isoformat()`` in UTC: microseconds only when there are some."""
    utc = func.timezone(_sql("'UTC'"), column)
    written = func.to_char(utc, _sql('\'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"\''))
    return func.replace(written, _sql("'.000000+'"), _sql("'+'"))


# --- Province names, as they were in a figure's year ---------------------------------


@dataclass(frozen=True, slots=True)
class NameSpan:
    """Province ``code`` was called ``name`` in the years ``first`` to ``last``."""

    code: str
    first: int
    last: int
    name: str


def _last_year_by(valid_to: date) -> int:
    """The last year whose reference day (31 December) is no later than ``valid_to``."""
    return valid_to.year if (valid_to.month, valid_to.day) == (12, 31) else valid_to.year - 1


def name_spans(provinces: Mapping[str, ProvinceRecord]) -> list[NameSpan]:
    """Each province's name over the years, as ``named_on(year_reference_date(year))``.

    A name changes only where a former name's last year ends, so ``named_on`` is asked
    once per span (at a year inside it) and the answer holds for the whole span.
    """
    spans: list[NameSpan] = []
    for code, record in sorted(provinces.items()):
        ends = sorted(
            {_last_year_by(f.valid_to) for f in record.former_names if f.valid_to is not None}
        )
        first = _YEAR_LOW
        for end in [*ends, _YEAR_HIGH]:
            probe = end if end != _YEAR_HIGH else (ends[-1] + 1 if ends else 2000)
            if 1 <= probe <= 9999:
                name = record.named_on(year_reference_date(probe)).name
                spans.append(NameSpan(code, first, end, name))
            first = end + 1
    return spans


def _name_of(spans: Sequence[NameSpan]) -> Any:
    """A lateral subquery: the name of the observation's province in its year.

    Correlated on (province, year), so PostgreSQL memoizes it: a few dozen distinct
    keys, each looked up once per chunk.
    """

    def array(name: str, values: list[Any], item: Any) -> Any:
        return bindparam(name, values, type_=ARRAY(item))

    table = (
        func.unnest(
            array("span_codes", [s.code for s in spans], String),
            array("span_firsts", [s.first for s in spans], Integer),
            array("span_lasts", [s.last for s in spans], Integer),
            array("span_names", [s.name for s in spans], String),
        )
        .table_valued("code", "first_year", "last_year", "name")
        .render_derived(name="spans")
    )
    return (
        select(table.c.name)
        .where(
            table.c.code == Observation.province_code,
            # One reference to the year (not two, as BETWEEN makes): a smaller cache key.
            func.int4range(table.c.first_year, table.c.last_year, _sql("'[]'")).op("@>")(
                Observation.year
            ),
        )
        .limit(1)
        .lateral("province_names")
    )


# --- Statements ----------------------------------------------------------------------


def copy_statement(
    query: ObservationQuery, spans: Sequence[NameSpan], rows: int = COPY_ROWS
) -> Select[Any]:
    """The export's next ``rows`` rows after id ``:after``, already as text."""
    names = _name_of(spans)
    return (
        select(
            Observation.id,
            _text(Observation.province_code),
            _text(names.c.name),
            _text(Observation.indicator_code),
            _text(Indicator.name),
            _text(Indicator.unit),
            Observation.year,
            _text(Observation.period),
            _float_text(Observation.value),
            _float_text(Observation.numerator),
            _float_text(Observation.denominator),
            *(_text(getattr(Observation, column_name(n))) for n in DIMENSION_NAMES),
            _text(Observation.flag),
            _text(Observation.status),
            Observation.revision,
            _text(Source.title),
            _text(Source.url),
            _date_text(Source.published_on),
            _moment_text(Observation.recorded_at),
        )
        .select_from(Observation)
        .join(Indicator, Indicator.code == Observation.indicator_code)
        .outerjoin(Source, Source.id == Observation.source_id)
        .outerjoin(names, true())
        .where(
            *conditions_of(query), Observation.id > bindparam("after", _ID_LOW, type_=BigInteger)
        )
        .order_by(Observation.id)
        .limit(rows)
    )


@dataclass(frozen=True, slots=True)
class Positional:
    """A statement compiled for asyncpg: ``$n`` placeholders and their values by name.

    SQLAlchemy's bind processors are not applied: the values here are strings,
    integers, datetimes and lists of those, which asyncpg takes as they are.
    """

    sql: str
    names: tuple[str, ...]
    values: Mapping[str, Any]

    @classmethod
    def compile(cls, statement: Select[Any], dialect: Dialect) -> Positional:
        compiled = statement.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
        return cls(compiled.string, tuple(compiled.positiontup or ()), compiled.params)

    def arguments(self, **overrides: Any) -> list[Any]:
        return [overrides.get(name, self.values.get(name)) for name in self.names]


# --- Streaming -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Chunk:
    """What one COPY wrote, made ready to send."""

    data: bytes
    records: int
    last_id: int | None


def finish(data: bytes, records: int) -> Chunk:
    """``records`` complete CSV records from COPY: ``\\r\\n`` ending each, and the id
    (the first field, never quoted) of the last one.

    When there are as many newlines as records, every newline ends a record. Otherwise
    some field holds a newline, which is data and stays as it is: quotes split the text
    into segments, and only those outside quotes (even-numbered) hold record ends (a
    doubled quote inside a field adds an empty segment, which keeps the parity right).
    """
    if not records:
        return Chunk(b"", 0, None)
    if data.count(b"\n") == records:
        start = data.rfind(b"\n", 0, len(data) - 1) + 1
        return Chunk(data.replace(b"\n", b"\r\n"), records, _id_at(data, start))
    parts = data.split(b'"')
    start, offset = 0, 0
    for index, part in enumerate(parts):
        # The last record's end is the final byte: a newline in the last segment.
        end = len(part) - 1 if index == len(parts) - 1 else len(part)
        if index % 2 == 0 and (newline := part.rfind(b"\n", 0, end)) >= 0:
            start = offset + newline + 1
        offset += len(part) + 1
    parts[::2] = [part.replace(b"\n", b"\r\n") for part in parts[::2]]
    return Chunk(b'"'.join(parts), records, _id_at(data, start))


def _id_at(data: bytes, start: int) -> int:
    return int(data[start : data.index(b",", start)])


class _Handoff:
    """Chunks from the task running the COPYs to the response, at most ``depth`` waiting.

    The end (``None``) is put when the task ends, however it ends, so the reader never
    waits on a task that is gone.
    """

    def __init__(self, depth: int) -> None:
        self._queue: asyncio.Queue[bytes | None] = asyncio.Queue()
        self._room = asyncio.Semaphore(depth)

    async def put(self, chunk: bytes) -> None:
        await self._room.acquire()
        self._queue.put_nowait(chunk)

    def end(self, _task: object = None) -> None:
        self._queue.put_nowait(None)

    async def get(self) -> bytes | None:
        chunk = await self._queue.get()
        if chunk is not None:
            self._room.release()
        return chunk


_RUNNING: set[asyncio.Task[None]] = set()
"""COPY tasks still winding down after their response went away (kept from the GC)."""


async def copy_chunks(
    engine: AsyncEngine, query: ObservationQuery, spans: Sequence[NameSpan]
) -> AsyncIterator[bytes]:
    """The CSV records (no header), a chunk of at most ``COPY_ROWS`` rows at a time.

    The next chunk is copied while this one is sent. If the response stops early (the
    client went away), the task is cancelled: it cancels the COPY on the server and
    throws the connection away rather than pool it mid-protocol.
    """
    handoff = _Handoff(depth=1)
    task = asyncio.create_task(_copy_all(engine, query, spans, handoff))
    _RUNNING.add(task)
    task.add_done_callback(_RUNNING.discard)
    task.add_done_callback(handoff.end)
    try:
        while (chunk := await handoff.get()) is not None:
            yield chunk
        await task  # its error, if it failed
    finally:
        task.cancel()


async def _copy_all(
    engine: AsyncEngine, query: ObservationQuery, spans: Sequence[NameSpan], handoff: _Handoff
) -> None:
    async with engine.connect() as conn:
        try:
            await _copy_chunks(conn, query, spans, handoff)
        except BaseException:
            await conn.invalidate()
            raise


async def _copy_chunks(
    conn: AsyncConnection, query: ObservationQuery, spans: Sequence[NameSpan], handoff: _Handoff
) -> None:
    rows = Positional.compile(copy_statement(query, spans, COPY_ROWS), conn.dialect)
    driver = (await conn.get_raw_connection()).driver_connection
    assert driver is not None
    async with driver.transaction(isolation="repeatable_read", readonly=True):
        # Shortest round-trip float output, as repr gives, whatever the server default.
        await driver.execute("SET LOCAL extra_float_digits = 1")
        after: int | None = _ID_LOW
        while after is not None:
            chunk = await _copy_one(driver, rows, after)
            if chunk.records:
                await handoff.put(chunk.data)
            after = chunk.last_id if chunk.records == COPY_ROWS else None


async def _copy_one(driver: Any, rows: Positional, after: int) -> Chunk:
    """The rows after id ``after``, collected whole: the COPY never waits on the client."""
    pieces: list[bytes] = []

    async def collect(piece: bytes) -> None:
        pieces.append(piece)

    status = await driver.copy_from_query(
        rows.sql, *rows.arguments(after=after), output=collect, format="csv"
    )
    return finish(b"".join(pieces), records=int(status.rsplit(" ", 1)[1]))
