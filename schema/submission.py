from __future__ import annotations

import base64
import binascii
from datetime import datetime

import strawberry

from hub.errors import InvalidCursorError
from hub.identifiers import ascii_int
from hub.submissions.codes import Problem
from hub.submissions.review import SubmissionRecord
from schema.context import Info
from schema.enums import SubmissionKind, SubmissionStatus
from schema.payloads import UserError
from schema.province import Province, load_province


def user_errors(problems: list[Problem]) -> list[UserError]:
    return [
        UserError(field=list(p.field) or None, code=p.code.value, message=p.message)
        for p in problems
    ]


def encode_submission_cursor(submission_id: int) -> str:
    return base64.urlsafe_b64encode(f"sub:{submission_id}".encode()).decode()


def decode_submission_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (binascii.Error, UnicodeError, ValueError):
        raise InvalidCursorError("The cursor is not one this API returned") from None
    number = ascii_int(text[4:]) if text.startswith("sub:") else None
    if number is None or number < 0:
        raise InvalidCursorError("The cursor is not one this API returned")
    return number


@strawberry.type(description="One submission (a batch of figures or a plan) and its review.")
class Submission:
    id: strawberry.ID = strawberry.field(description="Identifier of the submission.")
    kind: SubmissionKind = strawberry.field(description="Figures or a plan.")
    status: SubmissionStatus = strawberry.field(description="Pending, approved or rejected.")
    submitted_by: str = strawberry.field(description="The label of the token that sent it.")
    idempotency_key: str | None = strawberry.field(description="The key it was sent with.")
    item_count: int = strawberry.field(description="How many figures (or 1 for a plan).")
    reason: str | None = strawberry.field(description="Why it was sent (e.g. a correction).")
    created_at: datetime = strawberry.field(description="When it was stored.")
    decided_at: datetime | None = strawberry.field(description="When it was approved/rejected.")
    decided_by: str | None = strawberry.field(description="Who approved or rejected it.")
    decision_reason: str | None = strawberry.field(description="Why it was rejected, if said.")
    province_code: strawberry.Private[str]

    @classmethod
    def from_record(cls, record: SubmissionRecord) -> Submission:
        return cls(
            id=strawberry.ID(str(record.id)),
            kind=SubmissionKind(record.kind),
            status=SubmissionStatus(record.status),
            submitted_by=record.submitted_by,
            idempotency_key=record.idempotency_key,
            item_count=record.item_count,
            reason=record.reason,
            created_at=record.created_at,
            decided_at=record.decided_at,
            decided_by=record.decided_by,
            decision_reason=record.decision_reason,
            province_code=record.province_code,
        )

    @strawberry.field(description="The province it is for.")
    async def province(self, info: Info) -> Province:
        return await load_province(info, self.province_code)


@strawberry.type(description="A page of submissions, newest first.")
class SubmissionConnection:
    nodes: list[Submission] = strawberry.field(description="The submissions of this page.")
    has_next_page: bool = strawberry.field(description="True when older submissions follow.")
    end_cursor: str | None = strawberry.field(description="Pass as `after` for the next page.")
