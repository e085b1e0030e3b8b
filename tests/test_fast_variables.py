"""Large variables are coerced by a compiled pass exactly as graphql-core coerces them."""

import gc
import itertools
from typing import Any

import pytest
from graphql import (
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLNonNull,
    Undefined,
    coerce_input_value,
    parse,
    type_from_ast,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.submissions.inputs import ObservationItem
from schema.build import build_schema
from schema.fast_variables import _COMPILED, LONG, compiled, cut_lists, has_long_list
from tests.support.submissions import SUBMIT, bearer, staffing, stored_counts, token_for

SCHEMA = build_schema()._schema
INPUT_TYPES = ["SubmitObservationsInput", "ObservationFilter", "SubmitPlanInput"]

# Values near the types' shapes, with every kind of mistake a client makes.
names = st.sampled_from(
    [
        "province",
        "observations",
        "indicator",
        "year",
        "period",
        "value",
        "dimensions",
        "name",
        "flag",
        "source",
        "title",
        "dryRun",
        "comment",
        "expectedRevision",
        "provinces",
        "years",
        "totalsOnly",
        "unknownField",
    ]
)
leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**40), max_value=2**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["22", "Bến Tre", "staffing.it_staff", "FINAL", "ESTIMATED", "2023-06", ""]),
    st.text(max_size=5),
)
values = st.recursive(
    leaves,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(names, inner, max_size=6)),
    max_leaves=25,
)


def observation(year: Any = 2023, **extra: Any) -> dict[str, Any]:
    return {"indicator": "staffing.it_staff", "year": year, "value": 40.0, **extra}


def both(value: Any, type_: GraphQLInputType) -> tuple[Any, Any]:
    fast = compiled(type_)
    assert fast is not None
    return fast(value), coerce_input_value(value, type_)


@settings(max_examples=400, deadline=None)
@given(type_name=st.sampled_from(INPUT_TYPES), value=values, non_null=st.booleans())
def test_any_value_coerces_to_what_graphql_core_makes_of_it(type_name, value, non_null):
    named = SCHEMA.type_map[type_name]
    assert isinstance(named, GraphQLInputObjectType)
    type_: GraphQLInputType = GraphQLNonNull(named) if non_null else named
    fast, reference = both(value, type_)
    assert (fast is Undefined) == (reference is Undefined)
    if reference is not Undefined:
        assert fast == reference


@settings(max_examples=200, deadline=None)
@given(
    items=st.lists(
        st.fixed_dictionaries(
            {"indicator": st.just("staffing.it_staff"), "year": st.integers(2000, 2030)},
            optional={
                "value": st.one_of(st.none(), st.floats(allow_nan=False), st.integers(-5, 5)),
                "period": st.one_of(st.none(), st.just("2023-06"), st.integers()),
                "flag": st.sampled_from(["FINAL", "ESTIMATED", "final", None]),
                "dimensions": st.lists(
                    st.fixed_dictionaries({"name": st.just("level"), "value": st.text(max_size=3)}),
                    max_size=2,
                ),
            },
        ),
        max_size=6,
    )
)
def test_well_formed_batches_coerce_alike_flags_dimensions_and_defaults_included(items):
    named = SCHEMA.type_map["SubmitObservationsInput"]
    assert isinstance(named, GraphQLInputObjectType)
    type_ = GraphQLNonNull(named)
    fast, reference = both({"province": "83", "observations": items}, type_)
    assert (fast is Undefined) == (reference is Undefined)
    assert fast == reference or reference is Undefined


class Subclass(dict[str, Any]):
    pass


@pytest.mark.parametrize(
    "value",
    [
        {"name": "level", "value": "PROVINCE"},
        {"name": "level", "value": "PROVINCE", "other": Undefined},
        {"name": "level", "value": Undefined},
        {"name": "level", "value": "PROVINCE", "other": None},
        Subclass(name="level", value="PROVINCE"),
        {"name": "level"},
    ],
)
def test_python_values_json_never_holds_coerce_alike(value):
    named = SCHEMA.type_map["DimensionInput"]
    assert isinstance(named, GraphQLInputObjectType)
    fast, reference = both(value, named)
    assert fast == reference or fast is reference is Undefined
    if fast is not Undefined:
        assert type(fast) is dict


