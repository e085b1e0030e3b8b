"""Large batches: written in a constant number of statements, answered without reading back.

The payload's records are built from the rows just written; they must equal what
reading the same ids gives. A batch re-submitted for the same series becomes the new
current revision, and only it.
"""

import itertools
from dataclasses import replace
from datetime import UTC, datetime

import asyncpg
import pytest
from sqlalchemy import func, insert, select, update

from hub import kept_connections
from hub.auth import authenticate
from hub.db import count_statements
from hub.driver import as_dbapi_error
from hub.models import Observation, PeriodLock, Submission
from hub.observations import as_utc, observations_by_ids
from hub.retry import is_retryable
from hub.submissions import observations
from hub.submissions.bulk import dimension_cells, latest_revisions
from hub.submissions.codes import ErrorCode
from hub.submissions.inputs import ObservationBatch, ObservationItem, SourceItem
from hub.submissions.observations import batch_digest, request_hash
from hub.submissions.service import SubmissionOutcome, submit_observations
from tests.support.submissions import stored_counts, token_for

TODAY = datetime(2025, 6, 1, tzinfo=UTC)
DIMENSIONS = list(
    itertools.product(
        (None, "PROVINCE", "DISTRICT"),
        (None, "LEADERS", "CITIZENS"),
        (None, "ONLINE"),
        (None, "AGRICULTURE", "STATE"),
    )
)
NAMES = ("level", "audience", "training_mode", "sector")


def trained(count: int, *, period_month: int = 1, offset: float = 0) -> tuple[ObservationItem, ...]:
    """``count`` distinct figures of people trained in 2016–2024, with breakdowns."""
    combos = list(itertools.product(DIMENSIONS, range(2016, 2025)))[:count]
    assert len(combos) == count
    return tuple(
        ObservationItem(
            indicator="training.people_trained",
            year=year,
            period=f"{year}-{period_month:02d}",
            value=float(index) + offset,
            dimensions=tuple((n, v) for n, v in zip(NAMES, dims, strict=True) if v),
        )
        for index, (dims, year) in enumerate(combos)
    )


async def submit(engine, token: str, items, province: str = "22", **extra) -> SubmissionOutcome:
    return await submit_observations(
        engine=engine,
        principal=await authenticate(engine=engine, token=token),
        batch=ObservationBatch(province=province, items=tuple(items), **extra),
        max_batch=10_000,
        today=TODAY,
    )


async def test_the_payload_equals_reading_the_stored_rows_back(engine):
    token = await token_for(engine)
    mixed = (
        ObservationItem(indicator="staffing.it_staff", year=2023, value=48),
        ObservationItem(
            indicator="staffing.civil_servants_it_qualified_share",
            year=2023,
            numerator=2100,
            denominator=2390,
            dimensions=(("level", "PROVINCE"), ("audience", "LEADERS")),
            source=SourceItem(title="Báo cáo số 12/BC-STTTT", url="https://example.org/12"),
            comment="Nguye\u0302\u0303n  ",
            flag="ESTIMATE",
        ),
    )
    outcome = await submit(engine, token, mixed + trained(40), reason="Số liệu quý")
    assert outcome.problems == []
    assert outcome.accepted == 42
    ids = [record.id for record in outcome.observations]
    assert ids == sorted(ids)
    assert list(outcome.observations) == await observations_by_ids(engine=engine, ids=ids)
    assert list(outcome.observations[:1]) == [outcome.observations[0]]


