"""Compiled documents (``schema.compiled_operations``) answer exactly as strawberry does.

Every answer is compared byte for byte with the same request sent to the same database
with compiled documents off: successes, the caller's mistakes, failures of the
database, random selections. The tests also pin what takes the compiled path, that it
really skips strawberry's pipeline, and that a result with errors is finished by
strawberry without running the operation a second time.
"""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.app import create_app
from hub.db import count_statements, create_engine
from hub.graphql_view import HubGraphQL
from hub.settings import Settings
from schema import build_schema
from schema.build import document_rules
from schema.compiled_operations import CompiledOperations
from tests.support.graphql import CONTRACT_DIR

RANKING = (CONTRACT_DIR / "operations" / "national_ranking.graphql").read_text(encoding="utf-8")

REQUESTS: list[dict[str, Any]] = [
    {"query": RANKING, "variables": {"indicator": "dti.workforce.index", "year": 2021}},
    {"query": RANKING, "variables": {"indicator": "staffing.it_staff", "year": 2022}},
    {
        "query": (CONTRACT_DIR / "operations" / "compare_provinces.graphql").read_text(
            encoding="utf-8"
        )
    },
    {
        "query": (CONTRACT_DIR / "operations" / "targets_dashboard.graphql").read_text(
            encoding="utf-8"
        ),
        "variables": {"asOf": "2021-12-31"},
    },
    {
        "query": (CONTRACT_DIR / "operations" / "staffing_report.graphql").read_text(
            encoding="utf-8"
        ),
        "variables": {"provinces": ["83", "dak nong"]},
    },
    # Aliases, __typename, fragments, two root fields.
    {
        "query": """query Both { __typename
            r: ranking(indicator: "dti.workforce.index", year: 2021) { __typename ...R
              top: entries { province { ... on Province { code } } } }
            provinces(asOf: "2021-12-31") { code name } }
          fragment R on Ranking { year provincesRanked entries { rank value } }""",
        "operationName": "Both",
    },
    # A field with a resolver below the root: graphql-core completes it.
    {
        "query": """{ ranking(indicator: "staffing.it_staff", year: 2021) {
            provincesWithoutValue { code }
            entries { province { code predecessors { code } } } } }"""
    },
    # The caller's mistakes: an unknown indicator, an impossible year, a variable that
    # does not coerce, a nullable root field failing beside one that answers.
    {"query": '{ ranking(indicator: "no.such", year: 2021) { year } }'},
    {"query": '{ ranking(indicator: "staffing.it_staff", year: 99999) { year } }'},
    {"query": RANKING, "variables": {"indicator": "staffing.it_staff", "year": "x"}},
    {"query": '{ provinces { code } province(code: "no.such") { code } }'},
    {"query": '{ provinces { code } ranking(indicator: "no.such", year: 2021) { year } }'},
]

ACCEPTS = ["application/json", "application/graphql-response+json"]


async def _answers(
    engine: Any, settings: Settings, body: dict[str, Any], accept: str
) -> list[tuple[int, str, bytes]]:
    found = []
    for compiled in (True, False):
        app = create_app(
            dataclasses.replace(settings, compiled_operations=compiled, result_cache_size=0),
            engine=engine,
        )
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://hub.test"
        ) as client:
            response = await client.post("/graphql", json=body, headers={"accept": accept})
        found.append((response.status_code, response.headers["content-type"], response.content))
    return found


@pytest.mark.parametrize("accept", ACCEPTS)
@pytest.mark.parametrize("body", REQUESTS)
async def test_a_compiled_answer_is_strawberrys_answer_byte_for_byte(
    engine, settings, body: dict[str, Any], accept: str
) -> None:
    compiled, plain = await _answers(engine, settings, body, accept)
    assert compiled == plain


def _operations(settings: Settings | None = None) -> CompiledOperations:
    settings = settings or Settings()
    return CompiledOperations(
        build_schema()._schema, rules=document_rules(), max_tokens=settings.max_tokens
    )


