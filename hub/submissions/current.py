"""Which revision is current: the highest approved one of each series, for figures and plans."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.orm import aliased

from hub.models import Observation, Plan


async def refresh_current(
    conn: AsyncConnection, model: type[Observation] | type[Plan], keys: Sequence[str], now: datetime
) -> None:
    """Make the highest approved revision of each key (series or plan) the current one.

    The end state depends only on what is stored, not on the order writers committed in.
    Each row is compared with its own key's highest approved revision (a correlated
    subquery on the unique (key, revision) index), which stays linear in the batch.
    """
    key_name = "series_key" if model is Observation else "plan_key"
    key = getattr(model, key_name)
    other = aliased(model)
    best = (
        select(func.max(other.revision))
        .where(getattr(other, key_name) == key, other.status == "APPROVED")
        .scalar_subquery()
    )
    unique = sorted(set(keys))
    await conn.execute(
        update(model)
        .where(key.in_(unique), model.is_current.is_(True), model.revision != best)
        .values(is_current=False, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    await conn.execute(
        update(model)
        .where(
            key.in_(unique),
            model.is_current.is_(False),
            model.status == "APPROVED",
            model.revision == best,
        )
        .values(is_current=True, updated_at=now)
        .execution_options(synchronize_session=False)
    )
