"""Writing a large batch of observation rows in a constant number of statements.

PostgreSQL: the latest revisions come from one ``= ANY(array)`` lookup, and the rows
go in by ``COPY`` on the driver's connection, inside the same transaction, with ids
taken from the table's sequence beforehand (COPY returns nothing). SQLite: one
multi-row ``INSERT … RETURNING`` per chunk (SQLAlchemy's "insertmanyvalues").

The payload's records are built from the rows just written, with the same function
that builds them from a ``SELECT``: they are what reading them back would give.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, overload

from sqlalchemy import String, bindparam, func, insert, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection

from hub.dimensions import DIMENSION_NAMES, column_name
from hub.driver import as_dbapi_error
from hub.models import Observation
from hub.observations import ROW_COLUMNS, ObservationRecord, record_from_row

Row = tuple[Any, ...]

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
    "recorded_at",
    "updated_at",
    "recorded_by",
    *(column_name(name) for name in DIMENSION_NAMES),
)
_AT = {name: index for index, name in enumerate(COLUMNS)}
_FIRST_DIMENSION = _AT[column_name(DIMENSION_NAMES[0])]
_DIMENSION_AT = {name: index for index, name in enumerate(DIMENSION_NAMES)}
# Where record_from_row finds each column of hub.observations.ROW_COLUMNS (after the
# id, before the dimensions), as positions in COLUMNS.
_RECORD_ORDER = tuple(
    _AT[column.key] for column in ROW_COLUMNS[1 : len(ROW_COLUMNS) - len(DIMENSION_NAMES)]
)


def is_postgres(conn: AsyncConnection) -> bool:
    return conn.dialect.name == "postgresql"


def dimension_cells(dimensions: Sequence[tuple[str, str]]) -> tuple[str | None, ...]:
    """One cell per dimension column, in ``DIMENSION_NAMES`` order (None: not given)."""
    cells: list[str | None] = [None] * len(DIMENSION_NAMES)
    for name, value in dimensions:
        cells[_DIMENSION_AT[name]] = value
    return tuple(cells)


_LATEST_BY_PROBE = text(
    "SELECT wanted.key, (SELECT max(o.revision) FROM observations AS o "
    "WHERE o.series_key = wanted.key) FROM unnest(:keys) AS wanted(key)"
).bindparams(bindparam("keys", type_=ARRAY(String)))
"""One index probe per key. Given 10,000 keys, PostgreSQL's own choice for ``= ANY``
is to scan the whole table, two to three times slower."""


async def latest_revisions(conn: AsyncConnection, keys: Sequence[str]) -> dict[str, int]:
    """The highest stored revision of each series that has one, whatever its status."""
    if is_postgres(conn):
        rows = await conn.execute(_LATEST_BY_PROBE, {"keys": list(keys)})
        return {str(key): int(revision) for key, revision in rows if revision is not None}
    rows = await conn.execute(
        select(Observation.series_key, func.max(Observation.revision))
        .where(Observation.series_key.in_(keys))
        .group_by(Observation.series_key)
    )
    return {str(key): int(revision) for key, revision in rows}


async def insert_rows(conn: AsyncConnection, rows: Sequence[Row]) -> list[int]:
    """Insert the rows (in ``COLUMNS`` order); return their ids, in the rows' order."""
    if not rows:
        return []
    if is_postgres(conn):
        return await _copy_rows(conn, rows)
    stored = await conn.execute(
        insert(Observation).returning(Observation.id, Observation.series_key),
        [dict(zip(COLUMNS, row, strict=True)) for row in rows],
    )
    by_key = {str(key): int(row_id) for row_id, key in stored}
    return [by_key[row[0]] for row in rows]


async def _copy_rows(conn: AsyncConnection, rows: Sequence[Row]) -> list[int]:
    ids = sorted(
        int(row_id)
        for row_id in (
            await conn.execute(
                text(
                    "SELECT nextval(pg_get_serial_sequence('observations', 'id')) "
                    "FROM generate_series(1, :n)"
                ),
                {"n": len(rows)},
            )
        ).scalars()
    )
    raw = await conn.get_raw_connection()
    driver: Any = raw.driver_connection
    records = [(row_id, *row) for row_id, row in zip(ids, rows, strict=True)]
    try:
        await driver.copy_records_to_table(
            Observation.__tablename__, records=records, columns=("id", *COLUMNS)
        )
    except Exception as error:
        raise as_dbapi_error(error, "COPY observations") from error
    return ids


class WrittenObservations(Sequence[ObservationRecord]):
    """The records of rows just written, in id order, built on first use."""

    __slots__ = ("_built", "_pairs")

    def __init__(self, ids: Sequence[int], rows: Sequence[Row]) -> None:
        self._pairs = sorted(zip(ids, rows, strict=True), key=lambda pair: pair[0])
        self._built: list[ObservationRecord] | None = None

    def _records(self) -> list[ObservationRecord]:
        if self._built is None:
            self._built = [_record(row_id, row) for row_id, row in self._pairs]
        return self._built

    def __len__(self) -> int:
        return len(self._pairs)

    def __iter__(self) -> Iterator[ObservationRecord]:
        return iter(self._records())

    @overload
    def __getitem__(self, index: int) -> ObservationRecord: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[ObservationRecord]: ...

    def __getitem__(self, index: int | slice) -> ObservationRecord | Sequence[ObservationRecord]:
        return self._records()[index]


def _record(row_id: int, row: Row) -> ObservationRecord:
    return record_from_row(
        (row_id, *(row[i] for i in _RECORD_ORDER), *row[_FIRST_DIMENSION:]),
    )
