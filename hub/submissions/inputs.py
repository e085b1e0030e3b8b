"""Submissions as plain typed data, independent of GraphQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class SourceItem:
    title: str
    url: str | None = None
    published_on: date | None = None


@dataclass(slots=True)
class ObservationItem:
    """One submitted figure as given. Never changed once made, but not ``frozen``: a
    frozen dataclass sets each field through ``object.__setattr__``, four times the
    cost of a plain one, and a bulk submission makes 10,000 of them."""

    indicator: str
    year: int
    period: str | None = None
    value: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    dimensions: tuple[tuple[str, str], ...] = ()
    source: SourceItem | None = None
    flag: str | None = None
    comment: str | None = None
    expected_revision: int | None = None


@dataclass(frozen=True, slots=True)
class ObservationBatch:
    province: str
    items: tuple[ObservationItem, ...]
    dry_run: bool = False
    idempotency_key: str | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class TargetItem:
    description: str
    year: int
    indicator: str | None = None
    value: float | None = None
    comparator: str | None = None
    dimensions: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class PlanItem:
    province: str
    kind: str
    title: str
    number: str | None = None
    issued_on: date | None = None
    period_start: int | None = None
    period_end: int | None = None
    signer: str | None = None
    targets: tuple[TargetItem, ...] = ()
    source: SourceItem | None = None
    dry_run: bool = False
    idempotency_key: str | None = None
    reason: str | None = None
    expected_revision: int | None = None
