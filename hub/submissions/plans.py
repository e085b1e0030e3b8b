"""``submitPlan``: a plan with its targets as a new revision, all or nothing."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import func, insert, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hub import data_version
from hub.auth import Principal
from hub.dimensions import column_name, dimension_key
from hub.errors import UnknownProvinceError
from hub.models import Plan, Source, Submission, Target
from hub.plans import PlanRecord, plans_by_ids
from hub.provinces import resolve_provinces
from hub.retry import MAX_ATTEMPTS, back_off, is_retryable
from hub.sources import source_fingerprint
from hub.submissions.codes import ErrorCode, Problem
from hub.submissions.current import refresh_current
from hub.submissions.inputs import PlanItem
from hub.submissions.observations import find_submission, request_hash
from hub.submissions.validation import Catalogue, ValidTarget, check_text, validate_plan


@dataclass(frozen=True, slots=True)
class PlanOutcome:
    plan: PlanRecord | None = None
    problems: list[Problem] = field(default_factory=list)


async def _source_id(conn: AsyncConnection, item: PlanItem) -> int | None:
    if item.source is None:
        return None
    fingerprint = source_fingerprint(item.source.title, item.source.url, item.source.published_on)
    found = (
        await conn.execute(select(Source.id).where(Source.fingerprint == fingerprint))
    ).scalar()
    if found is not None:
        return int(found)
    inserted = await conn.execute(
        insert(Source)
        .values(
            fingerprint=fingerprint,
            title=item.source.title,
            url=item.source.url,
            published_on=item.source.published_on,
        )
        .returning(Source.id)
    )
    return int(inserted.scalar_one())


async def _write(
    conn: AsyncConnection,
    *,
    principal: Principal,
    province: str,
    item: PlanItem,
    fields: dict[str, object],
    targets: list[ValidTarget],
    digest: str,
    reason: str | None,
    now: datetime,
) -> int | Problem:
    key = f"{province}|{fields['number'] or fields['title']}"
    latest = (
        await conn.execute(select(func.max(Plan.revision)).where(Plan.plan_key == key))
    ).scalar() or 0
    if item.expected_revision is not None and latest != item.expected_revision:
        return Problem(
            ("expectedRevision",),
            ErrorCode.STALE_REVISION,
            f"The latest revision is {latest}, not {item.expected_revision}",
        )
    status = "APPROVED" if principal.is_ministry else "PENDING"
    submission_id = (
        await conn.execute(
            insert(Submission)
            .values(
                kind="PLAN",
                province_code=province,
                token_id=principal.token_id,
                submitted_by=principal.label,
                status=status,
                idempotency_key=item.idempotency_key,
                request_hash=digest,
                item_count=1,
                reason=reason,
                created_at=now,
                decided_at=now if status == "APPROVED" else None,
                decided_by=principal.label if status == "APPROVED" else None,
            )
            .returning(Submission.id)
        )
    ).scalar_one()
    plan_id = (
        await conn.execute(
            insert(Plan)
            .values(
                plan_key=key,
                revision=latest + 1,
                province_code=province,
                number=fields["number"],
                kind=item.kind,
                title=fields["title"],
                issued_on=item.issued_on,
                signer=fields["signer"],
                period_start=item.period_start,
                period_end=item.period_end,
                status=status,
                is_current=False,
                content_hash=digest,
                reason=reason,
                source_id=await _source_id(conn, item),
                submission_id=submission_id,
                recorded_at=now,
                updated_at=now,
                recorded_by=principal.label,
            )
            .returning(Plan.id)
        )
    ).scalar_one()
    if targets:
        await conn.execute(
            insert(Target),
            [
                {
                    "plan_id": plan_id,
                    "position": position,
                    "indicator_code": target.indicator,
                    "description": target.description,
                    "year": target.year,
                    "value": target.value,
                    "comparator": target.comparator,
                    "dimension_key": dimension_key(dict(target.dimensions)),
                    **{column_name(name): value for name, value in target.dimensions},
                }
                for position, target in enumerate(targets)
            ],
        )
    if status == "APPROVED":
        await refresh_current(conn, Plan, [key], now)
    await data_version.bump(conn)
    return int(plan_id)


async def submit_plan(
    *,
    engine: AsyncEngine,
    principal: Principal | None,
    item: PlanItem,
    catalogue: Catalogue,
) -> PlanOutcome:
    if principal is None:
        return PlanOutcome(
            problems=[Problem((), ErrorCode.UNAUTHENTICATED, "Submissions need an API token")]
        )
    try:
        (province,) = await resolve_provinces(
            engine=engine, references=[item.province], field=("province",)
        )
    except UnknownProvinceError as error:
        return PlanOutcome(
            problems=[Problem(("province",), ErrorCode.UNKNOWN_PROVINCE, error.message)]
        )
    if not principal.may_write_for(province.code):
        return PlanOutcome(
            problems=[
                Problem(
                    ("province",),
                    ErrorCode.FORBIDDEN,
                    f"This token may not submit for {province.name} ({province.code})",
                )
            ]
        )
    fields, targets, problems = validate_plan(item, catalogue=catalogue)
    reason = check_text(item.reason, ("reason",), 2000, problems, required=False)
    key = check_text(item.idempotency_key, ("idempotencyKey",), 200, problems, required=False)
    if problems:
        return PlanOutcome(problems=problems)
    digest = request_hash((province.code, dataclasses.replace(item, dry_run=False)))
    for attempt in range(MAX_ATTEMPTS):
        now = datetime.now(UTC)
        try:
            async with engine.begin() as conn:
                if key:
                    earlier = await find_submission(
                        conn, principal=principal, idempotency_key=key, digest=digest
                    )
                    if isinstance(earlier, Problem):
                        return PlanOutcome(problems=[earlier])
                    if earlier is not None:
                        plan_ids = (
                            (
                                await conn.execute(
                                    select(Plan.id).where(Plan.submission_id == earlier)
                                )
                            )
                            .scalars()
                            .all()
                        )
                        found = await plans_by_ids(engine=engine, ids=list(plan_ids))
                        return PlanOutcome(plan=found[0] if found else None)
                written = await _write(
                    conn,
                    principal=principal,
                    province=province.code,
                    item=item,
                    fields=fields,
                    targets=targets,
                    digest=digest,
                    reason=reason or None,
                    now=now,
                )
                if isinstance(written, Problem) or item.dry_run:
                    await conn.rollback()
                    return PlanOutcome(problems=[written] if isinstance(written, Problem) else [])
            (plan,) = await plans_by_ids(engine=engine, ids=[written])
            return PlanOutcome(plan=plan)
        except DBAPIError as error:
            if attempt == MAX_ATTEMPTS - 1 or not is_retryable(error):
                raise
            await back_off(attempt)
    raise AssertionError("unreachable")
