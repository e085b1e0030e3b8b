"""Helpers for write-side tests: tokens and a count of stored figures."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.auth import Role, create_token
from hub.models import Observation, Plan, Submission

SUBMIT = """
mutation($input: SubmitObservationsInput!) {
  submitObservations(input: $input) {
    accepted submissionId
    observations { id revision status value numerator denominator indicator { code } }
    userErrors { field code message }
  }
}
"""


async def token_for(
    engine: AsyncEngine, province: str | None = None, *, expires_in: timedelta | None = None
) -> str:
    role = Role.PROVINCE if province else Role.MINISTRY
    token, _ = await create_token(
        engine=engine,
        role=role,
        province_code=province,
        label=f"test {province or 'ministry'}",
        expires_in=expires_in,
    )
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def stored_counts(engine: AsyncEngine) -> tuple[int, int, int]:
    async with engine.connect() as conn:
        return tuple(  # type: ignore[return-value]
            [
                (await conn.execute(select(func.count()).select_from(m))).scalar_one()
                for m in (Observation, Plan, Submission)
            ]
        )


def staffing(value: float = 40, **extra: object) -> dict[str, object]:
    """A valid figure for Bến Tre: IT staff in 2023."""
    return {"indicator": "staffing.it_staff", "year": 2023, "value": value, **extra}
