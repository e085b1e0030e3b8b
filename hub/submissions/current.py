"""Which revision is current: the highest approved one of each series, for figures and plans."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import String, and_, any_, bindparam, func, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.orm import aliased

from hub.models import Observation, Plan


async def refresh_current(
    conn: AsyncConnection, model: type[Observation] | type[Plan], keys: Sequence[str], now: datetime
) -> None:
    """Make the highest approved revision of each key (series or plan) the current one.

    The end state depends only on what is stored, not on the order writers committed in.
    Only rows whose flag changes are touched (their ``updated_at`` becomes ``now``).
    """
    unique = sorted(set(keys))
    if not unique:
        return
    if conn.dialect.name == "postgresql":
        await _refresh_in_one_statement(conn, model, unique, now)
    else:
        await _refresh_in_two_statements(conn, model, unique, now)


async def _refresh_in_one_statement(
    conn: AsyncConnection, model: type[Observation] | type[Plan], keys: list[str], now: datetime
) -> None:
    """PostgreSQL: each key's highest approved revision, computed once for all keys (the
    keys sent as one array), joined back; a row changes when its flag disagrees with it.

    A key without an approved revision is left alone, as in the two-statement form.
    """
    key_name = "series_key" if model is Observation else "plan_key"
    key = getattr(model, key_name)
    other = aliased(model)
    other_key = getattr(other, key_name)
    best = (
        select(other_key.label("key"), func.max(other.revision).label("revision"))
        .where(
            other_key == any_(bindparam("keys", keys, type_=ARRAY(String))),
            other.status == "APPROVED",
        )
        .group_by(other_key)
        .subquery()
    )
    becomes = and_(model.status == "APPROVED", model.revision == best.c.revision)
    await conn.execute(
        update(model)
        .where(key == best.c.key, model.is_current != becomes)
        .values(is_current=becomes, updated_at=now)
        .execution_options(synchronize_session=False)
    )


async def _refresh_in_two_statements(
    conn: AsyncConnection, model: type[Observation] | type[Plan], keys: list[str], now: datetime
) -> None:
    """Each row is compared with its own key's highest approved revision (a correlated
    subquery on the unique (key, revision) index), which stays linear in the batch."""
    key_name = "series_key" if model is Observation else "plan_key"
    key = getattr(model, key_name)
    other = aliased(model)
    best = (
        select(func.max(other.revision))
        .where(getattr(other, key_name) == key, other.status == "APPROVED")
        .scalar_subquery()
    )
    await conn.execute(
        update(model)
        .where(key.in_(keys), model.is_current.is_(True), model.revision != best)
        .values(is_current=False, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    await conn.execute(
        update(model)
        .where(
            key.in_(keys),
            model.is_current.is_(False),
            model.status == "APPROVED",
            model.revision == best,
        )
        .values(is_current=True, updated_at=now)
        .execution_options(synchronize_session=False)
    )
