"""Writing a large batch of observation rows in a constant number of statements.

PostgreSQL: the latest revisions come from one probe per key, and ids from the table's
sequence as one array (COPY returns nothing), both asked on a connection of their own
while the writer's transaction starts (``WriteAhead``); the records go in by ``COPY``
on the driver's connection, inside the transaction, built while they are sent
(``copy_records``). SQLite: one multi-row ``INSERT … RETURNING`` per
chunk (SQLAlchemy's "insertmanyvalues").

The payload's records are built from the records just written, with the same function
that builds them from a ``SELECT``: they are what reading them back would give.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from operator import itemgetter
from typing import Any, overload

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hub import driver
from hub.dimensions import DIMENSION_NAMES, column_name
from hub.driver import as_dbapi_error
from hub.models import Observation
from hub.observations import ROW_COLUMNS, ObservationRecord, record_from_row

Record = tuple[Any, ...]

COLUMNS: tuple[str, ...] = (
    "series_key",
    "revision",
    "indicator_code",
    "province_code",
    "year",
    "period",
    "value",
    "numerator",
    "denominator",
    "dimension_key",
    "flag",
    "status",
    "is_current",
    "comment",
    "reason",
    "source_id",
    "submission_id",
    "recorded_by",
    *(column_name(name) for name in DIMENSION_NAMES),
)
"""A record's columns after its id. ``recorded_at`` and ``updated_at`` are not among
them: every row of a batch is stamped with one moment, which PostgreSQL fills in itself
(the columns' ``DEFAULT now()``, the transaction's time: migration 0010) rather than
asyncpg encoding the same datetime twice per row, ~13 ms of CPU per 10,000 rows;
SQLite's inserts add it (``insert_records``)."""
TIMESTAMP_COLUMNS = ("recorded_at", "updated_at")
RECORD_COLUMNS = ("id", *COLUMNS)
"""A record: the id, then the row's columns."""
_AT = {name: index for index, name in enumerate(RECORD_COLUMNS)}
_FIRST_DIMENSION = _AT[column_name(DIMENSION_NAMES[0])]
_DIMENSION_AT = {name: index for index, name in enumerate(DIMENSION_NAMES)}
# Where record_from_row finds each column of hub.observations.ROW_COLUMNS (after the
# id, before the dimensions), as positions in a record; None: the batch's moment.
_RECORD_ORDER = tuple(
    None if column.key in TIMESTAMP_COLUMNS else _AT[column.key]
    for column in ROW_COLUMNS[1 : len(ROW_COLUMNS) - len(DIMENSION_NAMES)]
)


def is_postgres(conn: AsyncConnection) -> bool:
    return conn.dialect.name == "postgresql"


def dimension_cells(dimensions: Sequence[tuple[str, str]]) -> tuple[str | None, ...]:
    """One cell per dimension column, in ``DIMENSION_NAMES`` order (None: not given)."""
    cells: list[str | None] = [None] * len(DIMENSION_NAMES)
    for name, value in dimensions:
        cells[_DIMENSION_AT[name]] = value
    return tuple(cells)


_LATEST_FOUND = (
    "SELECT wanted.key, found.revision "
    "FROM unnest(string_to_array($1, E'\\n')) AS wanted(key), "
    "LATERAL (SELECT max(o.revision) AS revision FROM observations AS o "
    "WHERE o.series_key = wanted.key) AS found WHERE found.revision IS NOT NULL"
)
"""One index probe per key, only the keys stored already coming back (a new batch's
10,000 keys: no row to decode). Given 10,000 keys, PostgreSQL's own choice for ``= ANY``
is to scan the whole table, two to three times slower. The keys travel as one text, a
key a line: asyncpg encodes a text array element by element (an ABC check each), 5 ms
of client time for 10,000 keys, against 0.3 ms to join them."""

_TAKE_IDS = (
    f"SELECT array(SELECT nextval('{Observation.__tablename__}_id_seq') "
    "FROM generate_series(1, $1))"
)
"""``count`` ids of the observations' serial column (PostgreSQL names its sequence
``<table>_<column>_seq``), as one array: 3 ms for 10,000 where a row per id, each
looking the sequence up by ``pg_get_serial_sequence``, took 30."""


async def latest_revisions(
    conn: AsyncConnection, keys: Sequence[str], before_send: Callable[[], None] | None = None
) -> dict[str, int]:
    """The highest stored revision of each series that has one, whatever its status.

    ``before_send`` is called as the statement leaves (PostgreSQL)."""
    if not keys:
        return {}
    if is_postgres(conn):
        lines = "\n".join(keys)
        if lines.count("\n") != len(keys) - 1:  # its parts were validated: never
            raise ValueError("a series key holds a line break")
        rows = await driver.fetch_on(conn, _LATEST_FOUND, lines, before_send=before_send)
        return {key: revision for key, revision in rows}
    found = await conn.execute(
        select(Observation.series_key, func.max(Observation.revision))
        .where(Observation.series_key.in_(keys))
        .group_by(Observation.series_key)
    )
    return {str(key): int(revision) for key, revision in found}