def test_only_directive_free_valid_queries_are_compiled() -> None:
    operations = _operations()
    assert operations.lookup(RANKING, None, {"indicator": "a", "year": 2021}) is not None
    refused = [
        ('{ ranking(indicator: "a", year: 2021) { year @include(if: true) } }', None),
        ('mutation { lockPeriod(province: "83", year: 2021) { userErrors { code } } }', None),
        ("{ __schema { types { name } } }", None),
        ("{ noSuchField }", None),
        ("{ provinces {", None),
        ("query A { provinces { code } } query B { indicators { code } }", None),
        ("query A { provinces { code } }", "B"),
        ("{ provinces { code } }" + " " + "x" * 10, None),
    ]
    for query, name in refused:
        assert operations.lookup(query, name, None) is None, query


def test_a_document_past_the_token_limit_is_left_to_strawberry() -> None:
    many = "{ " + " ".join(f"a{i}: provinces {{ code }}" for i in range(2000)) + " }"
    assert _operations().lookup(many, None, None) is None


def test_variables_that_do_not_coerce_leave_the_document_uncompiled_until_some_do() -> None:
    operations = _operations()
    assert operations.lookup(RANKING, None, {"indicator": "a", "year": "x"}) is None
    assert operations.lookup(RANKING, None, {"indicator": "a", "year": 2021}) is not None


def test_a_plain_selection_compiles_into_one_completion() -> None:
    compiled = _operations().lookup(RANKING, None, {"indicator": "a", "year": 2021})
    assert compiled is not None
    (ranking,) = compiled.fields
    assert ranking.key == "ranking"
    assert ranking.complete is not None


class _Counted:
    """Counts strawberry's executions of a view's schema."""

    def __init__(self, view: HubGraphQL) -> None:
        self.calls = 0
        original = view.schema.execute

        async def execute(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            return await original(*args, **kwargs)

        view.schema.execute = execute  # type: ignore[method-assign]


def _view(app: Any) -> HubGraphQL:
    route = next(r for r in app.routes if getattr(r, "path", "") == "/graphql")
    view = route.endpoint.app
    assert isinstance(view, HubGraphQL)
    return view


async def test_a_compiled_document_skips_strawberry_and_an_error_runs_once(
    engine, settings
) -> None:
    app = create_app(dataclasses.replace(settings, result_cache_size=0), engine=engine)
    counted = _Counted(_view(app))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://hub.test"
    ) as client:
        body = {"query": RANKING, "variables": {"indicator": "staffing.it_staff", "year": 2021}}
        await client.post("/graphql", json=body)  # reference data loaded
        with count_statements(engine) as ranking:
            answer = (await client.post("/graphql", json=body)).json()
        assert counted.calls == 0
        assert answer["data"]["ranking"]["entries"]
        assert ranking.count == 1  # the ranking reads the data version with its rows

        failing = {"query": '{ provinces { code } ranking(indicator: "x", year: 2021) { year } }'}
        with count_statements(engine) as failed:
            error = (await client.post("/graphql", json=failing)).json()
        assert error["data"] is None
        assert error["errors"][0]["extensions"]["code"] == "UNKNOWN_INDICATOR"
        assert counted.calls == 1  # strawberry finished it...
        assert failed.count == 1  # ...without running it again: one version read in all


async def test_a_statement_timeout_is_answered_as_strawberry_answers_it(
    database_url, backend
) -> None:
    """A failure of the database is answered once, with strawberry's answer."""
    if backend != "postgresql":
        pytest.skip("SQLite has no statement timeout")
    settings = Settings(database_url=database_url, statement_timeout_ms=300, result_cache_size=0)
    engine = create_engine(database_url, statement_timeout_ms=300)
    blocker = create_engine(database_url)
    body = {"query": RANKING, "variables": {"indicator": "staffing.it_staff", "year": 2021}}
    apps = [
        create_app(dataclasses.replace(settings, compiled_operations=compiled), engine=engine)
        for compiled in (True, False)
    ]
    answers = []
    try:
        for app in apps:  # each process holds its reference data before the lock
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://hub.test"
            ) as client:
                assert "errors" not in (await client.post("/graphql", json=body)).json()
        async with blocker.begin() as conn:
            await conn.exec_driver_sql("LOCK TABLE observations IN ACCESS EXCLUSIVE MODE")
            for app in apps:
                async with httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=app), base_url="http://hub.test"
                ) as client:
                    with count_statements(engine) as counter:
                        response = await client.post("/graphql", json=body)
                answers.append((response.status_code, response.content, counter.count))
            await conn.rollback()
    finally:
        await engine.dispose()
        await blocker.dispose()
    compiled_answer, plain_answer = answers
    assert compiled_answer == plain_answer
    assert b"STATEMENT_TIMEOUT" in compiled_answer[1]
    assert compiled_answer[2] == 1  # the ranking, sent once


