"""Plans, their legal bases and targets, and how far each target is from being met."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, literal_column, or_, select
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import aliased

from hub.dimensions import DIMENSION_NAMES, column_name
from hub.models import Indicator, Observation, Plan, PlanLegalBasis, Target
from hub.observations import DimensionValue
from hub.sql_lists import one_of


@dataclass(frozen=True, slots=True)
class PlanRecord:
    id: int
    province_code: str
    number: str | None
    kind: str
    title: str
    issued_on: date | None
    issued_month: str | None
    signer: str | None
    issuer: str | None
    period_start: int | None
    period_end: int | None
    source_id: int | None
    revision: int
    status: str
    plan_key: str


@dataclass(frozen=True, slots=True)
class LegalBasisRecord:
    number: str | None
    title: str
    issued_on: date | None
    issuer: str | None


@dataclass(frozen=True, slots=True)
class TargetRecord:
    id: int
    plan_id: int
    position: int
    indicator_code: str | None
    description: str
    year: int
    value: float | None
    comparator: str
    dimensions: tuple[DimensionValue, ...]


@dataclass(frozen=True, slots=True)
class TargetProgressRecord:
    latest_value: float | None
    latest_year: int | None
    attainment: float | None
    met: bool | None


_PLAN_COLUMNS = (
    Plan.id,
    Plan.province_code,
    Plan.number,
    Plan.kind,
    Plan.title,
    Plan.issued_on,
    Plan.issued_month,
    Plan.signer,
    Plan.issuer,
    Plan.period_start,
    Plan.period_end,
    Plan.source_id,
    Plan.revision,
    Plan.status,
    Plan.plan_key,
)


def plan_visibility(pending_provinces: tuple[str, ...] | None) -> ColumnElement[bool]:
    """Current plans, plus pending revisions of the provinces the caller may see
    (None: every province; empty: none). Same rule as ``hub.observations.Visibility``."""
    if pending_provinces == ():
        return Plan.is_current.is_(True)
    own = Plan.status == "PENDING"
    if pending_provinces is not None:
        own = and_(own, Plan.province_code.in_(pending_provinces))
    return or_(Plan.is_current.is_(True), own)


async def list_plans(
    *,
    engine: AsyncEngine,
    province_codes: Iterable[str] | None = None,
    year: int | None = None,
    pending_provinces: tuple[str, ...] | None = (),
) -> list[PlanRecord]:
    """Current plans, by province and issue date; ``year`` keeps those that cover it.

    A plan covers a year when the year lies in its period, or one of its targets is set
    for that year.
    """
    query = select(*_PLAN_COLUMNS).where(plan_visibility(pending_provinces))
    if province_codes is not None:
        query = query.where(Plan.province_code.in_(sorted(set(province_codes))))
    if year is not None:
        with_target = select(Target.plan_id).where(Target.year == year)
        query = query.where(
            or_(
                and_(
                    func.coalesce(Plan.period_start, Plan.period_end) <= year,
                    func.coalesce(Plan.period_end, Plan.period_start) >= year,
                ),
                Plan.id.in_(with_target),
            )
        )
    query = query.order_by(Plan.province_code, Plan.issued_on, Plan.id)
    async with engine.connect() as conn:
        return [PlanRecord(*row) for row in await conn.execute(query)]


async def plans_by_ids(*, engine: AsyncEngine, ids: Iterable[int]) -> list[PlanRecord]:
    """Plans with these ids, whatever their status, in id order."""
    wanted = sorted(set(ids))
    if not wanted:
        return []
    query = select(*_PLAN_COLUMNS).where(Plan.id.in_(wanted)).order_by(Plan.id)
    async with engine.connect() as conn:
        return [PlanRecord(*row) for row in await conn.execute(query)]


async def revisions_by_plan_keys(
    *, engine: AsyncEngine, keys: Iterable[str], pending_provinces: tuple[str, ...] | None
) -> dict[str, list[PlanRecord]]:
    """Every revision of each plan the caller may see, oldest first."""
    wanted = sorted(set(keys))
    found: dict[str, list[PlanRecord]] = {key: [] for key in wanted}
    if not wanted:
        return found
    visible: ColumnElement[bool] = Plan.status == "APPROVED"
    if pending_provinces != ():
        others = Plan.status != "APPROVED"
        if pending_provinces is not None:
            others = and_(others, Plan.province_code.in_(pending_provinces))
        visible = or_(visible, others)
    query = (
        select(*_PLAN_COLUMNS)
        .where(Plan.plan_key.in_(wanted), visible)
        .order_by(Plan.plan_key, Plan.revision)
    )
    async with engine.connect() as conn:
        for row in await conn.execute(query):
            record = PlanRecord(*row)
            found[record.plan_key].append(record)
    return found


async def legal_bases_by_plan_ids(
    *, engine: AsyncEngine, plan_ids: Iterable[int]
) -> dict[int, list[LegalBasisRecord]]:
    wanted = sorted(set(plan_ids))
    found: dict[int, list[LegalBasisRecord]] = {plan_id: [] for plan_id in wanted}
    if not wanted:
        return found
    query = (
        select(
            PlanLegalBasis.plan_id,
            PlanLegalBasis.number,
            PlanLegalBasis.title,
            PlanLegalBasis.issued_on,
            PlanLegalBasis.issuer,
        )
        .where(PlanLegalBasis.plan_id.in_(wanted))
        .order_by(PlanLegalBasis.plan_id, PlanLegalBasis.position)
    )
    async with engine.connect() as conn:
        for row in await conn.execute(query):
            found[row.plan_id].append(LegalBasisRecord(*row[1:]))
    return found


_TARGET_DIMENSIONS = tuple(getattr(Target, column_name(name)) for name in DIMENSION_NAMES)


TARGET_COLUMNS = (
    Target.id,
    Target.plan_id,
    Target.position,
    Target.indicator_code,
    Target.description,
    Target.year,
    Target.value,
    Target.comparator,
    *_TARGET_DIMENSIONS,
)


def target_record(row: Sequence[Any]) -> TargetRecord:
    """A record from a row selected with ``TARGET_COLUMNS`` (first)."""
    dims = tuple(
        DimensionValue(name, value)
        for name, value in zip(DIMENSION_NAMES, row[8 : 8 + len(DIMENSION_NAMES)], strict=True)
        if value is not None
    )
    return TargetRecord(
        id=row[0],
        plan_id=row[1],
        position=row[2],
        indicator_code=row[3],
        description=row[4],
        year=row[5],
        value=row[6],
        comparator=row[7],
        dimensions=dims,
    )


@functools.cache
def _targets_query(dialect: str) -> Select[Any]:
    return (
        select(*TARGET_COLUMNS)
        .where(one_of(Target.plan_id, "plan_ids", dialect))
        .order_by(Target.plan_id, Target.position)
    )


async def targets_by_plan_ids(
    *, engine: AsyncEngine, plan_ids: Iterable[int]
) -> dict[int, list[TargetRecord]]:
    wanted = sorted(set(plan_ids))
    found: dict[int, list[TargetRecord]] = {plan_id: [] for plan_id in wanted}
    if not wanted:
        return found
    query = _targets_query(engine.dialect.name)
    async with engine.connect() as conn:
        for row in await conn.execute(query, {"plan_ids": wanted}):
            record = target_record(row)
            found[record.plan_id].append(record)
    return found


def attainment(*, latest: float, target: float, higher_is_better: bool) -> float | None:
    """The latest value as a share of the target, 1.0 meaning met, whichever the direction."""
    if higher_is_better:
        return None if target == 0 else latest / target
    return None if latest == 0 else target / latest


def is_met(*, latest: float, target: float, comparator: str) -> bool:
    match comparator:
        case "GT":
            return latest > target
        case "GE":
            return latest >= target
        case "LT":
            return latest < target
        case "LE":
            return latest <= target
        case _:
            return latest == target


def _latest_observation_id() -> Any:
    """The id of the target's latest current observation of its plan's province, of
    the target's indicator and breakdown, correlated with ``Target`` and ``Plan``.

    Picked by ``ORDER BY ... LIMIT 1``, which walks the province/indicator/breakdown
    index backwards from the last year, one or two rows a target, rather than numbering
    every year's figure of every target and keeping the first (2.4 times the database
    time for the national dashboard's 170 targets).
    """
    candidate = aliased(Observation, name="candidate")
    return (
        select(candidate.id)
        .where(
            candidate.province_code == Plan.province_code,
            candidate.indicator_code == Target.indicator_code,
            candidate.dimension_key == Target.dimension_key,
            candidate.is_current.is_(True),
        )
        .order_by(candidate.year.desc(), candidate.period.desc(), candidate.id.desc())
        .limit(literal_column("1"))
        .correlate(Plan, Target)
        .scalar_subquery()
    )


def _progress(
    target: float, comparator: str, higher_is_better: bool, latest: float | None, year: int | None
) -> TargetProgressRecord:
    if latest is None:
        return TargetProgressRecord(None, None, None, None)
    return TargetProgressRecord(
        latest_value=latest,
        latest_year=year,
        attainment=attainment(latest=latest, target=target, higher_is_better=higher_is_better),
        met=is_met(latest=latest, target=target, comparator=comparator),
    )


@functools.cache
def _progress_query(dialect: str) -> Select[Any]:
    """Each target's latest current observation of its province (built once)."""
    return (
        select(
            Target.id,
            Target.value,
            Target.comparator,
            Indicator.higher_is_better,
            Observation.value,
            Observation.year,
        )
        .join(Plan, Plan.id == Target.plan_id)
        .join(Indicator, Indicator.code == Target.indicator_code)
        .outerjoin(Observation, Observation.id == _latest_observation_id())
        .where(one_of(Target.id, "target_ids", dialect), Target.value.is_not(None))
    )


