"""Which revision is current: the highest approved one of each series, for figures and plans."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from hub.models import Observation, Plan


async def refresh_current(
    conn: AsyncConnection, model: type[Observation] | type[Plan], keys: Sequence[str], now: datetime
) -> None:
    """Make the highest approved revision of each key (series or plan) the current one.

    The end state depends only on what is stored, not on the order writers committed in.
    """
    key = Observation.series_key if model is Observation else Plan.plan_key
    unique = sorted(set(keys))
    best = (
        select(key.label("key"), func.max(model.revision).label("revision"))
        .where(key.in_(unique), model.status == "APPROVED")
        .group_by(key)
        .subquery()
    )
    winners = select(model.id).join(
        best, and_(best.c.key == key, best.c.revision == model.revision)
    )
    await conn.execute(
        update(model)
        .where(key.in_(unique), model.is_current.is_(True), model.id.not_in(winners))
        .values(is_current=False, updated_at=now)
    )
    await conn.execute(
        update(model)
        .where(model.id.in_(winners), model.is_current.is_(False))
        .values(is_current=True, updated_at=now)
    )
