"""GraphQL over HTTP: media types, status codes and methods, as the spec asks."""

import pytest

from hub.graphql_view import negotiate

GRAPHQL_RESPONSE = "application/graphql-response+json"


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "application/json"),
        ("application/json", "application/json"),
        (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
        (f"{GRAPHQL_RESPONSE}, application/json;q=0.9", GRAPHQL_RESPONSE),
        (f"application/json, {GRAPHQL_RESPONSE};q=0.5", "application/json"),
        ("*/*", "application/json"),
    ],
)
def test_content_negotiation(accept, expected):
    assert negotiate(accept) == expected


async def test_graphql_response_json_answers_request_errors_with_400_and_no_data(client):
    headers = {"Accept": GRAPHQL_RESPONSE}
    for query in ("{ provinces {", "{ noSuchField }"):
        response = await client.post("/graphql", json={"query": query}, headers=headers)
        assert response.status_code == 400
        assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE)
        assert "data" not in response.json()
        assert response.json()["errors"]


async def test_variables_that_do_not_coerce_are_a_400(client):
    response = await client.post(
        "/graphql",
        json={
            "query": 'query($y: Int!) { ranking(indicator: "x", year: $y) { year } }',
            "variables": {"y": "soon"},
        },
        headers={"Accept": GRAPHQL_RESPONSE},
    )
    assert response.status_code == 400


async def test_application_json_keeps_200_for_request_errors(client):
    response = await client.post("/graphql", json={"query": "{ noSuchField }"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")


async def test_an_execution_error_is_200_with_data_under_either_type(client):
    for accept in (GRAPHQL_RESPONSE, "application/json"):
        response = await client.post(
            "/graphql",
            json={"query": '{ ranking(indicator: "no.such", year: 2021) { year } }'},
            headers={"Accept": accept},
        )
        assert response.status_code == 200
        assert response.json()["data"] is None
        assert response.json()["errors"][0]["extensions"]["code"] == "UNKNOWN_INDICATOR"


async def test_a_post_without_json_content_type_is_415(client):
    response = await client.post("/graphql", content=b'{"query": "{ indicators { code } }"}')
    assert response.status_code == 415


@pytest.mark.parametrize("field", ["operationName", "extensions", "variables"])
async def test_parameters_of_the_wrong_type_are_400(client, field):
    response = await client.post("/graphql", json={"query": "{ indicators { code } }", field: 7})
    assert response.status_code == 400


async def test_queries_may_use_get_but_mutations_may_not(client):
    ok = await client.get("/graphql", params={"query": "{ indicators { code } }"})
    assert ok.status_code == 200
    assert ok.json()["data"]["indicators"]
    mutation = 'mutation { lockPeriod(province: "83", year: 2020) { locked } }'
    refused = await client.get("/graphql", params={"query": mutation})
    assert refused.status_code == 405


async def test_answers_are_utf8_json_and_read_back_exactly(client):
    query = '{ provinces(asOf: "2020-06-30") { code name } }'
    response = await client.post("/graphql", json={"query": query})
    assert response.headers["content-type"].endswith("charset=utf-8")
    assert "Bến Tre".encode() in response.content  # UTF-8, not \\u escapes
    assert {"code": "83", "name": "Bến Tre"} in response.json()["data"]["provinces"]


async def test_a_variable_beyond_64_bits_is_a_graphql_error_not_a_bad_body(client):
    response = await client.post(
        "/graphql",
        content=b'{"query": "query($y: Int!) { ranking(indicator: \\"staffing.it_staff\\", '
        b'year: $y) { year } }", "variables": {"y": 123456789012345678901234567890}}',
        headers={"content-type": "application/json"},
    )
    body = response.json()
    assert body["errors"], body
    assert "not JSON" not in body["errors"][0]["message"]
    assert "Int cannot represent" in body["errors"][0]["message"]
