"""Build the submission service's input straight from graphql-core's coerced values.

strawberry's generic conversion builds an object per input field, recursively, with
type resolution at each step: for a batch of 10,000 observations that is most of the
request's time. graphql-core has already checked and coerced every value against the
schema, so a direct translation into the service's plain dataclasses is both safe and
an order of magnitude cheaper.

Each figure becomes an ``ObservationItem`` as it is coerced: ``OBSERVATION_OUT_TYPE``
is the ``out_type`` of ObservationInput (see ``schema.fast_variables.FieldsOutType``),
so neither graphql-core nor the compiled coercion keeps a dict per figure, and no
second pass over the batch is needed. ``observation_batch`` is SubmitObservationsInput's
``from_input`` hook: it takes the items as they come.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from operator import itemgetter
from typing import Any

from hub.submissions.inputs import ObservationBatch, ObservationItem, SourceItem
from schema.fast_variables import FieldsOutType

_NAME_AND_VALUE = itemgetter("name", "value")
"""A breakdown's ``(name, value)``, taken in C."""


def _source(value: Mapping[str, Any]) -> SourceItem:
    return SourceItem(
        title=value["title"], url=value.get("url"), published_on=value.get("publishedOn")
    )


def _observation_item(
    indicator: str,
    year: int,
    period: str | None,
    value: float | None,
    numerator: float | None,
    denominator: float | None,
    dimensions: list[Mapping[str, str]] | None,
    source: Mapping[str, Any] | None,
    flag: Enum | str | None,
    comment: str | None,
    expected_revision: int | None,
) -> ObservationItem:
    return ObservationItem(
        indicator,
        year,
        period,
        value,
        numerator,
        denominator,
        tuple(map(_NAME_AND_VALUE, dimensions)) if dimensions else (),
        None if source is None else _source(source),
        None if flag is None else flag.name if isinstance(flag, Enum) else str(flag),
        comment,
        expected_revision,
    )


OBSERVATION_OUT_TYPE = FieldsOutType(
    fields=(
        "indicator",
        "year",
        "period",
        "value",
        "numerator",
        "denominator",
        "dimensions",
        "source",
        "flag",
        "comment",
        "expectedRevision",
    ),
    build=_observation_item,
)
"""ObservationInput's ``out_type``: set on the GraphQL type by ``schema.build``."""


def observation_batch(_type: type, value: Mapping[str, Any], _context: object) -> ObservationBatch:
    """The ``from_input`` of SubmitObservationsInput."""
    return ObservationBatch(
        province=str(value["province"]),
        items=tuple(value["observations"]),
        dry_run=bool(value.get("dryRun")),
        idempotency_key=value.get("idempotencyKey"),
        reason=value.get("reason"),
    )
