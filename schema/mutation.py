"""Mutations: thin translations from GraphQL inputs to ``hub.submissions`` services."""

from __future__ import annotations

from typing import Annotated, cast

import strawberry

from hub.errors import UnknownProvinceError
from hub.identifiers import ascii_int
from hub.observations import observations_by_ids
from hub.provinces import resolve_provinces
from hub.submissions import review
from hub.submissions.codes import ErrorCode, Problem
from hub.submissions.inputs import (
    ObservationBatch,
    ObservationItem,
    PlanItem,
    SourceItem,
    TargetItem,
)
from hub.submissions.plans import submit_plan
from hub.submissions.service import load_catalogue, submit_observations
from schema.context import Info
from schema.inputs import (
    CorrectObservationInput,
    SourceInput,
    SubmitObservationsInput,
    SubmitPlanInput,
)
from schema.observation import Observation, build_observations
from schema.payloads import SubmitObservationsPayload, SubmitPlanPayload, UserError
from schema.plan import Plan
from schema.province import Province
from schema.submission import Submission, user_errors


def _source(given: SourceInput | None) -> SourceItem | None:
    if given is None:
        return None
    return SourceItem(title=given.title, url=given.url, published_on=given.published_on)


async def _submit(info: Info, batch: ObservationBatch) -> SubmitObservationsPayload:
    outcome = await submit_observations(
        engine=info.context.engine,
        principal=info.context.principal,
        batch=batch,
        max_batch=info.context.settings.max_batch_size,
    )
    return SubmitObservationsPayload(
        accepted=outcome.accepted,
        records=outcome.observations,
        user_errors=user_errors(outcome.problems),
        submission_id=None
        if outcome.submission_id is None
        else strawberry.ID(str(outcome.submission_id)),
    )


@strawberry.type(description="The outcome of correctObservation.")
class CorrectObservationPayload:
    observation: Observation | None = strawberry.field(
        description="The new revision; null when refused or on a dry run."
    )
    user_errors: list[UserError] = strawberry.field(description="Every problem found.")


@strawberry.type(description="The outcome of approving or rejecting a submission.")
class ReviewSubmissionPayload:
    submission: Submission | None = strawberry.field(description="The submission as it now is.")
    user_errors: list[UserError] = strawberry.field(description="Every problem found.")


@strawberry.type(description="The outcome of locking or unlocking a province-year.")
class PeriodLockPayload:
    province: Province | None = strawberry.field(description="The province.")
    year: int = strawberry.field(description="The year.")
    locked: bool = strawberry.field(description="Whether the province-year is now locked.")
    user_errors: list[UserError] = strawberry.field(description="Every problem found.")


