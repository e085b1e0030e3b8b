from __future__ import annotations

from typing import Any

import strawberry
from graphql import ASTValidationRule, GraphQLInputObjectType
from strawberry.extensions import (
    AddValidationRules,
    MaxTokensLimiter,
    ParserCache,
    ValidationCache,
)
from strawberry.extensions.tracing import OpenTelemetryExtensionSync
from strawberry.schema.config import StrawberryConfig

from hub.query_limits import QueryLimits, limits_rule
from schema.analytics_query import AnalyticsQuery
from schema.compiled_operations import PrecomputedResult
from schema.errors import MaskUnexpectedErrors
from schema.fast_inputs import OBSERVATION_OUT_TYPE
from schema.fast_lists import FastListExecutionContext
from schema.mutation import Mutation
from schema.naming import RememberedNames
from schema.query import CoreQuery
from schema.submissions_query import SubmissionsQuery
from schema.tracing import OperationSpan


@strawberry.type(description="Read the hub: provinces, indicators, figures, plans and analyses.")
class Query(CoreQuery, AnalyticsQuery, SubmissionsQuery):
    """The root query: one base class per area, so each area keeps its own module."""


def document_rules(limits: QueryLimits | None = None) -> tuple[type[ASTValidationRule], ...]:
    """The validation rules the hub adds to GraphQL's own (compiled documents pass them too)."""
    return (limits_rule(limits or QueryLimits()),)


def build_schema(
    limits: QueryLimits | None = None, max_tokens: int = 5000, trace_fields: bool = False
) -> strawberry.Schema:
    """The served schema: error codes and masking, query limits, tracing, caches."""
    rules = document_rules(limits)
    field_spans: list[Any] = [OpenTelemetryExtensionSync] if trace_fields else []
    schema = strawberry.Schema(
        query=Query,
        mutation=Mutation,
        execution_context_class=FastListExecutionContext,
        config=StrawberryConfig(name_converter=RememberedNames()),
        extensions=[
            OperationSpan,
            *field_spans,
            MaskUnexpectedErrors,
            lambda: MaxTokensLimiter(max_token_count=max_tokens),
            lambda: AddValidationRules(list(rules)),
            PrecomputedResult,
            lambda: ParserCache(maxsize=256),
            lambda: ValidationCache(maxsize=256),
        ],
    )
    # A submitted figure becomes the service's item as it is coerced (schema.fast_inputs).
    observation_input = schema._schema.type_map["ObservationInput"]
    assert isinstance(observation_input, GraphQLInputObjectType)
    assert set(observation_input.fields) == set(OBSERVATION_OUT_TYPE.fields)
    observation_input.out_type = OBSERVATION_OUT_TYPE  # type: ignore[method-assign]
    return schema
