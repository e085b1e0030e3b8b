"""Inputs of the submission mutations, as the contract defines them (plus documented extras)."""

from __future__ import annotations

from datetime import date

import strawberry

from schema.enums import Comparator, ObservationFlag, PlanKind
from schema.fast_inputs import observation_batch
from schema.observation import DimensionInput


@strawberry.input(description="Where a submitted figure or plan comes from.")
class SourceInput:
    title: str = strawberry.field(description="The document's or article's title.")
    url: str | None = strawberry.field(default=None, description="Its address, if any.")
    published_on: date | None = strawberry.field(default=None, description="Its date, if any.")


@strawberry.input(description="One figure to submit.")
class ObservationInput:
    indicator: strawberry.ID = strawberry.field(description="Indicator code.")
    year: int = strawberry.field(description="Reference year.")
    period: str | None = strawberry.field(
        default=None, description='Reference period; default the year ("2022-08", "2019/2020").'
    )
    value: float | None = strawberry.field(
        default=None,
        description="The figure; may be left out for a share given by numerator and denominator.",
    )
    numerator: float | None = strawberry.field(default=None, description="Part of a share.")
    denominator: float | None = strawberry.field(default=None, description="Total of a share.")
    dimensions: list[DimensionInput] | None = strawberry.field(
        default=None, description="The breakdown; leave out for the indicator's total."
    )
    source: SourceInput | None = strawberry.field(default=None, description="Where it comes from.")
    flag: ObservationFlag | None = strawberry.field(
        default=None, description="Final (default), provisional or estimated."
    )
    comment: str | None = strawberry.field(default=None, description="A note on the figure.")
    expected_revision: int | None = strawberry.field(
        default=None,
        description="Optimistic concurrency: refuse with STALE_REVISION unless the figure's "
        "latest revision is this one (0 for a new figure).",
    )


@strawberry.input(description="A batch of figures from one province: all stored, or none.")
class SubmitObservationsInput:
    province: strawberry.ID = strawberry.field(description="The province, by any reference.")
    observations: list[ObservationInput] = strawberry.field(description="The figures.")
    dry_run: bool | None = strawberry.field(
        default=None, description="Validate and report, store nothing."
    )
    idempotency_key: str | None = strawberry.field(
        default=None,
        description="A retry with the same key returns the first result and stores nothing twice.",
    )
    reason: str | None = strawberry.field(
        default=None, description="Why these figures are sent, e.g. the correction they make."
    )


@strawberry.input(description="A target of a submitted plan.")
class TargetInput:
    indicator: strawberry.ID | None = strawberry.field(
        default=None, description="The indicator it is measured by, if the hub has one."
    )
    description: str = strawberry.field(description="The target as the plan words it.")
    year: int = strawberry.field(description="Year by which it is to be reached.")
    value: float | None = strawberry.field(default=None, description="The number to reach.")
    comparator: Comparator | None = strawberry.field(
        default=None, description="How a result is compared with the value (default GE)."
    )
    dimensions: list[DimensionInput] | None = strawberry.field(
        default=None, description="The breakdown the target is about."
    )


@strawberry.input(description="A plan, decision, programme or strategy to submit.")
class SubmitPlanInput:
    province: strawberry.ID = strawberry.field(description="The province, by any reference.")
    number: str | None = strawberry.field(default=None, description="Document number.")
    kind: PlanKind = strawberry.field(description="Kind of document.")
    title: str = strawberry.field(description="Title, verbatim.")
    issued_on: date | None = strawberry.field(default=None, description="Day of issue.")
    period_start: int | None = strawberry.field(default=None, description="First year covered.")
    period_end: int | None = strawberry.field(default=None, description="Last year covered.")
    signer: str | None = strawberry.field(default=None, description="Who signed it.")
    targets: list[TargetInput] | None = strawberry.field(default=None, description="Its targets.")
    source: SourceInput | None = strawberry.field(default=None, description="Where it comes from.")
    dry_run: bool | None = strawberry.field(
        default=None, description="Validate and report, store nothing."
    )
    idempotency_key: str | None = strawberry.field(
        default=None,
        description="A retry with the same key returns the first result and stores nothing twice.",
    )
    reason: str | None = strawberry.field(default=None, description="Why this revision is sent.")
    expected_revision: int | None = strawberry.field(
        default=None,
        description="Refuse with STALE_REVISION unless the plan's latest revision is this one.",
    )


@strawberry.input(description="A correction of one figure: a new revision, with its reason.")
class CorrectObservationInput:
    id: strawberry.ID = strawberry.field(description="The observation (any revision) to correct.")
    value: float | None = strawberry.field(default=None, description="The corrected value.")
    numerator: float | None = strawberry.field(default=None, description="Corrected part.")
    denominator: float | None = strawberry.field(default=None, description="Corrected total.")
    reason: str = strawberry.field(description="Why it is corrected (required).")
    expected_revision: int | None = strawberry.field(
        default=None, description="Refuse with STALE_REVISION unless this is the latest revision."
    )
    source: SourceInput | None = strawberry.field(
        default=None, description="The source of the correction; default the figure's own."
    )
    dry_run: bool | None = strawberry.field(
        default=None, description="Validate and report, store nothing."
    )
    idempotency_key: str | None = strawberry.field(
        default=None, description="A retry with the same key stores nothing twice."
    )


# Large batches skip strawberry's generic conversion: see schema.fast_inputs.
SubmitObservationsInput.__strawberry_definition__.from_input = observation_batch  # type: ignore[attr-defined]