async def test_a_batch_its_rows_and_its_submission_carry_one_moment(engine):
    """On PostgreSQL the rows' times come from their columns' default (the COPY leaves
    them out), the transaction's ``now()``, read back for the submission; SQLite's
    inserts give them. Either way the payload says what is stored."""
    token = await token_for(engine)
    outcome = await submit(engine, token, trained(30))
    assert outcome.accepted == 30
    async with engine.connect() as conn:
        submission = (
            await conn.execute(
                select(Submission.created_at, Submission.decided_at).where(
                    Submission.id == outcome.submission_id
                )
            )
        ).one()
        stamps = (
            await conn.execute(
                select(Observation.recorded_at, Observation.updated_at).where(
                    Observation.submission_id == outcome.submission_id
                )
            )
        ).all()
    moment = as_utc(submission.created_at)
    assert as_utc(submission.decided_at) == moment
    assert len(stamps) == 30
    assert {(as_utc(recorded), as_utc(updated)) for recorded, updated in stamps} == {
        (moment, moment)
    }
    assert {(r.recorded_at, r.updated_at) for r in outcome.observations} == {(moment, moment)}


async def test_a_resubmitted_batch_becomes_the_only_current_revision(engine):
    ministry, province = await token_for(engine), await token_for(engine, "22")
    first = await submit(engine, ministry, trained(50))
    second = await submit(engine, ministry, trained(50, offset=0.0 + 1000))
    pending = await submit(engine, province, trained(50, offset=2000))
    assert [o.accepted for o in (first, second, pending)] == [50, 50, 50]
    assert {r.revision for r in second.observations} == {2}
    assert {(r.revision, r.status) for r in pending.observations} == {(3, "PENDING")}
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                select(
                    Observation.series_key,
                    Observation.revision,
                    Observation.is_current,
                    Observation.updated_at,
                ).where(
                    Observation.indicator_code == "training.people_trained",
                    Observation.province_code == "22",
                    Observation.period.like("%-01"),
                )
            )
        ).all()
    assert len(rows) == 150
    current = {r.series_key: r.revision for r in rows if r.is_current}
    assert current == {r.series_key: 2 for r in second.observations}
    superseded = {r.updated_at.replace(tzinfo=UTC) for r in rows if r.revision == 1}
    assert superseded == {second.observations[0].recorded_at}


async def test_a_batch_takes_as_many_statements_whatever_its_size(engine, backend):
    token = await token_for(engine)
    await submit(engine, token, trained(5, period_month=2))  # warm caches
    counts = []
    for size, month in ((5, 3), (160, 4)):
        with count_statements(engine) as counter:
            outcome = await submit(engine, token, trained(size, period_month=month))
        assert outcome.accepted == size
        counts.append(counter.count)
    if backend == "postgresql":  # SQLite splits a large INSERT by its parameter limit
        assert counts[0] == counts[1], counts
    async with engine.connect() as conn:
        current = (
            await conn.execute(
                select(func.count()).where(
                    Observation.indicator_code == "training.people_trained",
                    Observation.period.like("%-04"),
                    Observation.is_current.is_(True),
                )
            )
        ).scalar_one()
    assert current == 160


def test_a_lost_race_during_copy_is_retried_like_any_other():
    assert is_retryable(as_dbapi_error(asyncpg.exceptions.UniqueViolationError("taken"), "COPY"))
    assert is_retryable(
        as_dbapi_error(asyncpg.exceptions.DeadlockDetectedError("deadlock"), "COPY")
    )
    assert not is_retryable(as_dbapi_error(asyncpg.exceptions.DataError("bad"), "COPY"))
    other = ValueError("not the database's")
    assert as_dbapi_error(other, "COPY") is other


async def test_a_batch_stored_under_the_former_digest_is_recognised_when_retried(engine):
    token = await token_for(engine)
    items = trained(3, period_month=5)
    first = await submit(engine, token, items, idempotency_key="before-the-change")
    former = request_hash(("22", items, None))
    async with engine.begin() as conn:
        stored = await conn.execute(
            update(Submission)
            .where(Submission.id == first.submission_id)
            .values(request_hash=former)  # as the hub stored it before batch_digest
            .returning(Submission.province_code)
        )
        assert stored.scalar_one() == "22"
    assert batch_digest("22", items, None) != former
    again = await submit(engine, token, items, idempotency_key="before-the-change")
    assert again.problems == []
    assert again.submission_id == first.submission_id
    assert list(again.observations) == list(first.observations)
    other = await submit(
        engine, token, trained(3, period_month=6), idempotency_key="before-the-change"
    )
    assert [p.code for p in other.problems] == [ErrorCode.IDEMPOTENCY_KEY_REUSED]
    async with engine.connect() as conn:
        count = await conn.execute(
            select(func.count()).where(Observation.submission_id == first.submission_id)
        )
        assert count.scalar_one() == 3