@strawberry.type(description="Submit, correct and review figures and plans.")
class Mutation:
    @strawberry.mutation(
        description="Submit a batch of figures for one province: all stored, or none. A "
        "province's token submits for its own province (pending the ministry's review); the "
        "ministry's token publishes directly."
    )
    async def submit_observations(
        self,
        info: Info,
        input: Annotated[SubmitObservationsInput, strawberry.argument(description="The batch.")],
    ) -> SubmitObservationsPayload:
        # Built by schema.fast_inputs.observation_batch (the input type's from_input).
        return await _submit(info, cast(ObservationBatch, input))

    @strawberry.mutation(
        description="Correct one figure: stores a new revision with its reason; the old one "
        "stays in the history."
    )
    async def correct_observation(
        self,
        info: Info,
        input: Annotated[
            CorrectObservationInput, strawberry.argument(description="The correction.")
        ],
    ) -> CorrectObservationPayload:
        observation_id = ascii_int(str(input.id))
        found = (
            await observations_by_ids(engine=info.context.engine, ids=[observation_id])
            if observation_id is not None
            else []
        )
        visible = [r for r in found if r.status == "APPROVED" or info.context.principal is not None]
        if not visible:
            problem = Problem(("id",), ErrorCode.NOT_FOUND, f"No observation {input.id}")
            return CorrectObservationPayload(observation=None, user_errors=user_errors([problem]))
        old = visible[0]
        payload = await _submit(
            info,
            ObservationBatch(
                province=old.province_code,
                items=(
                    ObservationItem(
                        indicator=old.indicator_code,
                        year=old.year,
                        period=old.period,
                        value=input.value,
                        numerator=input.numerator,
                        denominator=input.denominator,
                        dimensions=tuple((d.name, d.value) for d in old.dimensions),
                        source=_source(input.source),
                        flag=old.flag,
                        comment=old.comment,
                        expected_revision=input.expected_revision,
                    ),
                ),
                dry_run=bool(input.dry_run),
                idempotency_key=input.idempotency_key,
                reason=input.reason if input.reason.strip() else None,
            ),
        )
        errors = payload.user_errors
        if not input.reason.strip():
            errors = [UserError(field=["reason"], code="BLANK", message="Give the reason")]
        return CorrectObservationPayload(
            observation=(await build_observations(info, payload.records[:1]))[0]
            if payload.records and not errors
            else None,
            user_errors=errors,
        )

    @strawberry.mutation(
        description="Submit a plan with its targets for one province, as a new revision."
    )
    async def submit_plan(
        self,
        info: Info,
        input: Annotated[SubmitPlanInput, strawberry.argument(description="The plan.")],
    ) -> SubmitPlanPayload:
        item = PlanItem(
            province=str(input.province),
            kind=input.kind.name,
            title=input.title,
            number=input.number,
            issued_on=input.issued_on,
            period_start=input.period_start,
            period_end=input.period_end,
            signer=input.signer,
            targets=tuple(
                TargetItem(
                    description=t.description,
                    year=t.year,
                    indicator=None if t.indicator is None else str(t.indicator),
                    value=t.value,
                    comparator=None if t.comparator is None else t.comparator.name,
                    dimensions=tuple((d.name, d.value) for d in t.dimensions or ()),
                )
                for t in input.targets or ()
            ),
            source=_source(input.source),
            dry_run=bool(input.dry_run),
            idempotency_key=input.idempotency_key,
            reason=input.reason,
            expected_revision=input.expected_revision,
        )
        outcome = await submit_plan(
            engine=info.context.engine,
            principal=info.context.principal,
            item=item,
            catalogue=await load_catalogue(info.context.engine),
        )
        return SubmitPlanPayload(
            plan=None if outcome.plan is None else Plan.from_record(outcome.plan),
            user_errors=user_errors(outcome.problems),
        )

    @strawberry.mutation(
        description="Approve a pending submission (ministry only): its figures become public."
    )
    async def approve_submission(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The submission.")],
    ) -> ReviewSubmissionPayload:
        return await _review(info, id, "APPROVED", None)

    @strawberry.mutation(
        description="Reject a pending submission (ministry only): public figures stay as they were."
    )
    async def reject_submission(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The submission.")],
        reason: Annotated[str, strawberry.argument(description="Why it is rejected.")],
    ) -> ReviewSubmissionPayload:
        return await _review(info, id, "REJECTED", reason)

    @strawberry.mutation(
        description="Lock a province-year (ministry only): later submissions for it by the "
        "province are refused with PERIOD_LOCKED."
    )
    async def lock_period(
        self,
        info: Info,
        province: Annotated[strawberry.ID, strawberry.argument(description="The province.")],
        year: Annotated[int, strawberry.argument(description="The year.")],
    ) -> PeriodLockPayload:
        return await _lock(info, province, year, locked=True)

    @strawberry.mutation(description="Unlock a province-year (ministry only).")
    async def unlock_period(
        self,
        info: Info,
        province: Annotated[strawberry.ID, strawberry.argument(description="The province.")],
        year: Annotated[int, strawberry.argument(description="The year.")],
    ) -> PeriodLockPayload:
        return await _lock(info, province, year, locked=False)


async def _review(
    info: Info, submission_id: strawberry.ID, decision: str, reason: str | None
) -> ReviewSubmissionPayload:
    number = ascii_int(str(submission_id))
    if number is None:
        problem = Problem(("id",), ErrorCode.NOT_FOUND, f"No submission {submission_id}")
        return ReviewSubmissionPayload(submission=None, user_errors=user_errors([problem]))
    outcome = await review.decide(
        engine=info.context.engine,
        principal=info.context.principal,
        submission_id=number,
        decision=decision,
        reason=reason,
    )
    if isinstance(outcome, Problem):
        return ReviewSubmissionPayload(submission=None, user_errors=user_errors([outcome]))
    return ReviewSubmissionPayload(submission=Submission.from_record(outcome), user_errors=[])


async def _lock(
    info: Info, reference: strawberry.ID, year: int, *, locked: bool
) -> PeriodLockPayload:
    try:
        (province,) = await resolve_provinces(
            engine=info.context.engine, references=[str(reference)], field=("province",)
        )
    except UnknownProvinceError as error:
        problem = Problem(("province",), ErrorCode.UNKNOWN_PROVINCE, error.message)
        return PeriodLockPayload(
            province=None, year=year, locked=False, user_errors=user_errors([problem])
        )
    refused = await review.set_lock(
        engine=info.context.engine,
        principal=info.context.principal,
        province_code=province.code,
        year=year,
        locked=locked,
    )
    return PeriodLockPayload(
        province=Province.from_record(province),
        year=year,
        locked=locked if refused is None else not locked,
        user_errors=user_errors([refused] if refused else []),
    )
