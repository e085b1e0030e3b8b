"""The ministry's side: approve or reject a submission, lock and unlock a province-year.

Approving makes the submission's revisions approved and, series by series, the
highest approved revision current; rejecting leaves the public figures as they were.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from hub import data_version
from hub.auth import Principal
from hub.models import Observation, PeriodLock, Plan, Submission
from hub.submissions.codes import ErrorCode, Problem
from hub.submissions.current import refresh_current

DECISIONS = {"APPROVED", "REJECTED"}


@dataclass(frozen=True, slots=True)
class SubmissionRecord:
    id: int
    kind: str
    province_code: str
    submitted_by: str
    status: str
    idempotency_key: str | None
    item_count: int
    reason: str | None
    created_at: datetime
    decided_at: datetime | None
    decided_by: str | None
    decision_reason: str | None


_COLUMNS = (
    Submission.id,
    Submission.kind,
    Submission.province_code,
    Submission.submitted_by,
    Submission.status,
    Submission.idempotency_key,
    Submission.item_count,
    Submission.reason,
    Submission.created_at,
    Submission.decided_at,
    Submission.decided_by,
    Submission.decision_reason,
)


def _aware(moment: datetime | None) -> datetime | None:
    return None if moment is None or moment.tzinfo else moment.replace(tzinfo=UTC)


def _record(row: object) -> SubmissionRecord:
    values = list(row)  # type: ignore[call-overload]
    values[8] = _aware(values[8])
    values[9] = _aware(values[9])
    return SubmissionRecord(*values)


def _ministry_only(principal: Principal | None) -> Problem | None:
    if principal is None:
        return Problem((), ErrorCode.UNAUTHENTICATED, "This needs a ministry API token")
    if not principal.is_ministry:
        return Problem((), ErrorCode.FORBIDDEN, "Only the ministry may do this")
    return None


async def decide(
    *,
    engine: AsyncEngine,
    principal: Principal | None,
    submission_id: int,
    decision: str,
    reason: str | None,
) -> SubmissionRecord | Problem:
    """Approve or reject a pending submission, in one transaction."""
    if refused := _ministry_only(principal):
        return refused
    assert principal is not None
    assert decision in DECISIONS
    now = datetime.now(UTC)
    async with engine.begin() as conn:
        row = (await conn.execute(select(*_COLUMNS).where(Submission.id == submission_id))).first()
        if row is None:
            return Problem(("id",), ErrorCode.NOT_FOUND, f"No submission {submission_id}")
        if row.status != "PENDING":
            return Problem(
                ("id",), ErrorCode.ALREADY_DECIDED, f"Submission {submission_id} is {row.status}"
            )
        await conn.execute(
            update(Submission)
            .where(Submission.id == submission_id)
            .values(
                status=decision, decided_at=now, decided_by=principal.label, decision_reason=reason
            )
        )
        if row.kind == "OBSERVATIONS":
            await conn.execute(
                update(Observation)
                .where(Observation.submission_id == submission_id)
                .values(status=decision, updated_at=now)
            )
            keys = (
                await conn.execute(
                    select(Observation.series_key).where(Observation.submission_id == submission_id)
                )
            ).scalars()
            if decision == "APPROVED":
                await refresh_current(conn, Observation, list(keys), now)
        else:
            await conn.execute(
                update(Plan)
                .where(Plan.submission_id == submission_id)
                .values(status=decision, updated_at=now)
            )
            keys = (
                await conn.execute(select(Plan.plan_key).where(Plan.submission_id == submission_id))
            ).scalars()
            if decision == "APPROVED":
                await refresh_current(conn, Plan, list(keys), now)
        await data_version.bump(conn)
        updated = (
            await conn.execute(select(*_COLUMNS).where(Submission.id == submission_id))
        ).one()
    return _record(updated)


async def set_lock(
    *, engine: AsyncEngine, principal: Principal | None, province_code: str, year: int, locked: bool
) -> Problem | None:
    """Lock (or unlock) a province-year: while locked, only the ministry may change it."""
    if refused := _ministry_only(principal):
        return refused
    assert principal is not None
    async with engine.begin() as conn:
        exists = (
            await conn.execute(
                select(PeriodLock.year).where(
                    PeriodLock.province_code == province_code, PeriodLock.year == year
                )
            )
        ).first()
        if locked and exists is None:
            await conn.execute(
                PeriodLock.__table__.insert().values(  # type: ignore[attr-defined]
                    province_code=province_code,
                    year=year,
                    locked_by=principal.label,
                    locked_at=datetime.now(UTC),
                )
            )
        elif not locked and exists is not None:
            await conn.execute(
                delete(PeriodLock).where(
                    PeriodLock.province_code == province_code, PeriodLock.year == year
                )
            )
    return None


async def list_submissions(
    *,
    engine: AsyncEngine,
    province_codes: tuple[str, ...] | None,
    statuses: tuple[str, ...] | None,
    since: datetime | None,
    until: datetime | None,
    first: int,
    after_id: int | None,
) -> tuple[list[SubmissionRecord], bool]:
    """Submissions newest first (by id), filtered; and whether more follow."""
    query = select(*_COLUMNS).order_by(Submission.id.desc()).limit(first + 1)
    if province_codes is not None:
        query = query.where(Submission.province_code.in_(province_codes))
    if statuses is not None:
        query = query.where(Submission.status.in_(statuses))
    if since is not None:
        query = query.where(Submission.created_at >= since)
    if until is not None:
        query = query.where(Submission.created_at < until)
    if after_id is not None:
        query = query.where(Submission.id < after_id)
    async with engine.connect() as conn:
        rows = (await conn.execute(query)).all()
    return [_record(row) for row in rows[:first]], len(rows) > first
