"""Answers for failures outside GraphQL execution: no trace, a code, and a log line."""

from __future__ import annotations

import logging
import uuid

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from hub.db_errors import DatabaseFailure, classify

logger = logging.getLogger("hub.errors")


def unavailable() -> JSONResponse:
    return JSONResponse(
        {
            "errors": [
                {
                    "message": "The database is unavailable; try again shortly",
                    "extensions": {"code": "SERVICE_UNAVAILABLE"},
                }
            ]
        },
        status_code=503,
        headers={"Retry-After": "5"},
    )


async def unexpected_failure(_request: Request, error: Exception) -> Response:
    """The app's last resort: 503 for a database failure, else 500 with an error id."""
    if classify(error) is DatabaseFailure.UNAVAILABLE:
        return unavailable()
    error_id = uuid.uuid4().hex[:16]
    logger.error("unexpected error %s", error_id, exc_info=error)
    return JSONResponse(
        {
            "errors": [
                {
                    "message": "Internal server error",
                    "extensions": {"code": "INTERNAL_SERVER_ERROR", "errorId": error_id},
                }
            ]
        },
        status_code=500,
    )
