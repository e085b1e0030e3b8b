"""API tokens and the principal a request acts as.

A token is ``hub_`` followed by 43 random URL-safe characters; it is shown once, when
created, and only its SHA-256 is stored (the token is high-entropy, so a fast hash is
enough). An unknown, malformed, revoked or expired token gets one and the same answer.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.errors import HubError
from hub.models import ApiToken

TOKEN_PREFIX = "hub_"
_TOKEN_SHAPE = re.compile(r"^hub_[A-Za-z0-9_-]{43}$")


class Role(Enum):
    MINISTRY = "MINISTRY"
    PROVINCE = "PROVINCE"


class AuthenticationError(HubError):
    """The token is not one the hub accepts (the message never says why)."""

    code = "UNAUTHENTICATED"

    def __init__(self) -> None:
        super().__init__("The API token is invalid, expired or revoked")


@dataclass(frozen=True, slots=True)
class Principal:
    """Who a request acts as. ``None`` in the context means an anonymous caller."""

    token_id: int
    role: Role
    province_code: str | None
    label: str

    @property
    def is_ministry(self) -> bool:
        return self.role is Role.MINISTRY

    def may_write_for(self, province_code: str) -> bool:
        return self.is_ministry or self.province_code == province_code

    def may_read_pending_of(self, province_code: str) -> bool:
        return self.may_write_for(province_code)


def pending_provinces_for(principal: Principal | None) -> tuple[str, ...] | None:
    """Whose pending figures a caller sees: nobody's (anonymous), its own province's, or
    every province's (None, the ministry)."""
    if principal is None:
        return ()
    if principal.is_ministry:
        return None
    return (str(principal.province_code),)


@dataclass(frozen=True, slots=True)
class TokenRecord:
    id: int
    display: str
    role: Role
    province_code: str | None
    label: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every stored moment is UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


async def create_token(
    *,
    engine: AsyncEngine,
    role: Role,
    province_code: str | None,
    label: str,
    expires_in: timedelta | None = None,
) -> tuple[str, TokenRecord]:
    """Create a token; the clear text is returned here and never again."""
    if role is Role.PROVINCE and province_code is None:
        raise ValueError("a province token needs a province")
    if role is Role.MINISTRY and province_code is not None:
        raise ValueError("a ministry token is not bound to a province")
    token = new_token()
    now = datetime.now(UTC)
    display = token[: len(TOKEN_PREFIX) + 6] + "…"
    expires_at = None if expires_in is None else now + expires_in
    statement = (
        insert(ApiToken)
        .values(
            token_hash=hash_token(token),
            display=display,
            role=role.value,
            province_code=province_code,
            label=label,
            created_at=now,
            expires_at=expires_at,
        )
        .returning(ApiToken.id)
    )
    async with engine.begin() as conn:
        token_id = int((await conn.execute(statement)).scalar_one())
    return token, TokenRecord(token_id, display, role, province_code, label, now, expires_at, None)


async def list_tokens(*, engine: AsyncEngine) -> list[TokenRecord]:
    query = select(
        ApiToken.id,
        ApiToken.display,
        ApiToken.role,
        ApiToken.province_code,
        ApiToken.label,
        ApiToken.created_at,
        ApiToken.expires_at,
        ApiToken.revoked_at,
    ).order_by(ApiToken.id)
    async with engine.connect() as conn:
        return [
            TokenRecord(
                row.id,
                row.display,
                Role(row.role),
                row.province_code,
                row.label,
                _aware(row.created_at) or datetime.now(UTC),
                _aware(row.expires_at),
                _aware(row.revoked_at),
            )
            for row in await conn.execute(query)
        ]


async def revoke_token(*, engine: AsyncEngine, token_id: int) -> bool:
    """Revoke a token; False when there is no such token or it was already revoked."""
    async with engine.begin() as conn:
        result = await conn.execute(
            update(ApiToken)
            .where(ApiToken.id == token_id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=datetime.now(UTC))
        )
        return bool(result.rowcount)


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer …`` header; "" for a malformed header."""
    if authorization is None:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer":
        return ""
    return token.strip()


async def authenticate(*, engine: AsyncEngine, token: str) -> Principal:
    """The principal a token stands for, or ``AuthenticationError``; one statement."""
    if not _TOKEN_SHAPE.match(token):
        raise AuthenticationError
    digest = hash_token(token)
    query = select(
        ApiToken.id,
        ApiToken.token_hash,
        ApiToken.role,
        ApiToken.province_code,
        ApiToken.label,
        ApiToken.expires_at,
        ApiToken.revoked_at,
    ).where(ApiToken.token_hash == digest)
    async with engine.connect() as conn:
        row = (await conn.execute(query)).first()
    if row is None or not hmac.compare_digest(row.token_hash, digest):
        raise AuthenticationError
    expires_at = _aware(row.expires_at)
    if row.revoked_at is not None or (expires_at is not None and expires_at <= datetime.now(UTC)):
        raise AuthenticationError
    return Principal(
        token_id=row.id, role=Role(row.role), province_code=row.province_code, label=row.label
    )