async def progress_by_target_ids(
    *, engine: AsyncEngine, target_ids: Iterable[int]
) -> dict[int, TargetProgressRecord | None]:
    """For each target, progress from the latest current observation of its province.

    The observation must be of the target's indicator and carry the same breakdown.
    Targets without an indicator or a number have no progress (None); targets whose
    province has no such observation have progress with every field null.
    """
    wanted = sorted(set(target_ids))
    if not wanted:
        return {}
    query = _progress_query(engine.dialect.name)
    found: dict[int, TargetProgressRecord | None] = dict.fromkeys(wanted)
    async with engine.connect() as conn:
        rows = await conn.execute(query, {"target_ids": wanted})
        # By position, in the order of _progress_query's columns.
        for target_id, target, comparator, higher_is_better, latest, year in rows:
            found[target_id] = _progress(target, comparator, higher_is_better, latest, year)
    return found


@dataclass(frozen=True, slots=True)
class TargetWithProgress:
    target: TargetRecord
    progress: TargetProgressRecord | None
    """As ``progress_by_target_ids`` gives it: None for a target without an indicator
    or a number."""


@functools.cache
def _targets_with_progress_query(dialect: str) -> Select[Any]:
    return (
        select(*TARGET_COLUMNS, Indicator.higher_is_better, Observation.value, Observation.year)
        .join(Plan, Plan.id == Target.plan_id)
        .outerjoin(Indicator, Indicator.code == Target.indicator_code)
        .outerjoin(
            Observation,
            and_(Target.value.is_not(None), Observation.id == _latest_observation_id()),
        )
        .where(one_of(Target.plan_id, "plan_ids", dialect))
        .order_by(Target.plan_id, Target.position)
    )


async def targets_with_progress_by_plan_ids(
    *, engine: AsyncEngine, plan_ids: Iterable[int]
) -> dict[int, list[TargetWithProgress]]:
    """``targets_by_plan_ids`` and ``progress_by_target_ids`` of those targets, in one
    statement: a dashboard that shows targets nearly always shows how far each is."""
    wanted = sorted(set(plan_ids))
    found: dict[int, list[TargetWithProgress]] = {plan_id: [] for plan_id in wanted}
    if not wanted:
        return found
    query = _targets_with_progress_query(engine.dialect.name)
    progress_at = len(TARGET_COLUMNS)
    async with engine.connect() as conn:
        for row in await conn.execute(query, {"plan_ids": wanted}):
            target = target_record(row)
            higher_is_better, latest, year = row[progress_at:]
            progress = (
                None
                if target.value is None or higher_is_better is None
                else _progress(target.value, target.comparator, higher_is_better, latest, year)
            )
            found[target.plan_id].append(TargetWithProgress(target, progress))
    return found
