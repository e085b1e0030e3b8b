"""Each limit refuses with its own code, and the server keeps answering afterwards."""

import dataclasses
from typing import Any

import httpx
import pytest

from hub.app import create_app
from hub.http_limits import RateLimit
from tests.support.graphql import gql


async def _client_with(engine: Any, settings: Any, **changes: Any) -> httpx.AsyncClient:
    app = create_app(dataclasses.replace(settings, **changes), engine=engine)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub.test")


async def _still_up(client: httpx.AsyncClient) -> None:
    assert (await gql(client, "{ indicators { code } }"))["indicators"]


async def test_a_query_too_deep_is_refused(client):
    deep = (
        "{ provinces { successor { successor { successor { successor { successor { "
        "successor { successor { successor { successor { successor { successor { code "
        "} } } } } } } } } } } } }"
    )
    body = await gql(client, deep, expect_errors=True)
    assert body["errors"][0]["extensions"]["code"] == "DEPTH_LIMIT_EXCEEDED"
    await _still_up(client)


async def test_too_many_aliases_are_refused(client):
    many = "{ " + " ".join(f"a{i}: indicators {{ code }}" for i in range(31)) + " }"
    body = await gql(client, many, expect_errors=True)
    assert body["errors"][0]["extensions"]["code"] == "ALIAS_LIMIT_EXCEEDED"
    await _still_up(client)


async def test_a_query_too_costly_is_refused(client):
    costly = """{ plans { targets { indicator { code } progress { latestValue } }
                  province { predecessors { predecessors { predecessors { code name } } } } } }"""
    body = await gql(client, costly, expect_errors=True)
    assert body["errors"][0]["extensions"]["code"] == "COST_LIMIT_EXCEEDED", body
    await _still_up(client)


async def test_the_contract_operations_fit_within_the_limits(client):
    from tests.test_schema_contract import OPERATIONS

    for operation in OPERATIONS:
        response = await client.post("/graphql", json={"query": operation.read_text()})
        for error in response.json().get("errors", []):
            assert "LIMIT" not in error["extensions"]["code"], (operation.name, error)


async def test_too_many_tokens_are_refused(engine, settings):
    async with await _client_with(engine, settings, max_tokens=100) as client:
        query = "{ " + " ".join(f"a{i}: __typename" for i in range(60)) + " }"
        body = await gql(client, query, expect_errors=True)
        assert body["errors"][0]["extensions"]["code"] == "TOKEN_LIMIT_EXCEEDED"
        await _still_up(client)


async def test_a_body_too_large_is_413(engine, settings):
    async with await _client_with(engine, settings, max_body_bytes=2048) as client:
        response = await client.post(
            "/graphql", json={"query": "{ indicators { code } }", "variables": {"x": "y" * 4000}}
        )
        assert response.status_code == 413
        assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
        await _still_up(client)


async def test_a_caller_over_its_rate_gets_429_with_retry_after(engine, settings):
    async with await _client_with(engine, settings, rate_limit_per_minute=3) as client:
        codes = [
            (await client.post("/graphql", json={"query": "{ __typename }"})).status_code
            for _ in range(4)
        ]
        assert codes == [200, 200, 200, 429]
        refused = await client.post("/graphql", json={"query": "{ __typename }"})
        assert int(refused.headers["retry-after"]) >= 1
        assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
        other = await client.post(
            "/graphql",
            json={"query": "{ __typename }"},
            headers={"Authorization": "Bearer hub_" + "A" * 43},
        )
        assert other.status_code == 401  # another caller, with its own bucket


def test_the_bucket_refills_with_time():
    limiter = RateLimit(app=None, per_minute=60)  # type: ignore[arg-type]
    assert [limiter.allow("c", 0.0) for _ in range(60)] == [0.0] * 60
    assert limiter.allow("c", 0.0) == pytest.approx(1.0)
    assert limiter.allow("c", 1.0) == 0.0


async def test_a_compare_grid_too_large_is_refused(client):
    indicators = (await gql(client, "{ indicators { code } }"))["indicators"]
    provinces = (await gql(client, '{ provinces(asOf: "2021-01-01") { code } }'))["provinces"]
    body = await gql(
        client,
        "query($p: [ID!]!, $i: [ID!], $y: [Int!]) { compare(provinces: $p, indicators: $i, "
        "years: $y) { value } }",
        {
            "p": [p["code"] for p in provinces[:30]],
            "i": [i["code"] for i in indicators],
            "y": list(range(1970, 2030)),
        },
        expect_errors=True,
    )
    assert body["errors"][0]["extensions"]["code"] == "INVALID_ARGUMENT"