async def test_the_digest_is_worked_out_and_kept_only_for_a_batch_with_a_key(engine, monkeypatch):
    token = await token_for(engine)
    digested: list[int] = []

    def counting_digest(province, items, reason):
        digested.append(len(items))
        return batch_digest(province, items, reason)

    monkeypatch.setattr("hub.submissions.service.batch_digest", counting_digest)
    without = await submit(engine, token, trained(4, period_month=9))
    assert digested == []
    keyed = await submit(engine, token, trained(5, period_month=10), idempotency_key="k10")
    assert digested == [5]
    async with engine.connect() as conn:
        hashes = dict(
            (
                await conn.execute(
                    select(Submission.id, Submission.request_hash).where(
                        Submission.id.in_([without.submission_id, keyed.submission_id])
                    )
                )
            ).all()
        )
    assert hashes == {
        without.submission_id: None,
        keyed.submission_id: batch_digest("22", trained(5, period_month=10), None),
    }
    replayed = await submit(engine, token, trained(5, period_month=10), idempotency_key="k10")
    assert replayed.submission_id == keyed.submission_id


async def test_a_batch_that_fails_while_its_records_stream_stores_nothing(engine, monkeypatch):
    token = await token_for(engine)
    before = await stored_counts(engine)
    made = 0

    def failing_cells(dimensions):
        nonlocal made
        made += 1
        if made == 5:
            raise RuntimeError("the 5th breakdown")
        return dimension_cells(dimensions)

    monkeypatch.setattr(observations, "dimension_cells", failing_cells)
    with pytest.raises(RuntimeError, match="5th"):
        await submit(engine, token, trained(80, period_month=7))
    assert made == 5
    assert await stored_counts(engine) == before
    # Nothing checked out but the connections the driver keeps (hub.kept_connections).
    assert engine.sync_engine.pool.checkedout() == kept_connections.held(engine.sync_engine)


async def test_no_connection_is_left_behind_by_a_refused_or_replayed_batch(engine):
    ministry, province = await token_for(engine), await token_for(engine, "22")
    items = trained(20, period_month=8)
    assert (await submit(engine, ministry, items, idempotency_key="k8")).accepted == 20
    replayed = await submit(engine, ministry, items, idempotency_key="k8")
    stale = await submit(
        engine, ministry, [replace(items[0], expected_revision=5), *items[1:]], reason="again"
    )
    async with engine.begin() as conn:
        await conn.execute(
            insert(PeriodLock).values(
                province_code="22", year=2016, locked_by="test", locked_at=TODAY
            )
        )
    locked = await submit(engine, province, trained(20, period_month=9))
    assert replayed.accepted == 20
    assert [p.code for p in stale.problems] == [ErrorCode.STALE_REVISION]
    assert {p.code for p in locked.problems} == {ErrorCode.PERIOD_LOCKED}
    # Nothing checked out but the connections the driver keeps (hub.kept_connections).
    assert engine.sync_engine.pool.checkedout() == kept_connections.held(engine.sync_engine)


async def test_a_key_with_a_line_break_never_reaches_the_probe(engine, backend):
    async with engine.connect() as conn:
        assert await latest_revisions(conn, []) == {}
        if backend == "postgresql":  # the keys travel as lines of one text
            with pytest.raises(ValueError, match="line break"):
                await latest_revisions(conn, ["a|22|2023|", "b|22|2023\n|"])
