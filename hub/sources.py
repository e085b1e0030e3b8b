"""Sources: the documents and articles figures and plans come from."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.models import Source


@dataclass(frozen=True, slots=True)
class SourceRecord:
    id: int
    title: str
    url: str | None
    published_on: date | None
    publisher: str | None
    author: str | None


def source_fingerprint(title: str, url: str | None, published_on: date | None) -> str:
    """A stable identity for a source, so loading the same one twice stores it once."""
    text = "\x1f".join((title, url or "", published_on.isoformat() if published_on else ""))
    return hashlib.sha256(text.encode()).hexdigest()


async def sources_by_ids(*, engine: AsyncEngine, ids: Iterable[int]) -> dict[int, SourceRecord]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    query = select(
        Source.id, Source.title, Source.url, Source.published_on, Source.publisher, Source.author
    ).where(Source.id.in_(wanted))
    async with engine.connect() as conn:
        return {row.id: SourceRecord(*row) for row in await conn.execute(query)}
