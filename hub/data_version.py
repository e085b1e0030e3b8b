"""The data version: a counter every write bumps, last, inside its own transaction.

Bumping last keeps the row lock (PostgreSQL) as short as possible. A reader that
sees version v is guaranteed that no answer computed under v misses a change committed
under v + 1: the version and the data commit together.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from hub.models import DataVersion


async def bump(conn: AsyncConnection | AsyncSession) -> None:
    await conn.execute(
        update(DataVersion).where(DataVersion.id == 1).values(version=DataVersion.version + 1)
    )


_CURRENT = f"SELECT version FROM {DataVersion.__tablename__} WHERE id = 1"


async def current(engine: AsyncEngine) -> int:
    """The version now. Read on every request (result cache, reference data): sent as
    plain SQL text, which skips building and caching a statement each time."""
    async with engine.connect() as conn:
        return int((await conn.exec_driver_sql(_CURRENT)).scalar_one())
