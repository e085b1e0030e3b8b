from __future__ import annotations

import strawberry
from strawberry.extensions import ParserCache, ValidationCache

from schema.errors import MaskUnexpectedErrors
from schema.mutation import Mutation
from schema.query import Query


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
