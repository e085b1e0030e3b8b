from __future__ import annotations

from collections.abc import Sequence

import strawberry

from hub.observations import ObservationRecord
from schema.context import Info
from schema.observation import Observation, build_observations
from schema.plan import Plan


@strawberry.type(
    description="A problem with the caller's input, returned in a payload instead of a "
    "GraphQL error."
)
class UserError:
    field: list[str] | None = strawberry.field(
        description='Path to the offending input field, e.g. ["observations", "3", "value"].'
    )
    code: str = strawberry.field(
        description="Stable machine-readable code, e.g. UNKNOWN_INDICATOR, OUT_OF_RANGE, "
        "FORBIDDEN; the README lists them all (section Submitting figures)."
    )
    message: str = strawberry.field(description="What is wrong, for a person.")


@strawberry.type(description="The outcome of submitObservations.")
class SubmitObservationsPayload:
    accepted: int = strawberry.field(
        description="How many observations were stored (0 on a dry run or when any input is "
        "rejected: a batch is all or nothing)."
    )
    user_errors: list[UserError] = strawberry.field(description="Every problem found.")
    submission_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The submission the figures were stored under (for review and audit).",
    )
    records: strawberry.Private[Sequence[ObservationRecord]] = ()

    @strawberry.field(description="The stored observations.")
    async def observations(self, info: Info) -> list[Observation]:
        # Built only when asked for: a bulk client reading `accepted` pays nothing.
        return await build_observations(info, self.records)


@strawberry.type(description="The outcome of submitPlan.")
class SubmitPlanPayload:
    plan: Plan | None = strawberry.field(description="The stored plan; null when refused.")
    user_errors: list[UserError] = strawberry.field(description="Every problem found.")
