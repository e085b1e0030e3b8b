"""For a target year: every province target linked to an indicator, and where it stands.

A target is ON_TRACK when the province's latest figure already meets it, BEHIND when
the latest figure does not, and NO_DATA when the province has no figure of that
indicator and breakdown. Two statements, whatever the number of targets.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.models import Indicator, Plan, Target
from hub.plans import (
    TARGET_COLUMNS,
    TargetProgressRecord,
    TargetRecord,
    progress_by_target_ids,
    target_record,
)


class TargetStatus(Enum):
    ON_TRACK = "ON_TRACK"
    BEHIND = "BEHIND"
    NO_DATA = "NO_DATA"


@dataclass(frozen=True, slots=True)
class TargetStanding:
    target: TargetRecord
    province_code: str
    status: TargetStatus
    progress: TargetProgressRecord


async def targets_report(
    *, engine: AsyncEngine, year: int, indicator_code: str | None, topic: str | None
) -> list[TargetStanding]:
    query = (
        select(*TARGET_COLUMNS, Plan.province_code)
        .join(Plan, Plan.id == Target.plan_id)
        .join(Indicator, Indicator.code == Target.indicator_code)
        .where(Plan.is_current.is_(True), Target.year == year, Target.value.is_not(None))
        .order_by(Plan.province_code, Target.plan_id, Target.position)
    )
    if indicator_code is not None:
        query = query.where(Target.indicator_code == indicator_code)
    if topic is not None:
        query = query.where(Indicator.topic == topic)
    async with engine.connect() as conn:
        rows = (await conn.execute(query)).all()
    targets = [(target_record(row), row.province_code) for row in rows]
    progress = await progress_by_target_ids(engine=engine, target_ids=[t.id for t, _ in targets])
    standings = []
    for target, province_code in targets:
        found = progress.get(target.id) or TargetProgressRecord(None, None, None, None)
        if found.met is None:
            status = TargetStatus.NO_DATA
        else:
            status = TargetStatus.ON_TRACK if found.met else TargetStatus.BEHIND
        standings.append(TargetStanding(target, province_code, status, found))
    return standings
