"""The data version: a counter every write bumps, last, inside its own transaction.

Bumping last keeps the row lock (PostgreSQL) as short as possible. A reader that
sees version v is guaranteed that no answer computed under v misses a change committed
under v + 1: the version and the data commit together.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from hub.models import DataVersion


async def bump(conn: AsyncConnection | AsyncSession) -> None:
    await conn.execute(
        update(DataVersion).where(DataVersion.id == 1).values(version=DataVersion.version + 1)
    )


async def current(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(select(DataVersion.version))).scalar_one())
