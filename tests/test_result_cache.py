"""The result cache answers repeated queries without execution, and is never stale."""

import dataclasses
from collections.abc import Mapping

import httpx

from hub.app import create_app
from hub.db import count_statements
from tests.support.submissions import SUBMIT, bearer, staffing, token_for

QUERY = """
query($p: [ID!]) {
  observations(filter: {provinces: $p, indicators: ["staffing.it_staff"], years: [2023]}) {
    totalCount edges { node { value status } }
  }
}
"""


async def post(
    client: httpx.AsyncClient, query: str, variables: Mapping[str, object], token: str | None = None
) -> httpx.Response:
    headers = bearer(token) if token else {}
    return await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )


async def test_a_repeated_query_is_answered_from_the_cache_with_one_statement(client, engine):
    first = await post(client, QUERY, {"p": ["83"]})
    assert first.headers["x-hub-cache"] == "miss"
    with count_statements(engine) as counter:
        second = await post(client, QUERY, {"p": ["83"]})
    assert second.headers["x-hub-cache"] == "hit"
    assert second.json() == first.json()
    assert counter.count == 1  # the data version, nothing else


async def test_other_variables_are_other_entries(client):
    await post(client, QUERY, {"p": ["83"]})
    assert (await post(client, QUERY, {"p": ["67"]})).headers["x-hub-cache"] == "miss"


async def test_a_warm_cache_never_serves_stale_data(client, engine):
    ministry = await token_for(engine)
    warm = await post(client, QUERY, {"p": ["83"]})
    assert (await post(client, QUERY, {"p": ["83"]})).headers["x-hub-cache"] == "hit"
    assert warm.json()["data"]["observations"]["totalCount"] == 0
    stored = await post(
        client,
        SUBMIT,
        {"input": {"province": "83", "observations": [staffing(40)]}},
        ministry,
    )
    assert stored.json()["data"]["submitObservations"]["accepted"] == 1
    fresh = await post(client, QUERY, {"p": ["83"]})
    assert fresh.headers["x-hub-cache"] == "miss"
    assert fresh.json()["data"]["observations"]["edges"] == [
        {"node": {"value": 40.0, "status": "APPROVED"}}
    ]


async def test_an_approval_invalidates_what_anonymous_callers_saw(client, engine):
    ben_tre, ministry = await token_for(engine, "83"), await token_for(engine)
    submitted = await post(
        client, SUBMIT, {"input": {"province": "83", "observations": [staffing(40)]}}, ben_tre
    )
    submission_id = submitted.json()["data"]["submitObservations"]["submissionId"]
    assert (await post(client, QUERY, {"p": ["83"]})).json()["data"]["observations"][
        "totalCount"
    ] == 0
    await post(
        client,
        "mutation($id: ID!) { approveSubmission(id: $id) { userErrors { code } } }",
        {"id": submission_id},
        ministry,
    )
    after = await post(client, QUERY, {"p": ["83"]})
    assert after.json()["data"]["observations"]["totalCount"] == 1


async def test_callers_who_see_different_things_do_not_share_entries(client, engine):
    ben_tre = await token_for(engine, "83")
    await post(
        client, SUBMIT, {"input": {"province": "83", "observations": [staffing(40)]}}, ben_tre
    )
    own = await post(client, QUERY, {"p": ["83"]}, ben_tre)
    assert own.json()["data"]["observations"]["totalCount"] == 1
    public = await post(client, QUERY, {"p": ["83"]})
    assert public.headers["x-hub-cache"] == "miss"
    assert public.json()["data"]["observations"]["totalCount"] == 0


async def test_mutations_and_errors_are_never_cached(client, engine):
    ministry = await token_for(engine)
    body = {"input": {"province": "83", "observations": [staffing(40)], "dryRun": True}}
    for _ in range(2):
        answer = await post(client, SUBMIT, body, ministry)
        assert "x-hub-cache" not in answer.headers
    bad = "{ observations(first: 5000) { totalCount } }"
    await post(client, bad, {})
    assert (await post(client, bad, {})).headers["x-hub-cache"] == "miss"


async def test_size_zero_turns_the_cache_off(engine, settings):
    app = create_app(dataclasses.replace(settings, result_cache_size=0), engine=engine)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://hub.test"
    ) as client:
        await post(client, QUERY, {"p": ["83"]})
        assert "x-hub-cache" not in (await post(client, QUERY, {"p": ["83"]})).headers
