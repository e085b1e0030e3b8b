"""Through the real app, the fast list path changes no answer.

With per-field tracing on (``trace_fields``) every field goes through graphql-core's
own execution; the same operations must give the same JSON either way.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import httpx
import pytest

from hub.app import create_app
from tests.support.graphql import CONTRACT_DIR

OPERATIONS: list[tuple[str, dict[str, Any]]] = [
    (
        (CONTRACT_DIR / "operations" / "national_ranking.graphql").read_text(encoding="utf-8"),
        {"indicator": "dti.workforce.index", "year": 2021},
    ),
    (
        (CONTRACT_DIR / "operations" / "compare_provinces.graphql").read_text(encoding="utf-8"),
        {},
    ),
    (
        (CONTRACT_DIR / "operations" / "targets_dashboard.graphql").read_text(encoding="utf-8"),
        {"asOf": "2021-12-31"},
    ),
    (
        (CONTRACT_DIR / "operations" / "staffing_report.graphql").read_text(encoding="utf-8"),
        {"provinces": ["83", "dak nong"]},
    ),
    (
        """{ observations(first: 200) { edges { cursor node { __typename id year value
             numerator denominator flag status recordedAt dimensions { name value }
             ind: indicator { code unit topic higherIsBetter }
             province { code name validTo successor { code } }
             source { title url publishedOn } } } } }""",
        {},
    ),
    (
        """query($skip: Boolean!) { plans { id number kind issuedOn
             province { ...P } targets { description year value comparator
             indicator { code } progress { latestValue latestYear attainment met }
             dimensions { name value } } legalBases @skip(if: $skip) { number } } }
           fragment P on Province { code name slug }""",
        {"skip": True},
    ),
    (
        """{ ranking(indicator: "staffing.it_staff", year: 2021) { provincesRanked
             entries { rank value officialRank province { code name predecessors { code } } }
             provincesWithoutValue { code } } }""",
        {},
    ),
    (
        '{ compare(provinces: ["Đắk Nông", "ben-tre"], years: [2021, 2022]) '
        "{ year value rank province { slug } indicator { code nameEn } } }",
        {},
    ),
]


@pytest.mark.parametrize(("query", "variables"), OPERATIONS)
async def test_fast_and_traced_execution_answer_the_same(
    engine, settings, query: str, variables: dict[str, Any]
) -> None:
    answers = []
    for trace_fields in (False, True):
        app = create_app(
            dataclasses.replace(settings, trace_fields=trace_fields, result_cache_size=0),
            engine=engine,
        )
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://hub.test"
        ) as client:
            response = await client.post("/graphql", json={"query": query, "variables": variables})
        body = response.json()
        assert "errors" not in body, body["errors"]
        answers.append(body["data"])
    assert answers[0] == answers[1]
    assert _longest_list(answers[0]) >= 1, "the operation must reach a list to compare"


def _longest_list(value: Any) -> int:
    if isinstance(value, list):
        return max([len(value), *(_longest_list(v) for v in value)])
    if isinstance(value, dict):
        return max([0, *(_longest_list(v) for v in value.values())])
    return 0


RANKED = """query($with: Boolean!) { ranking(indicator: "dti.workforce.index", year: 2021) {
  entries { rank province @include(if: $with) { code } } } }"""
PLAIN = """{ ranking(indicator: "dti.workforce.index", year: 2021) {
  entries { rank value province { code name } } } }"""


@pytest.fixture
async def uncached(engine, settings):
    """The result cache off: every request is executed."""
    app = create_app(dataclasses.replace(settings, result_cache_size=0), engine=engine)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as http:
        yield http


async def test_a_list_under_a_directive_follows_each_requests_variables(uncached):
    """Plans are shared between requests only for documents without directives."""
    for flag in (True, False, True, False):
        response = await uncached.post(
            "/graphql", json={"query": RANKED, "variables": {"with": flag}}
        )
        entries = response.json()["data"]["ranking"]["entries"]
        assert entries
        assert all(("province" in e) is flag for e in entries)


async def test_a_repeated_document_gets_the_same_answer_from_a_shared_plan(uncached):
    answers = [(await uncached.post("/graphql", json={"query": PLAIN})).json() for _ in range(3)]
    assert answers[0]["data"]["ranking"]["entries"]
    assert answers[0] == answers[1] == answers[2]
