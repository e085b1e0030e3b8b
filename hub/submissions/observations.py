"""Storing a validated batch of figures: revisions, idempotency, locks, all or nothing.

Concurrent writers of the same figure each get their own revision: revision numbers
come from ``max(revision) + 1``, read as the transaction starts (``bulk.WriteAhead``),
and a writer that loses the race on the unique (series_key, revision) constraint
retries the whole transaction.
The current (public) revision of a series is always its highest approved one, so the
end state does not depend on the order in which writers commit.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import orjson
from sqlalchemy import func, insert, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hub import data_version
from hub.auth import Principal
from hub.models import Observation, PeriodLock, Source, Submission
from hub.observations import ObservationRecord
from hub.retry import MAX_ATTEMPTS, back_off, is_retryable
from hub.sources import source_fingerprint
from hub.submissions.bulk import (
    Record,
    WriteAhead,
    WrittenObservations,
    copy_records,
    dimension_cells,
    insert_records,
    is_postgres,
)
from hub.submissions.codes import ErrorCode, Problem
from hub.submissions.current import refresh_current
from hub.submissions.inputs import ObservationItem
from hub.submissions.validation import ValidObservation


@dataclass(frozen=True, slots=True)
class StoredBatch:
    submission_id: int | None
    observation_ids: tuple[int, ...]
    replayed: bool = False
    records: Sequence[ObservationRecord] | None = None
    """The stored records when just written (None: read them by id)."""


def request_hash(payload: object) -> str:
    """A stable digest of a submission's input, to recognise a retry.

    ``payload`` is built of dataclasses, tuples and plain values, whose ``repr`` is
    deterministic. Plans use it; a batch of figures did until ``batch_digest`` (its
    stored digests are still recognised, see ``find_submission``).
    """
    return hashlib.sha256(repr(payload).encode()).hexdigest()


def batch_digest(province: str, items: Sequence[ObservationItem], reason: str | None) -> str:
    """The digest of a batch of figures: sha256 of its JSON as orjson writes it.

    As stable as ``request_hash`` (fields in declaration order, floats in their
    shortest form, dates in ISO form) and a third of its cost: orjson writes 10,000
    items in ~10 ms where their ``repr`` took ~30.
    """
    return hashlib.sha256(orjson.dumps([province, items, reason])).hexdigest()


def series_key(province: str, item: ValidObservation) -> str:
    return f"{item.indicator}|{province}|{item.period}|{item.dimension_key}"


async def find_submission(
    conn: AsyncConnection,
    *,
    principal: Principal,
    idempotency_key: str,
    digest: str,
    earlier_digest: Callable[[], str] | None = None,
) -> int | Problem | None:
    """The earlier submission with this key and the same input, a refusal, or None.

    ``earlier_digest`` gives the digest an earlier version of the hub stored for the
    same input: a submission stored before a change of digest is still recognised
    when retried after it. It is worked out only when the stored digest is not
    ``digest``."""
    row = (
        await conn.execute(
            select(Submission.id, Submission.request_hash).where(
                Submission.token_id == principal.token_id,
                Submission.idempotency_key == idempotency_key,
            )
        )
    ).first()
    if row is None:
        return None
    if row.request_hash != digest and (
        earlier_digest is None or row.request_hash != earlier_digest()
    ):
        return Problem(
            ("idempotencyKey",),
            ErrorCode.IDEMPOTENCY_KEY_REUSED,
            "This idempotency key was used for a different input",
        )
    return int(row.id)


async def find_replay(
    conn: AsyncConnection,
    *,
    principal: Principal,
    idempotency_key: str,
    digest: str,
    earlier_digest: Callable[[], str] | None = None,
) -> StoredBatch | Problem | None:
    """The first result of an earlier submission with this key, a refusal, or None."""
    earlier = await find_submission(
        conn,
        principal=principal,
        idempotency_key=idempotency_key,
        digest=digest,
        earlier_digest=earlier_digest,
    )
    if earlier is None or isinstance(earlier, Problem):
        return earlier
    ids = (
        await conn.execute(
            select(Observation.id)
            .where(Observation.submission_id == earlier)
            .order_by(Observation.id)
        )
    ).scalars()
    return StoredBatch(submission_id=earlier, observation_ids=tuple(ids), replayed=True)


async def locked_years(conn: AsyncConnection, province: str, years: set[int]) -> set[int]:
    rows = await conn.execute(
        select(PeriodLock.year).where(
            PeriodLock.province_code == province, PeriodLock.year.in_(sorted(years))
        )
    )
    return set(rows.scalars())


async def _source_ids(conn: AsyncConnection, items: Sequence[ValidObservation]) -> dict[str, int]:
    """Source id per fingerprint, inserting the sources not yet known."""
    wanted = {
        source_fingerprint(i.source.title, i.source.url, i.source.published_on): i.source
        for i in items
        if i.source is not None
    }
    if not wanted:
        return {}
    found: dict[str, int] = {
        row[0]: row[1]
        for row in await conn.execute(
            select(Source.fingerprint, Source.id).where(Source.fingerprint.in_(wanted))
        )
    }
    for fingerprint, source in wanted.items():
        if fingerprint not in found:
            found[fingerprint] = (
                await conn.execute(
                    insert(Source)
                    .values(
                        fingerprint=fingerprint,
                        title=source.title,
                        url=source.url,
                        published_on=source.published_on,
                    )
                    .returning(Source.id)
                )
            ).scalar_one()
    return found


def _records(
    *,
    ids: Sequence[int | None],
    principal: Principal,
    province: str,
    keys: Sequence[str],
    items: Sequence[ValidObservation],
    latest: dict[str, int],
    sources: dict[str, int],
    status: str,
    submission_id: int,
    reason: str | None,
) -> Iterator[Record]:
    """One record per item, in ``bulk.RECORD_COLUMNS`` order, built as they are asked for.

    An approved record is stored current already: it is its series' highest revision
    (its number is one above every stored one, and the unique (series_key, revision)
    index refuses a concurrent writer that took the same), so it is what
    ``refresh_current`` would make current; the refresh still runs for series that had
    earlier revisions.
    """
    is_current = status == "APPROVED"
    recorded_by = principal.label
    cells: dict[tuple[tuple[str, str], ...], tuple[str | None, ...]] = {}
    for row_id, key, item in zip(ids, keys, items, strict=True):
        source_id = (
            None
            if item.source is None
            else sources[
                source_fingerprint(item.source.title, item.source.url, item.source.published_on)
            ]
        )
        dims = cells.get(item.dimensions)
        if dims is None:
            dims = cells[item.dimensions] = dimension_cells(item.dimensions)
        yield (
            row_id,
            key,
            latest.get(key, 0) + 1,
            item.indicator,
            province,
            item.year,
            item.period,
            item.value,
            item.numerator,
            item.denominator,
            item.dimension_key,
            item.flag,
            status,
            is_current,
            item.comment,
            reason,
            source_id,
            submission_id,
            recorded_by,
            *dims,
        )


def _kept(records: Iterable[Record], kept: list[Record]) -> Iterator[Record]:
    """The records, each also kept in ``kept`` as it goes by."""
    append = kept.append
    for record in records:
        append(record)
        yield record


async def _write(
    conn: AsyncConnection,
    *,
    principal: Principal,
    province: str,
    keys: Sequence[str],
    items: Sequence[ValidObservation],
    ahead: WriteAhead,
    status: str,
    idempotency_key: str | None,
    digest: str | None,
    reason: str | None,
    now: datetime,
) -> StoredBatch | list[Problem]:
    # On PostgreSQL the batch's moment is the transaction's (``now()``), the one its
    # rows get from their columns' default (``bulk.COLUMNS``).
    stamp = func.now() if is_postgres(conn) else now
    approved = status == "APPROVED"
    stored = (
        await conn.execute(
            insert(Submission)
            .values(
                kind="OBSERVATIONS",
                province_code=province,
                token_id=principal.token_id,
                submitted_by=principal.label,
                status=status,
                idempotency_key=idempotency_key,
                request_hash=digest,
                item_count=len(items),
                reason=reason,
                created_at=stamp,
                decided_at=stamp if approved else None,
                decided_by=principal.label if approved else None,
            )
            .returning(Submission.id, Submission.created_at)
        )
    ).one()
    submission_id = stored.id
    if is_postgres(conn):
        now = stored.created_at
    latest, taken = await ahead.get(conn)
    ids: Sequence[int | None] = [None] * len(items) if taken is None else taken
    stale = [
        Problem(
            ("observations", str(item.position), "expectedRevision"),
            ErrorCode.STALE_REVISION,
            f"The latest revision is {latest.get(key, 0)}, not {item.expected_revision}",
        )
        for key, item in zip(keys, items, strict=True)
        if item.expected_revision is not None and latest.get(key, 0) != item.expected_revision
    ]
    if stale:
        return stale
    records = _records(
        ids=ids,
        principal=principal,
        province=province,
        keys=keys,
        items=items,
        latest=latest,
        sources=await _source_ids(conn, items),
        status=status,
        submission_id=submission_id,
        reason=reason,
    )
    written: list[Record] = []
    if is_postgres(conn):
        await copy_records(conn, _kept(records, written))
    else:
        written = await insert_records(conn, list(records), now)
    if status == "APPROVED":
        # Series stored for the first time hold only the new, current row.
        await refresh_current(conn, Observation, [k for k in keys if k in latest], now)
    await data_version.bump(conn)
    return StoredBatch(
        submission_id=submission_id,
        observation_ids=tuple(sorted(record[0] for record in written)),
        records=WrittenObservations(written, now),
    )


async def store_batch(
    *,
    engine: AsyncEngine,
    principal: Principal,
    province: str,
    items: Sequence[ValidObservation],
    idempotency_key: str | None,
    digest: Callable[[], str],
    earlier_digest: Callable[[], str] | None = None,
    reason: str | None = None,
    dry_run: bool = False,
) -> StoredBatch | list[Problem]:
    """Store the batch in one transaction, retrying when a concurrent writer wins a race.

    A dry run goes through every step, then rolls back: it reports what a real run
    would, and stores nothing. ``digest`` is worked out only for a batch with an
    idempotency key (nothing compares it otherwise, and it is stored as NULL), once,
    while the database looks the batch's latest revisions up (``bulk.WriteAhead``);
    ``earlier_digest``: see ``find_submission``.
    """
    status = "APPROVED" if principal.is_ministry else "PENDING"
    keys = [series_key(province, item) for item in items]
    worked_out: str | None = None
    for attempt in range(MAX_ATTEMPTS):
        ahead = WriteAhead(engine, keys)
        if worked_out is None and idempotency_key is not None:
            await ahead.sent()
            worked_out = digest()
        now = datetime.now(UTC)
        try:
            async with engine.begin() as conn:
                if idempotency_key is not None and worked_out is not None:
                    replay = await find_replay(
                        conn,
                        principal=principal,
                        idempotency_key=idempotency_key,
                        digest=worked_out,
                        earlier_digest=earlier_digest,
                    )
                    if isinstance(replay, Problem):
                        return [replay]
                    if replay is not None:
                        return replay
                if not principal.is_ministry:
                    locked = await locked_years(conn, province, {i.year for i in items})
                    if locked:
                        return [
                            Problem(
                                ("observations", str(i.position), "year"),
                                ErrorCode.PERIOD_LOCKED,
                                f"{i.year} is locked for this province; ask the ministry",
                            )
                            for i in items
                            if i.year in locked
                        ]
                result = await _write(
                    conn,
                    principal=principal,
                    province=province,
                    keys=keys,
                    items=items,
                    ahead=ahead,
                    status=status,
                    idempotency_key=idempotency_key,
                    digest=worked_out,
                    reason=reason,
                    now=now,
                )
                if isinstance(result, list) or dry_run:
                    await conn.rollback()
                if dry_run and not isinstance(result, list):
                    return StoredBatch(submission_id=None, observation_ids=())
                return result
        except DBAPIError as error:
            if attempt == MAX_ATTEMPTS - 1 or not is_retryable(error):
                raise
            await back_off(attempt)
        finally:
            await ahead.close()
    raise AssertionError("unreachable")
