"""Every error a client sees carries a stable ``extensions.code``; nothing internal leaks.

- The caller's mistakes (``HubError``) keep their message and code.
- Errors before execution get ``GRAPHQL_PARSE_FAILED``, ``TOKEN_LIMIT_EXCEEDED``,
  ``BAD_USER_INPUT`` (variables) or ``GRAPHQL_VALIDATION_FAILED``; the query-limit
  rule sets its own codes.
- A database that cannot be reached is ``SERVICE_UNAVAILABLE``, a statement that ran
  too long ``STATEMENT_TIMEOUT``: both without any detail of the failure.
- Anything else is masked as "Internal server error" with an ``errorId`` that is also
  in the server log, next to the traceback.
"""

from __future__ import annotations

import logging
import uuid

from graphql.error import GraphQLError
from strawberry.extensions import MaskErrors

from hub.db_errors import DatabaseFailure, classify
from hub.errors import HubError

logger = logging.getLogger("hub.errors")


def code_of_request_error(message: str) -> str:
    """The code of an error raised before execution, from its (graphql-core) message."""
    if message.startswith("Syntax Error"):
        if "tokens" in message:
            return "TOKEN_LIMIT_EXCEEDED"
        return "GRAPHQL_PARSE_FAILED"
    if message.startswith("Variable '$"):
        return "BAD_USER_INPUT"
    return "GRAPHQL_VALIDATION_FAILED"


class MaskUnexpectedErrors(MaskErrors):
    """Give every error its code; replace unexpected ones by an id found in the log."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=lambda _: True, error_message="Internal server error")

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        original = error.original_error
        if original is None or isinstance(original, GraphQLError):  # graphql-core's own
            if error.extensions and "code" in error.extensions:
                return error
            return self._with(error, error.message, {"code": code_of_request_error(error.message)})
        if isinstance(original, HubError):
            return error
        failure = classify(original)
        if failure is DatabaseFailure.UNAVAILABLE:
            return self._with(
                error,
                "The database is unavailable; try again shortly",
                {"code": "SERVICE_UNAVAILABLE"},
            )
        if failure is DatabaseFailure.TIMEOUT:
            return self._with(
                error, "The query took too long and was stopped", {"code": "STATEMENT_TIMEOUT"}
            )
        error_id = uuid.uuid4().hex[:16]
        logger.error("unexpected error %s at %s", error_id, error.path, exc_info=original)
        return self._with(
            error, self.error_message, {"code": "INTERNAL_SERVER_ERROR", "errorId": error_id}
        )

    @staticmethod
    def _with(error: GraphQLError, message: str, extensions: dict[str, object]) -> GraphQLError:
        return GraphQLError(
            message=message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            original_error=None,
            extensions=extensions,
        )
