"""A database outage under a running hub: fast, clear failures; recovery without restart."""

import asyncio
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import func, select

from hub.app import create_app
from hub.db import create_engine
from hub.models import Observation
from hub.settings import Settings
from tests.support.databases import build_postgres_template
from tests.support.postgres import PrivatePostgres, start_private_postgres
from tests.support.submissions import SUBMIT, bearer, staffing, token_for

QUERY = '{ ranking(indicator: "dti.workforce.index", year: 2021) { entries { value } } }'


@pytest.fixture
def outage_server() -> Iterator[PrivatePostgres]:
    server = start_private_postgres()
    try:
        yield server
    finally:
        server.stop()


async def test_the_hub_fails_fast_while_postgresql_is_down_and_recovers(outage_server):
    url = await asyncio.to_thread(build_postgres_template, outage_server.url)
    engine = create_engine(url)
    app = create_app(Settings(database_url=url, result_cache_size=0), engine=engine)
    token = await token_for(engine)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as client:
            assert (await client.post("/graphql", json={"query": QUERY})).status_code == 200
            assert (await client.get("/readyz")).status_code == 200
            async with engine.connect() as conn:
                before = (
                    await conn.execute(select(func.count()).select_from(Observation))
                ).scalar()

            await asyncio.to_thread(outage_server.pause)
            down = await asyncio.wait_for(client.post("/graphql", json={"query": QUERY}), 15)
            error = down.json()["errors"][0]
            assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE"
            assert "Traceback" not in down.text
            ready = await asyncio.wait_for(client.get("/readyz"), 15)
            assert ready.status_code == 503
            write = await asyncio.wait_for(
                client.post(
                    "/graphql",
                    json={
                        "query": SUBMIT,
                        "variables": {"input": {"province": "83", "observations": [staffing()]}},
                    },
                    headers=bearer(token),
                ),
                15,
            )
            # Authentication needs the database too: the submission is refused either way.
            assert write.status_code == 503
            assert write.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"

            await asyncio.to_thread(outage_server.resume)
            for _ in range(20):
                answer = await client.post("/graphql", json={"query": QUERY})
                if answer.status_code == 200 and "errors" not in answer.json():
                    break
                await asyncio.sleep(0.5)
            assert answer.json().get("data"), answer.json()
            assert answer.json()["data"]["ranking"]["entries"] == [{"value": 0.0538}]
            assert (await client.get("/readyz")).status_code == 200
            async with engine.connect() as conn:
                after = (await conn.execute(select(func.count()).select_from(Observation))).scalar()
            assert after == before  # the submission sent during the outage stored nothing
    finally:
        await engine.dispose()
