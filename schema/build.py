from __future__ import annotations

import strawberry
from strawberry.extensions import ParserCache, ValidationCache

from schema.analytics_query import AnalyticsQuery
from schema.errors import MaskUnexpectedErrors
from schema.mutation import Mutation
from schema.query import CoreQuery
from schema.submissions_query import SubmissionsQuery


@strawberry.type(description="Read the hub: provinces, indicators, figures, plans and analyses.")
class Query(CoreQuery, AnalyticsQuery, SubmissionsQuery):
    """The root query: one base class per area, so each area keeps its own module."""


def build_schema() -> strawberry.Schema:
    """The served schema, with error masking and parse/validation caches."""
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        extensions=[
            MaskUnexpectedErrors,
            lambda: ParserCache(maxsize=256),
            lambda: ValidationCache(maxsize=256),
        ],
    )
