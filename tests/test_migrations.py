"""The Alembic migrations build exactly the tables the ORM models describe, on both databases."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from hub.db import create_engine
from hub.migrate import current_revision, head_revision
from hub.models import Base


async def test_models_and_migrations_agree(empty_database_url):
    engine = create_engine(empty_database_url)
    try:
        async with engine.connect() as conn:
            differences = await conn.run_sync(
                lambda sync: compare_metadata(
                    MigrationContext.configure(sync, opts={"compare_type": True}), Base.metadata
                )
            )
        assert differences == []
        assert await current_revision(engine) == head_revision()
    finally:
        await engine.dispose()