@pytest.mark.parametrize(
    ("body", "failed"),
    [
        ({"query": RANKING, "variables": {"indicator": "staffing.it_staff", "year": 2021}}, False),
        ({"query": '{ ranking(indicator: "no.such", year: 2021) { year } }'}, True),
    ],
)
async def test_a_compiled_operation_has_one_span_and_its_trace_id(
    client, spans, body: dict[str, Any], failed: bool
) -> None:
    answer = (await client.post("/graphql", json=body)).json()
    operations = [s for s in spans.get_finished_spans() if s.name == "graphql.operation"]
    assert len(operations) == 1
    (operation,) = operations
    assert operation.attributes["graphql.operation.type"] == "query"
    assert operation.attributes["graphql.operation.cost"] > 0
    assert (operation.status.status_code.name == "ERROR") is failed
    sql = [s for s in spans.get_finished_spans() if s.name.startswith("sql ")]
    assert sql
    assert all(s.context.trace_id == operation.context.trace_id for s in sql)
    assert answer["extensions"]["traceId"] == format(operation.context.trace_id, "032x")


# Random selections of a ranking, each answered both ways.
_ENTRY_FIELDS = [
    "rank",
    "value",
    "officialRank",
    "__typename",
    "province { code name slug }",
    "province { __typename code fullName kind validFrom validTo }",
]
_RANKING_FIELDS = [
    "year",
    "boundaries",
    "provincesRanked",
    "__typename",
    "indicator { code name unit higherIsBetter topic }",
    "dimensions { name value }",
]


@st.composite
def _selections(draw: st.DrawFn, fields: list[str]) -> str:
    chosen = draw(st.lists(st.sampled_from(fields), min_size=1, max_size=len(fields)))
    parts = []
    for position, field in enumerate(chosen):
        alias = f"a{position}: " if draw(st.booleans()) else ""
        text = alias + field
        if draw(st.integers(0, 4)) == 0:
            text = "... on " + ("RankingEntry" if fields is _ENTRY_FIELDS else "Ranking")
            text += " { " + alias + field + " }"
        parts.append(text)
    return " ".join(parts)


@st.composite
def _ranking_documents(draw: st.DrawFn) -> str:
    top = draw(_selections(_RANKING_FIELDS))
    entries = draw(_selections(_ENTRY_FIELDS))
    year = draw(st.sampled_from([2016, 2021, 2022, 2025]))
    indicator = draw(st.sampled_from(["dti.workforce.index", "staffing.it_staff"]))
    return (
        f'{{ ranking(indicator: "{indicator}", year: {year}) {{ {top} entries {{ {entries} }} }} }}'
    )


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(query=_ranking_documents())
def test_any_selection_of_a_ranking_is_answered_alike(database_url: str, query: str) -> None:
    async def both() -> list[tuple[int, str, bytes]]:
        engine = create_engine(database_url)
        try:
            return await _answers(
                engine, Settings(database_url=database_url), {"query": query}, ACCEPTS[0]
            )
        finally:
            await engine.dispose()

    compiled, plain = asyncio.run(both())
    assert compiled == plain
    assert compiled[0] == 200
    assert b'"errors"' not in compiled[2], compiled[2][:300]


def test_the_view_compiles_only_without_per_field_tracing() -> None:
    engine = create_engine("sqlite+aiosqlite:///:memory:")
    assert HubGraphQL(engine=engine, settings=Settings()).compiled is not None
    assert HubGraphQL(engine=engine, settings=Settings(trace_fields=True)).compiled is None
    assert HubGraphQL(engine=engine, settings=Settings(compiled_operations=False)).compiled is None
