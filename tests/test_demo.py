"""The synthetic data set: deterministic, within each unit's range, clearly synthetic."""

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from hub.db import create_engine
from hub.demo import SYNTHETIC_TITLE, DemoRefused, generate_demo
from hub.fixtures.load import read_catalogue
from hub.models import Indicator, Observation, Province, Source
from hub.settings import FIXTURES_DIR

CATALOGUE = read_catalogue(FIXTURES_DIR)


async def _generate(url: str, seed: int = 7) -> list[tuple[object, ...]]:
    engine = create_engine(url)
    try:
        report = await generate_demo(engine, CATALOGUE, size="tiny", seed=seed)
        assert report.observations > 0
        async with engine.connect() as conn:
            rows = (
                await conn.execute(
                    select(
                        Observation.series_key,
                        Observation.value,
                        Observation.numerator,
                        Observation.denominator,
                    ).order_by(Observation.series_key)
                )
            ).all()
        return [tuple(r) for r in rows]
    finally:
        await engine.dispose()


async def test_the_same_seed_gives_the_same_data(tmp_path):
    first = await _generate(f"sqlite+aiosqlite:///{tmp_path / 'a.sqlite3'}")
    await _migrate(tmp_path / "b.sqlite3")
    second = await _generate(f"sqlite+aiosqlite:///{tmp_path / 'b.sqlite3'}")
    assert first == second


async def _migrate(path: Path) -> None:
    import asyncio

    from hub.migrate import upgrade

    await asyncio.to_thread(upgrade, f"sqlite+aiosqlite:///{path}")


@pytest.fixture(autouse=True)
async def _migrated_tmp(tmp_path):
    await _migrate(tmp_path / "a.sqlite3")


async def test_values_respect_units_and_years_respect_the_units_that_existed(empty_database_url):
    await _generate(empty_database_url)
    engine = create_engine(empty_database_url)
    try:
        async with engine.connect() as conn:
            rows = (
                await conn.execute(
                    select(
                        Indicator.unit,
                        Observation.value,
                        Observation.numerator,
                        Observation.denominator,
                        Observation.year,
                        Province.valid_to,
                        Source.title,
                    )
                    .join(Indicator, Indicator.code == Observation.indicator_code)
                    .join(Province, Province.code == Observation.province_code)
                    .join(Source, Source.id == Observation.source_id)
                )
            ).all()
            units_2026 = (
                await conn.execute(
                    select(func.count(func.distinct(Observation.province_code))).where(
                        Observation.year == 2025
                    )
                )
            ).scalar_one()
    finally:
        await engine.dispose()
    assert {r.title for r in rows} == {SYNTHETIC_TITLE}
    for r in rows:
        if r.unit == "PERCENT":
            assert 0 <= r.value <= 100
            assert r.numerator <= r.denominator
            assert abs(100 * r.numerator / r.denominator - r.value) <= 0.005 + 1e-9
        elif r.unit == "INDEX":
            assert 0 <= r.value <= 1
            assert round(r.value, 4) == r.value
        else:
            assert r.value == int(r.value)
            assert r.value >= 0
        assert r.valid_to is None or date(r.year, 12, 31) <= r.valid_to
    assert units_2026 <= 34


async def test_a_database_with_real_figures_is_refused(database_url):
    engine = create_engine(database_url)
    try:
        with pytest.raises(DemoRefused, match="already holds"):
            await generate_demo(engine, CATALOGUE, size="tiny", seed=1)
    finally:
        await engine.dispose()


async def test_a_national_ranking_over_the_synthetic_set_takes_constant_statements(
    empty_database_url,
):
    import httpx

    from hub.app import create_app
    from hub.db import count_statements
    from hub.settings import Settings
    from tests.support.graphql import gql

    engine = create_engine(empty_database_url)
    try:
        await generate_demo(engine, CATALOGUE, size="national", seed=3)
        app = create_app(Settings(database_url=empty_database_url), engine=engine)
        query = """{ ranking(indicator: "staffing.it_staff", year: 2021) {
            provincesRanked entries { rank value officialRank province { code name slug } }
            provincesWithoutValue { code } } }"""
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://hub.test"
        ) as client:
            with count_statements(engine) as first:
                data = await gql(client, query)
            with count_statements(engine) as again:
                await gql(client, query.replace("provincesRanked", "year provincesRanked"))
        assert data["ranking"]["provincesRanked"] == 63
        # The data version, then once per version the reference data (provinces, their
        # names, indicators), the ranking itself. Then: the version, the ranking.
        assert first.count == 5, first.statements
        assert again.count == 2, again.statements
    finally:
        await engine.dispose()
