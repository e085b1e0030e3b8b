"""The Alembic migrations build exactly the tables the ORM models describe, on both databases."""

import asyncio

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from hub import migrate
from hub.db import create_engine
from hub.migrate import current_revision, head_revision, include_object_for
from hub.models import Base


async def test_models_and_migrations_agree(empty_database_url):
    engine = create_engine(empty_database_url)
    try:
        async with engine.connect() as conn:
            differences = await conn.run_sync(
                lambda sync: compare_metadata(
                    MigrationContext.configure(
                        sync,
                        opts={
                            "compare_type": True,
                            "include_object": include_object_for(sync.dialect),
                        },
                    ),
                    Base.metadata,
                )
            )
        assert differences == []
        assert await current_revision(engine) == head_revision()
    finally:
        await engine.dispose()


async def test_upgrading_a_populated_database_keeps_every_figure(empty_database_url):
    """Migrations after the first run on databases that already hold figures."""
    import asyncio

    from sqlalchemy import func, select

    from hub.fixtures.load import read_catalogue
    from hub.migrate import downgrade, upgrade
    from hub.settings import FIXTURES_DIR

    engine = create_engine(empty_database_url)
    try:
        await asyncio.to_thread(downgrade, empty_database_url, "0001")
        async with engine.begin() as conn:
            await conn.exec_driver_sql(
                "INSERT INTO provinces (code, name, full_name, kind, slug, former_names) "
                "VALUES ('83', 'Bến Tre', 'Tỉnh Bến Tre', 'PROVINCE', 'ben-tre', '[]')"
            )
            await conn.exec_driver_sql(
                "INSERT INTO indicators (code, name, name_en, topic, unit, higher_is_better, "
                "description, year_min) VALUES ('i', 'i', 'i', 'STAFFING', 'COUNT', true, '', 2000)"
            )
            await conn.exec_driver_sql(
                "INSERT INTO observations (series_key, revision, indicator_code, province_code, "
                "year, period, value, dimension_key, flag, status, is_current, recorded_at) "
                "VALUES ('k', 1, 'i', '83', 2021, '2021', 46, '', 'FINAL', 'APPROVED', true, "
                "'2021-08-06 00:00:00+00:00')"
            )
        await engine.dispose()
        await asyncio.to_thread(upgrade, empty_database_url, "head")
        async with engine.connect() as conn:
            from hub.models import Observation

            rows = (await conn.execute(select(Observation.value, Observation.updated_at))).all()
            assert len(rows) == 1
            assert rows[0].value == 46
            assert rows[0].updated_at is not None
            assert (await conn.execute(select(func.count()).select_from(Observation))).scalar() == 1
        assert read_catalogue(FIXTURES_DIR).provinces
    finally:
        await engine.dispose()


REFERENCES = {
    "fk_observations_indicator_code_indicators",
    "fk_observations_province_code_provinces",
    "fk_observations_source_id_sources",
    "fk_observations_submission_id_submissions",
}


async def test_observations_references_move_between_foreign_keys_and_triggers(
    empty_database_url, backend
):
    """0006 turns the four foreign keys of observations into triggers on PostgreSQL (and
    leaves SQLite alone); its downgrade brings the foreign keys back."""

    async def state() -> tuple[set[str], set[str]]:
        engine = create_engine(empty_database_url)
        try:
            async with engine.connect() as conn:
                keys = await conn.run_sync(
                    lambda sync: inspect(sync).get_foreign_keys("observations")
                )
                triggers: set[str] = set()
                if backend == "postgresql":
                    triggers = set(
                        await conn.scalars(
                            text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
                        )
                    )
            return {str(key["name"]) for key in keys}, triggers
        finally:
            await engine.dispose()

    at_head = await state()
    await asyncio.to_thread(migrate.downgrade, empty_database_url, "0005")
    assert await state() == (REFERENCES, set())
    await asyncio.to_thread(migrate.upgrade, empty_database_url, "head")
    assert await state() == at_head
    if backend == "sqlite":
        assert at_head == (REFERENCES, set())
    else:
        keys, triggers = at_head
        assert keys == set()
        expected = {
            f"{parent}_observations_after_{event}"
            for parent in ("indicators", "provinces", "sources", "submissions")
            for event in ("delete", "update", "truncate")
        }
        expected |= {f"observations_references_after_{event}" for event in ("insert", "update")}
        assert triggers == expected


async def test_partial_indexes_are_partial_in_the_database(empty_database_url, backend):
    """Alembic's comparison ignores index predicates: which indexes are partial is compared here."""
    engine = create_engine(empty_database_url)
    try:
        async with engine.connect() as conn:
            reflected = await conn.run_sync(
                lambda sync: {
                    table: {
                        str(index["name"])
                        for index in inspect(sync).get_indexes(table)
                        if index.get("dialect_options", {}).get(f"{backend}_where") is not None
                    }
                    for table in Base.metadata.tables
                }
            )
    finally:
        await engine.dispose()
    declared = {
        name: {
            str(i.name) for i in table.indexes if i.dialect_options[backend]["where"] is not None
        }
        for name, table in Base.metadata.tables.items()
    }
    assert reflected == declared
    assert "ix_observations_source_id" in declared["observations"]


async def test_index_methods_in_the_database_are_the_declared_ones(empty_database_url, backend):
    """Alembic's comparison ignores how an index is built: B-tree or BRIN is compared here."""
    if backend != "postgresql":
        pytest.skip("SQLite has one index method")
    engine = create_engine(empty_database_url)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                text(
                    "SELECT index.relname, method.amname FROM pg_index AS i "
                    "JOIN pg_class AS index ON index.oid = i.indexrelid "
                    "JOIN pg_class AS t ON t.oid = i.indrelid "
                    "JOIN pg_namespace AS n ON n.oid = t.relnamespace "
                    "JOIN pg_am AS method ON method.oid = index.relam "
                    "WHERE n.nspname = current_schema() AND t.relname <> 'alembic_version' "
                    "AND NOT i.indisprimary AND NOT i.indisunique"
                )
            )
            reflected = {str(name): str(method) for name, method in rows}
    finally:
        await engine.dispose()
    declared = {
        str(index.name): index.dialect_options["postgresql"]["using"] or "btree"
        for table in Base.metadata.tables.values()
        for index in table.indexes
        if not index.unique
    }
    assert reflected == declared
    assert declared["ix_observations_submission_id"] == "brin"
    assert declared["ix_observations_updated_at"] == "brin"
