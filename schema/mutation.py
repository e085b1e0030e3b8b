from __future__ import annotations

from typing import Annotated

import strawberry

from schema.context import Info
from schema.inputs import SubmitObservationsInput, SubmitPlanInput
from schema.payloads import SubmitObservationsPayload, SubmitPlanPayload, UserError

_NO_TOKEN = UserError(
    field=None,
    code="UNAUTHENTICATED",
    message="Submissions need an API token (Authorization: Bearer <token>).",
)


@strawberry.type(description="Submit figures and plans.")
class Mutation:
    @strawberry.mutation(description="Submit a batch of figures for one province.")
    async def submit_observations(
        self,
        info: Info,
        input: Annotated[SubmitObservationsInput, strawberry.argument(description="The batch.")],
    ) -> SubmitObservationsPayload:
        return SubmitObservationsPayload(accepted=0, observations=[], user_errors=[_NO_TOKEN])

    @strawberry.mutation(description="Submit a plan with its targets for one province.")
    async def submit_plan(
        self,
        info: Info,
        input: Annotated[SubmitPlanInput, strawberry.argument(description="The plan.")],
    ) -> SubmitPlanPayload:
        return SubmitPlanPayload(plan=None, user_errors=[_NO_TOKEN])
