"""``submitObservations`` from start to end: who, which province, valid, stored or not."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.auth import Principal
from hub.errors import MAX_YEAR, MIN_YEAR, UnknownProvinceError
from hub.indicators import list_indicators
from hub.models import DimensionValue
from hub.observations import ObservationRecord, observations_by_ids
from hub.provinces import resolve_provinces, year_reference_date
from hub.submissions.codes import ErrorCode, Problem
from hub.submissions.inputs import ObservationBatch
from hub.submissions.observations import (
    StoredBatch,
    batch_digest,
    request_hash,
    store_batch,
)
from hub.submissions.validation import Catalogue, check_text, validate_observations

MAX_IDEMPOTENCY_KEY = 200
MAX_REASON = 2000


@dataclass(frozen=True, slots=True)
class SubmissionOutcome:
    accepted: int
    observations: Sequence[ObservationRecord] = ()
    problems: list[Problem] = field(default_factory=list)
    submission_id: int | None = None


async def load_catalogue(engine: AsyncEngine) -> Catalogue:
    indicators = await list_indicators(engine=engine)
    async with engine.connect() as conn:
        rows = (
            await conn.execute(select(DimensionValue.dimension_name, DimensionValue.code))
        ).all()
    values: dict[str, set[str]] = {}
    for name, code in rows:
        values.setdefault(name, set()).add(code)
    return Catalogue(
        indicators={i.code: i for i in indicators},
        dimension_values={name: frozenset(codes) for name, codes in values.items()},
    )


def _refused(problems: list[Problem]) -> SubmissionOutcome:
    return SubmissionOutcome(accepted=0, problems=problems)


async def submit_observations(
    *,
    engine: AsyncEngine,
    principal: Principal | None,
    batch: ObservationBatch,
    max_batch: int,
    today: datetime | None = None,
) -> SubmissionOutcome:
    if principal is None:
        return _refused(
            [
                Problem(
                    (),
                    ErrorCode.UNAUTHENTICATED,
                    "Submissions need an API token (Authorization: Bearer <token>)",
                )
            ]
        )
    problems: list[Problem] = []
    key = check_text(
        batch.idempotency_key, ("idempotencyKey",), MAX_IDEMPOTENCY_KEY, problems, required=False
    )
    reason = check_text(batch.reason, ("reason",), MAX_REASON, problems, required=False)
    years = {item.year for item in batch.items if MIN_YEAR <= item.year <= MAX_YEAR}
    on = year_reference_date(min(years)) if years else None
    try:
        (province,) = await resolve_provinces(
            engine=engine, references=[batch.province], field=("province",), on=on
        )
    except UnknownProvinceError as error:
        return _refused([Problem(("province",), ErrorCode.UNKNOWN_PROVINCE, error.message)])
    if not principal.may_write_for(province.code):
        return _refused(
            [
                Problem(
                    ("province",),
                    ErrorCode.FORBIDDEN,
                    f"This token may not submit for {province.name} ({province.code})",
                )
            ]
        )
    now = today or datetime.now(UTC)
    valid, found = validate_observations(
        batch.items,
        catalogue=await load_catalogue(engine),
        current_year=now.year,
        max_batch=max_batch,
    )
    problems += found
    if problems:
        return _refused(problems)
    stored = await store_batch(
        engine=engine,
        principal=principal,
        province=province.code,
        items=valid,
        idempotency_key=key or None,
        digest=lambda: batch_digest(province.code, batch.items, reason),
        earlier_digest=lambda: request_hash((province.code, batch.items, reason)),
        reason=reason or None,
        dry_run=batch.dry_run,
    )
    if isinstance(stored, list):
        return _refused(stored)
    return await _outcome(engine, stored)


async def _outcome(engine: AsyncEngine, stored: StoredBatch) -> SubmissionOutcome:
    if stored.submission_id is None:  # a dry run that passed
        return SubmissionOutcome(accepted=0)
    records = stored.records
    if records is None:  # a replay: read what the first run stored
        records = await observations_by_ids(engine=engine, ids=stored.observation_ids)
    return SubmissionOutcome(
        accepted=len(records), observations=records, submission_id=stored.submission_id
    )
