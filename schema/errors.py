"""Expected errors keep their code; anything unexpected is masked and logged with an id."""

from __future__ import annotations

import logging
import uuid

from graphql.error import GraphQLError
from strawberry.extensions import MaskErrors

from hub.errors import HubError

logger = logging.getLogger("hub.errors")


def _is_unexpected(error: GraphQLError) -> bool:
    original = error.original_error
    return original is not None and not isinstance(original, HubError)


class MaskUnexpectedErrors(MaskErrors):
    """Replace unexpected errors by "Internal server error" and an id found in the log."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=_is_unexpected, error_message="Internal server error")

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        error_id = uuid.uuid4().hex[:16]
        logger.error(
            "unexpected error %s at %s",
            error_id,
            error.path,
            exc_info=error.original_error,
        )
        return GraphQLError(
            message=self.error_message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            original_error=None,
            extensions={"code": "INTERNAL_SERVER_ERROR", "errorId": error_id},
        )
