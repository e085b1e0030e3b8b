"""Unexpected failures are masked; database failures are named, never detailed."""

import logging

import pytest
from sqlalchemy import text

from hub.db import create_engine
from hub.db_errors import DatabaseFailure, classify
from tests.support.graphql import gql


async def test_an_internal_error_is_masked_with_an_id_that_is_in_the_log(
    client, monkeypatch, caplog
):
    async def broken(**_kwargs):
        raise RuntimeError("SELECT secret FROM /srv/hub/config.py line 3")

    monkeypatch.setattr("hub.indicators.list_indicators", broken)
    with caplog.at_level(logging.ERROR, logger="hub.errors"):
        response = await client.post("/graphql", json={"query": "{ indicators { code } }"})
    text_ = response.text
    error = response.json()["errors"][0]
    assert error["message"] == "Internal server error"
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    for leak in ("SELECT", "secret", "/srv", "Traceback", ".py"):
        assert leak not in text_
    assert error["extensions"]["errorId"] in caplog.text


async def test_request_errors_have_codes(client):
    parse = await gql(client, "{ provinces {", expect_errors=True)
    assert parse["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
    invalid = await gql(client, "{ noSuchField }", expect_errors=True)
    assert invalid["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    variables = await gql(
        client,
        "query($y: Int!) { completeness(year: $y) { share } }",
        {"y": "x"},
        expect_errors=True,
    )
    assert variables["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_statement_past_its_timeout_is_classified_as_a_timeout(database_url, backend):
    if backend != "postgresql":
        pytest.skip("SQLite has no statement timeout")
    engine = create_engine(database_url, statement_timeout_ms=50)
    try:
        with pytest.raises(Exception, match="cancel") as raised:
            async with engine.connect() as conn:
                await conn.execute(text("SELECT pg_sleep(2)"))
        assert classify(raised.value) is DatabaseFailure.TIMEOUT
    finally:
        await engine.dispose()


def test_connection_failures_are_unavailable():
    assert classify(ConnectionRefusedError()) is DatabaseFailure.UNAVAILABLE
    assert classify(ValueError("nope")) is None


@pytest.mark.parametrize(
    "query",
    [
        "{ completeness(year: -4813) { share } }",
        '{ ranking(indicator: "staffing.it_staff", year: 99999) { year } }',
        '{ rollup(indicator: "staffing.it_staff", year: 0) { value } }',
        "{ targetsReport(year: 1) { status } }",
        '{ compare(provinces: ["67"], years: [3000]) { value } }',
        "{ observations(filter: {yearFrom: -1}) { totalCount } }",
        "{ plans(year: 12345) { title } }",
    ],
)
async def test_an_impossible_year_is_the_callers_mistake(client, query):
    body = await gql(client, query, expect_errors=True)
    assert body["errors"][0]["extensions"]["code"] == "INVALID_ARGUMENT"


@pytest.mark.parametrize("weird", ["³", "٣", "1e3", "", "-"])
async def test_identifiers_with_unicode_digits_are_not_found_not_crashes(client, engine, weird):
    from tests.support.submissions import bearer, token_for

    token = await token_for(engine)
    body = await gql(
        client,
        "mutation($id: ID!) { approveSubmission(id: $id) { userErrors { code } } }",
        {"id": weird},
        headers=bearer(token),
    )
    assert body["approveSubmission"]["userErrors"] == [{"code": "NOT_FOUND"}]
    page = await gql(
        client,
        "query($a: String) { observations(after: $a) { totalCount } }",
        {"a": "b2JzOsKz"},
        expect_errors=True,
    )  # "obs:³"
    assert page["errors"][0]["extensions"]["code"] == "INVALID_CURSOR"