class WriteAhead:
    """What writing a batch needs from the database before its COPY, asked ahead of the
    writer's transaction: the latest revisions of the batch's series, and ids for its
    rows.

    On PostgreSQL both are asked at once on a connection of their own, so the database
    answers while the caller works out the batch's digest and its transaction starts.
    Reading the revisions outside the transaction loses nothing: under READ COMMITTED
    a statement inside it would see what was committed when it started too, and a
    writer that commits the same series in between takes the same revision number,
    which the unique (series_key, revision) index refuses, and the whole transaction
    is retried. Ids are never given back by a rollback anyway: a batch refused after
    this (a replay, a locked year, a stale revision) leaves a gap in the sequence, as a
    failed COPY always did. On SQLite the revisions are read inside the transaction,
    when asked, and ids come from the inserts.
    """

    def __init__(self, engine: AsyncEngine, keys: Sequence[str]) -> None:
        self.keys = keys
        self._sent = asyncio.Event()
        self._task: asyncio.Task[tuple[dict[str, int], list[int]]] | None = None
        if engine.dialect.name == "postgresql":
            self._task = asyncio.ensure_future(self._read(engine))

    async def _read(self, engine: AsyncEngine) -> tuple[dict[str, int], list[int]]:
        async with engine.connect() as conn:
            latest = await latest_revisions(conn, self.keys, before_send=self._sent.set)
            return latest, await take_ids(conn, len(self.keys))

    async def sent(self) -> None:
        """Return once the first question has left for the database (or failed), so
        that the caller's own work from then on overlaps the database's (a task only
        starts when its creator awaits something)."""
        if self._task is None or self._task.done():
            return
        sent = asyncio.ensure_future(self._sent.wait())
        await asyncio.wait([sent, self._task], return_when=asyncio.FIRST_COMPLETED)
        sent.cancel()

    async def get(self, conn: AsyncConnection) -> tuple[dict[str, int], list[int] | None]:
        """The latest revision of each stored series, and the ids (None: SQLite)."""
        if self._task is None:
            return await latest_revisions(conn, self.keys), None
        return await self._task

    async def close(self) -> None:
        """Wait for answers no one asked for (a replay, a refusal), so that the
        connection is back in the pool and no error goes unseen."""
        if self._task is not None and not self._task.done():
            await asyncio.wait([self._task])
        if self._task is not None and not self._task.cancelled():
            self._task.exception()  # retrieved: it was either raised by get() or moot


async def take_ids(conn: AsyncConnection, count: int) -> list[int]:
    """``count`` new observation ids, in increasing order (PostgreSQL)."""
    ids: list[int] = await driver.fetch_value_on(conn, _TAKE_IDS, count)
    return ids


async def copy_records(conn: AsyncConnection, records: Iterable[Record]) -> None:
    """COPY the records (in ``RECORD_COLUMNS`` order) into the table (PostgreSQL).

    ``records`` may be a generator that builds them as asyncpg asks: asyncpg sends
    what it has encoded every 512 KiB, so PostgreSQL stores the first records while
    the next are built."""
    raw = await conn.get_raw_connection()
    connection: Any = raw.driver_connection
    try:
        await connection.copy_records_to_table(
            Observation.__tablename__, records=records, columns=RECORD_COLUMNS
        )
    except Exception as error:
        raise as_dbapi_error(error, "COPY observations") from error


async def insert_records(
    conn: AsyncConnection, records: Sequence[Record], now: datetime
) -> list[Record]:
    """Insert records whose id is None, stamped ``now`` (SQLite); return them with
    their ids."""
    if not records:
        return []
    stamps = dict.fromkeys(TIMESTAMP_COLUMNS, now)
    stored = await conn.execute(
        insert(Observation).returning(Observation.id, Observation.series_key),
        [dict(zip(COLUMNS, record[1:], strict=True)) | stamps for record in records],
    )
    by_key = {str(key): int(row_id) for row_id, key in stored}
    return [(by_key[record[1]], *record[1:]) for record in records]


class WrittenObservations(Sequence[ObservationRecord]):
    """The records just written at ``now``, in id order, built on first use."""

    __slots__ = ("_built", "_now", "_records")

    def __init__(self, records: Sequence[Record], now: datetime) -> None:
        self._records = sorted(records, key=itemgetter(0))
        self._now = now
        self._built: list[ObservationRecord] | None = None

    def _observations(self) -> list[ObservationRecord]:
        if self._built is None:
            now = self._now
            self._built = [_observation(record, now) for record in self._records]
        return self._built

    def __len__(self) -> int:
        return len(self._records)

    def __iter__(self) -> Iterator[ObservationRecord]:
        return iter(self._observations())

    @overload
    def __getitem__(self, index: int) -> ObservationRecord: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[ObservationRecord]: ...

    def __getitem__(self, index: int | slice) -> ObservationRecord | Sequence[ObservationRecord]:
        return self._observations()[index]


def _observation(record: Record, now: datetime) -> ObservationRecord:
    return record_from_row(
        (
            record[0],
            *(now if i is None else record[i] for i in _RECORD_ORDER),
            *record[_FIRST_DIMENSION:],
        ),
    )
