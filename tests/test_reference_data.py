"""Provinces and indicators are kept in process, and never outlive the data version."""

import dataclasses

import httpx
from sqlalchemy import insert, update

from hub import data_version
from hub.app import create_app
from hub.db import count_statements, reader
from hub.models import Indicator, Province
from hub.reference import ReferenceCache

PAGE = """{ observations(first: 3, filter: {provinces: ["83"], indicators: ["staffing.it_staff"]})
  { edges { node { year province { code name } indicator { code name } } } } }"""


async def names(client: httpx.AsyncClient) -> set[tuple[str, str]]:
    response = await client.post("/graphql", json={"query": PAGE})
    body = response.json()
    assert "errors" not in body, body
    edges = body["data"]["observations"]["edges"]
    assert edges, "the fixtures hold Bến Tre's IT staff"
    return {(e["node"]["province"]["name"], e["node"]["indicator"]["name"]) for e in edges}


async def rename(engine, *, province: str, indicator: str, bump: bool) -> None:
    async with engine.begin() as conn:
        await conn.execute(update(Province).where(Province.code == "83").values(name=province))
        await conn.execute(
            update(Indicator).where(Indicator.code == "staffing.it_staff").values(name=indicator)
        )
        if bump:
            await data_version.bump(conn)


async def test_a_change_that_bumps_the_data_version_shows_in_the_next_answer(client, engine):
    before = await names(client)
    assert all(province == "Bến Tre" for province, _ in before)
    await rename(engine, province="Tỉnh Thử", indicator="Cán bộ CNTT (mới)", bump=True)
    assert await names(client) == {("Tỉnh Thử", "Cán bộ CNTT (mới)")}


async def test_without_a_bump_the_copy_is_kept_which_is_why_every_write_bumps(client, engine):
    before = await names(client)
    await rename(engine, province="Tỉnh Thử", indicator="Tên khác", bump=False)
    assert await names(client) == before


async def test_names_are_read_once_per_data_version_not_once_per_request(engine, settings):
    # The result cache off: each request reads the version itself, and nothing more.
    app = create_app(dataclasses.replace(settings, result_cache_size=0), engine=engine)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as client:
        await names(client)
        with count_statements(engine) as counter:
            await names(client)
    tables = " ".join(counter.statements)
    assert counter.count == 2, counter.statements  # the data version, the page
    assert "FROM provinces" not in tables
    assert "FROM indicators" not in tables


async def test_the_cache_reloads_for_a_newer_version_and_never_hands_back_an_older_copy(
    engine,
):
    reads = reader(engine)
    cache = ReferenceCache()
    version = await data_version.current(reads)
    first = await cache.at(reads, version)
    assert (await cache.at(reads, version)) is first
    assert cache.loads == 1
    assert first.provinces["83"].name == "Bến Tre"
    assert "staffing.it_staff" in first.indicators
    # A request that read an older version than the copy's gets the newer copy.
    assert (await cache.at(reads, version - 1)) is first
    await rename(engine, province="Tỉnh Thử", indicator="Tên khác", bump=True)
    newer = await cache.at(reads, await data_version.current(reads))
    assert cache.loads == 2
    assert newer.provinces["83"].name == "Tỉnh Thử"


RANKING = """{ ranking(indicator: "staffing.it_staff", year: 2021) {
  indicator { name } entries { province { code name } } } }"""


async def test_a_ranking_names_provinces_as_new_as_its_figures(engine, settings):
    """A ranking reads the data version with its rows, not before them: the process's copy
    is used provisionally and replaced when the rows are newer than it."""
    app = create_app(dataclasses.replace(settings, result_cache_size=0), engine=engine)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as client:
        first = (await client.post("/graphql", json={"query": RANKING})).json()["data"]
        assert first["ranking"]["entries"] == [{"province": {"code": "83", "name": "Bến Tre"}}]
        await rename(engine, province="Tỉnh Thử", indicator="Cán bộ CNTT (mới)", bump=True)
        with count_statements(engine) as counter:
            again = (await client.post("/graphql", json={"query": RANKING})).json()["data"]
        assert again["ranking"]["indicator"]["name"] == "Cán bộ CNTT (mới)"
        assert again["ranking"]["entries"] == [{"province": {"code": "83", "name": "Tỉnh Thử"}}]
        # The ranking (with the version), then the newer copy: provinces, indicators, names.
        assert counter.count == 4, counter.statements
        with count_statements(engine) as steady:
            await client.post("/graphql", json={"query": RANKING})
        assert steady.count == 1, steady.statements


async def test_an_indicator_newer_than_the_process_copy_is_found(engine, settings):
    app = create_app(dataclasses.replace(settings, result_cache_size=0), engine=engine)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as client:
        await names(client)  # the process holds a copy
        async with engine.begin() as conn:
            await conn.execute(
                insert(Indicator).values(
                    code="staffing.new",
                    name="Chỉ tiêu mới",
                    name_en="A new indicator",
                    topic="STAFFING",
                    unit="COUNT",
                    higher_is_better=True,
                    description="",
                    year_min=2000,
                )
            )
            await data_version.bump(conn)
        body = (
            await client.post(
                "/graphql", json={"query": RANKING.replace("staffing.it_staff", "staffing.new")}
            )
        ).json()
    assert "errors" not in body, body
    assert body["data"]["ranking"] == {"indicator": {"name": "Chỉ tiêu mới"}, "entries": []}