def test_a_type_is_compiled_once_however_many_requests_write_it():
    document = parse("mutation($input: SubmitObservationsInput!) { __typename }")
    (definition,) = document.definitions[0].variable_definitions  # type: ignore[attr-defined]
    first, again = (type_from_ast(SCHEMA, definition.type) for _ in range(2))
    assert first is not again  # graphql-core wraps anew for every request
    before = len(_COMPILED)
    assert compiled(first) is compiled(again) is not None
    assert len(_COMPILED) <= before + 1


def test_only_long_lists_take_the_compiled_path_and_are_cut_to_one_item():
    short = {"observations": [observation()] * LONG}
    long = {"observations": [observation()] * (LONG + 1)}
    assert not has_long_list(short)
    assert has_long_list(long)
    assert cut_lists(long) == {"observations": [observation()]}


async def test_a_long_batch_with_one_bad_item_gets_graphql_cores_own_error(client, engine):
    token = await token_for(engine)
    before = await stored_counts(engine)
    items = [staffing(value=float(i), period=f"2023-{1 + i % 12:02d}") for i in range(200)]
    items[150] = {**items[150], "year": "twenty"}
    response = await client.post(
        "/graphql",
        json={"query": SUBMIT, "variables": {"input": {"province": "83", "observations": items}}},
        headers=bearer(token),
    )
    body = response.json()
    assert "data" not in body or body["data"] is None
    (error,) = body["errors"]
    assert "observations[150].year" in error["message"]
    assert "Int cannot represent non-integer value" in error["message"]
    assert await stored_counts(engine) == before


async def test_a_long_valid_batch_is_stored_as_sent(client, engine):
    token = await token_for(engine)
    levels = (None, "PROVINCE", "DISTRICT", "COMMUNE")
    audiences = (None, "LEADERS", "CITIZENS")
    combos = list(itertools.product(levels, audiences, range(2016, 2025)))
    items = [
        {
            "indicator": "training.people_trained",
            "year": year,
            "period": f"{year}-03",
            "value": float(index),
            "flag": "ESTIMATED" if index % 2 else None,
            "dimensions": [
                {"name": name, "value": value}
                for name, value in (("level", level), ("audience", audience))
                if value
            ],
        }
        for index, (level, audience, year) in enumerate(combos)
    ]
    response = await client.post(
        "/graphql",
        json={"query": SUBMIT, "variables": {"input": {"province": "22", "observations": items}}},
        headers=bearer(token),
    )
    payload = response.json()["data"]["submitObservations"]
    assert payload["userErrors"] == []
    assert payload["accepted"] == len(items)
    assert len(items) > LONG
    assert sorted(o["value"] for o in payload["observations"]) == [i["value"] for i in items]


async def test_a_long_batch_leaves_nothing_for_the_cycle_collector(client, engine):
    """Its items are freed when the operation ends, not by the collection after it."""
    token = await token_for(engine)
    items = [
        {
            "indicator": "training.people_trained",
            "year": year,
            "period": f"{year}-04",
            "value": float(year),
            "dimensions": [{"name": "level", "value": level}],
        }
        for level, year in itertools.product(("PROVINCE", "DISTRICT"), range(2016, 2025))
    ] * 5
    body = {"query": SUBMIT, "variables": {"input": {"province": "22", "observations": items}}}
    await client.post("/graphql", json=body, headers=bearer(token))  # compiled, cached
    was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        response = await client.post("/graphql", json=body, headers=bearer(token))
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        left = [o for o in gc.garbage if isinstance(o, ObservationItem)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if was_enabled:
            gc.enable()
    codes = {e["code"] for e in response.json()["data"]["submitObservations"]["userErrors"]}
    assert codes == {"DUPLICATE_IN_BATCH"}  # refused after coercion, as a valid one would be
    assert len(items) > LONG
    assert left == []


async def test_a_batch_written_in_the_document_becomes_items_through_the_same_out_type(
    client, engine
):
    token = await token_for(engine)
    query = """mutation { submitObservations(input: {province: "22", observations: [
      {indicator: "training.people_trained", year: 2023, period: "2023-05", value: 12,
       flag: ESTIMATED, dimensions: [{name: "level", value: "PROVINCE"}],
       source: {title: "Báo cáo", publishedOn: "2023-06-01"}}]})
      { accepted userErrors { code } observations { value flag dimensions { name value } } } }"""
    response = await client.post("/graphql", json={"query": query}, headers=bearer(token))
    payload = response.json()["data"]["submitObservations"]
    assert payload["userErrors"] == []
    assert payload["observations"] == [
        {"value": 12.0, "flag": "ESTIMATED", "dimensions": [{"name": "level", "value": "PROVINCE"}]}
    ]
