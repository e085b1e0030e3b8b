"""Every figure of the seed documents comes back through `observations`, exactly."""

from decimal import Decimal

import pytest

from hub.db import count_statements
from hub.fixtures.load import read_catalogue
from hub.settings import FIXTURES_DIR
from tests.support.graphql import gql

CATALOGUE = read_catalogue(FIXTURES_DIR)
SEED_FIGURES = [o for d in CATALOGUE.documents for o in d.observations]

OBSERVATIONS = """
query($filter: ObservationFilter, $first: Int, $after: String) {
  observations(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node {
      id year period value numerator denominator flag
      dimensions { name value }
      indicator { code unit }
      province { code name }
      source { title publishedOn }
    } }
  }
}
"""


def _key(province: str, indicator: str, period: str, dims) -> tuple[object, ...]:
    return (province, indicator, period, tuple(sorted(dims)))


async def test_every_seed_figure_is_served_with_its_parts_and_source(client):
    data = await gql(client, OBSERVATIONS, {"first": 1000})
    served = {
        _key(
            n["province"]["code"],
            n["indicator"]["code"],
            n["period"],
            [(d["name"], d["value"]) for d in n["dimensions"]],
        ): n
        for n in (e["node"] for e in data["observations"]["edges"])
    }
    assert data["observations"]["totalCount"] == len(SEED_FIGURES)
    for figure in SEED_FIGURES:
        node = served[_key(figure.province, figure.indicator, figure.period, figure.dimensions)]
        assert Decimal(str(node["value"])) == figure.value.value, figure.where
        assert node["year"] == figure.year
        assert node["flag"] == figure.flag
        if figure.numerator is not None and figure.denominator is not None:
            assert Decimal(str(node["numerator"])) == figure.numerator.value, figure.where
            assert Decimal(str(node["denominator"])) == figure.denominator.value, figure.where
        else:
            assert node["numerator"] is None
            assert node["denominator"] is None
        assert node["source"]["title"]


async def test_ben_tre_civil_servants_share_keeps_numerator_and_denominator(client):
    data = await gql(client, OBSERVATIONS, {"filter": {"provinces": ["Bến Tre"]}, "first": 1000})
    shares = [
        e["node"]
        for e in data["observations"]["edges"]
        if (e["node"]["numerator"], e["node"]["denominator"]) == (2061, 2392)
    ]
    assert len(shares) == 1
    assert shares[0]["value"] == pytest.approx(86.2)


async def test_pages_walk_every_figure_once_in_a_stable_order(client):
    seen, after = [], None
    while True:
        data = await gql(client, OBSERVATIONS, {"first": 7, "after": after})
        page = data["observations"]
        seen += [int(e["node"]["id"]) for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == sorted(seen)
    assert len(seen) == len(set(seen)) == len(SEED_FIGURES)


async def test_filters_combine(client):
    data = await gql(
        client,
        OBSERVATIONS,
        {"filter": {"provinces": ["dak-nong"], "topics": ["INDICATORS"], "years": [2021]}},
    )
    codes = {e["node"]["indicator"]["code"] for e in data["observations"]["edges"]}
    assert "dti.workforce.index" in codes
    assert all(e["node"]["province"]["code"] == "67" for e in data["observations"]["edges"])
    assert all(e["node"]["year"] == 2021 for e in data["observations"]["edges"])


async def test_year_range_filter_is_inclusive(client):
    data = await gql(client, OBSERVATIONS, {"filter": {"yearFrom": 2020, "yearTo": 2020}})
    years = {e["node"]["year"] for e in data["observations"]["edges"]}
    assert years <= {2020}


@pytest.mark.parametrize("first", [-1, 1001, 1073741825])
async def test_page_size_out_of_range_is_refused_with_a_code(client, first):
    body = await gql(client, OBSERVATIONS, {"first": first}, expect_errors=True)
    assert body["errors"][0]["extensions"]["code"] in {"INVALID_ARGUMENT", "BAD_USER_INPUT"}


async def test_a_forged_cursor_is_refused_with_a_code(client):
    body = await gql(client, OBSERVATIONS, {"after": "bm90LWEtY3Vyc29y"}, expect_errors=True)
    assert body["errors"][0]["extensions"]["code"] == "INVALID_CURSOR"


async def test_an_unknown_province_in_a_filter_names_the_reference(client):
    body = await gql(
        client, OBSERVATIONS, {"filter": {"provinces": ["67", "Atlantis"]}}, expect_errors=True
    )
    error = body["errors"][0]
    assert error["extensions"]["code"] == "UNKNOWN_PROVINCE"
    assert error["extensions"]["field"] == ["filter", "provinces", "1"]
    assert "Atlantis" in error["message"]


async def test_a_page_that_does_not_ask_for_the_total_runs_no_count(client, engine):
    ask = "{ observations(first: 5) { %s edges { node { id } } } }"
    with count_statements(engine) as counted:
        with_total = await gql(client, ask % "totalCount")
    with count_statements(engine) as plain:
        without = await gql(client, ask % "")
    assert with_total["observations"]["totalCount"] == len(SEED_FIGURES)
    assert without["observations"]["edges"] == with_total["observations"]["edges"]
    assert any("count(" in s.lower() for s in counted.statements)
    assert not any("count(" in s.lower() for s in plain.statements), plain.statements
    assert plain.count == counted.count - 1


async def test_cursors_are_the_same_whether_or_not_the_page_asks_for_its_total(client):
    query = "{ observations(first: 3) { %s edges { cursor } pageInfo { endCursor } } }"
    bare = await gql(client, query % "")
    counted = await gql(client, query % "totalCount")
    cursors = [e["cursor"] for e in bare["observations"]["edges"]]
    assert cursors == [e["cursor"] for e in counted["observations"]["edges"]]
    assert all(cursors)
    assert cursors[-1] == bare["observations"]["pageInfo"]["endCursor"]
