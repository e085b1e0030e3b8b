from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from hub.errors import ForbiddenError, UnauthenticatedError
from hub.submissions.review import list_submissions
from schema.arguments import MAX_PROVINCES, bounded, page_size
from schema.context import Info, read_engine
from schema.enums import SubmissionStatus
from schema.query import resolve_province_codes
from schema.submission import (
    Submission,
    SubmissionConnection,
    decode_submission_cursor,
    encode_submission_cursor,
)


@strawberry.type(description="The audit trail of submissions.")
class SubmissionsQuery:
    @strawberry.field(
        description="Submissions newest first, by province, status and time. The ministry "
        "sees all; a province's token sees its own province's; anonymous callers none."
    )
    async def submissions(
        self,
        info: Info,
        provinces: Annotated[
            list[strawberry.ID] | None, strawberry.argument(description="Only these provinces.")
        ] = None,
        statuses: Annotated[
            list[SubmissionStatus] | None, strawberry.argument(description="Only these statuses.")
        ] = None,
        since: Annotated[
            datetime | None, strawberry.argument(description="Stored at or after this moment.")
        ] = None,
        until: Annotated[
            datetime | None, strawberry.argument(description="Stored before this moment.")
        ] = None,
        first: Annotated[
            int | None, strawberry.argument(description="Page size (default 100, at most 1000).")
        ] = None,
        after: Annotated[
            str | None, strawberry.argument(description="The endCursor of the previous page.")
        ] = None,
    ) -> SubmissionConnection:
        principal = info.context.principal
        if principal is None:
            raise UnauthenticatedError("The audit trail needs an API token")
        codes = await resolve_province_codes(
            info, bounded(provinces, limit=MAX_PROVINCES, field=("provinces",)), ("provinces",)
        )
        if not principal.is_ministry:
            own = str(principal.province_code)
            if codes is not None and set(codes) - {own}:
                raise ForbiddenError("A province's token sees its own submissions only")
            codes = (own,)
        settings = info.context.settings
        size = page_size(first, default=settings.default_page_size, maximum=settings.max_page_size)
        records, more = await list_submissions(
            engine=read_engine(info.context),
            province_codes=codes,
            statuses=None if statuses is None else tuple(s.name for s in statuses),
            since=since,
            until=until,
            first=size,
            after_id=None if after is None else decode_submission_cursor(after),
        )
        return SubmissionConnection(
            nodes=[Submission.from_record(r) for r in records],
            has_next_page=more,
            end_cursor=encode_submission_cursor(records[-1].id) if records else None,
        )
