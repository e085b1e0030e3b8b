"""Rankings, roll-ups, targets, completeness, aggregates and CSV, on both databases."""

import csv
import io
from typing import Any

import httpx
import pytest

from hub.db import count_statements
from tests.support.figures import Fig, add_figures
from tests.support.graphql import gql

RANKING = """
query($i: ID!, $y: Int!, $b: Boundaries, $d: [DimensionInput!]) {
  ranking(indicator: $i, year: $y, boundaries: $b, dimensions: $d) {
    provincesRanked
    entries { rank value officialRank province { code name } }
    provincesWithoutValue { code }
  }
}
"""


def competition_ranks(values: list[float], higher_is_better: bool) -> list[int]:
    ordered = sorted(values, reverse=higher_is_better)
    return [ordered.index(v) + 1 for v in values]


@pytest.mark.parametrize(
    "values",
    [[5, 7, 7, 3], [1, 1, 1, 1], [0.1, 0.2, 0.3, 0.4], [9, 2, 9, 2]],
    ids=["tie-in-middle", "all-equal", "distinct", "two-ties"],
)
@pytest.mark.parametrize(
    ("indicator", "higher"),
    [("staffing.it_staff", True), ("dti.workforce.components_without_score", False)],
)
async def test_ranking_is_competition_ranking_in_the_indicators_direction(
    client, engine, values, indicator, higher
):
    provinces = ["01", "22", "67", "83"]
    await add_figures(
        engine, [Fig(p, indicator, 2019, v) for p, v in zip(provinces, values, strict=True)]
    )
    data = (await gql(client, RANKING, {"i": indicator, "y": 2019}))["ranking"]
    got = {e["province"]["code"]: e["rank"] for e in data["entries"]}
    assert got == dict(zip(provinces, competition_ranks(values, higher), strict=True))
    ranks = [e["rank"] for e in data["entries"]]
    assert ranks == sorted(ranks)
    assert data["provincesRanked"] == 4
    assert len(data["provincesWithoutValue"]) == 63 - 4


async def test_a_2021_ranking_ranks_among_63_and_a_2026_one_among_34(client, engine):
    await add_figures(
        engine,
        [
            Fig("67", "staffing.it_staff", 2021, 10),
            Fig("68", "staffing.it_staff", 2026, 20),
            Fig("67", "staffing.it_staff", 2026, 99),
        ],
    )
    old = (await gql(client, RANKING, {"i": "staffing.it_staff", "y": 2021}))["ranking"]
    assert old["provincesRanked"] + len(old["provincesWithoutValue"]) == 63
    new = (await gql(client, RANKING, {"i": "staffing.it_staff", "y": 2026}))["ranking"]
    assert new["provincesRanked"] + len(new["provincesWithoutValue"]) == 34
    assert [e["province"]["code"] for e in new["entries"]] == ["68"]  # 67 no longer exists


async def test_the_official_rank_comes_with_the_dti_index(client):
    data = (await gql(client, RANKING, {"i": "dti.workforce.index", "y": 2021}))["ranking"]
    assert data["entries"] == [
        {
            "rank": 1,
            "value": 0.0538,
            "officialRank": 58,
            "province": {"code": "67", "name": "Đắk Nông"},
        }
    ]


async def test_a_ranking_of_a_breakdown_ranks_that_breakdown_only(client):
    data = (
        await gql(
            client,
            RANKING,
            {
                "i": "staffing.civil_servants_it_qualified_share",
                "y": 2021,
                "d": [{"name": "level", "value": "DISTRICT"}],
            },
        )
    )["ranking"]
    assert [(e["province"]["code"], e["value"]) for e in data["entries"]] == [("83", 92.8)]


async def test_names_in_a_historical_ranking_are_those_of_the_year(client, engine):
    await add_figures(engine, [Fig("80", "staffing.it_staff", 2021, 5)])
    data = (await gql(client, RANKING, {"i": "staffing.it_staff", "y": 2021}))["ranking"]
    names = {e["province"]["code"]: e["province"]["name"] for e in data["entries"]}
    assert names["80"] == "Long An"  # code 80 is Tây Ninh since 2025-07-01


ROLLUP = """
query($i: ID!, $y: Int!) { rollup(indicator: $i, year: $y) {
  province { code } value numerator denominator reason rank
  contributors { code } reported { code } } }
"""


async def _rollup(
    client: httpx.AsyncClient, indicator: str, year: int
) -> dict[str, dict[str, Any]]:
    cells = (await gql(client, ROLLUP, {"i": indicator, "y": year}))["rollup"]
    return {c["province"]["code"]: c for c in cells}


async def test_counts_of_merged_units_are_summed_into_their_successor(client, engine):
    await add_figures(
        engine,
        [
            Fig("83", "training.classes", 2023, 3),
            Fig("84", "training.classes", 2023, 4),
            Fig("86", "training.classes", 2023, 5),
            Fig("22", "training.classes", 2023, 7),
            Fig("67", "training.classes", 2023, 1),
        ],
    )
    cells = await _rollup(client, "training.classes", 2023)
    assert len(cells) == 34
    assert (cells["86"]["value"], cells["86"]["reason"]) == (12.0, None)
    assert [c["code"] for c in cells["86"]["contributors"]] == ["83", "84", "86"]
    assert (cells["22"]["value"], cells["22"]["reason"]) == (7.0, None)  # unchanged unit
    assert (cells["68"]["value"], cells["68"]["reason"]) == (None, "INCOMPLETE_COVERAGE")
    assert [c["code"] for c in cells["68"]["reported"]] == ["67"]
    assert (cells["01"]["value"], cells["01"]["reason"]) == (None, "NO_DATA")
    assert (cells["86"]["rank"], cells["22"]["rank"]) == (1, 2)


async def test_shares_are_recomputed_from_summed_parts_or_refused(client, engine):
    share = "staffing.civil_servants_it_qualified_share"
    await add_figures(
        engine,
        [
            Fig("84", share, 2021, 75, 30, 40),
            Fig("86", share, 2021, 12.5, 5, 40),
            Fig("60", share, 2021, 50, 1, 2),
            Fig("67", share, 2021, 40),
            Fig("68", share, 2021, 30, 3, 10),
        ],
    )
    cells = await _rollup(client, share, 2021)
    # Bến Tre 2.061/2.392 (fixtures) + Trà Vinh 30/40 + Vĩnh Long 5/40.
    vinh_long = cells["86"]
    assert (vinh_long["numerator"], vinh_long["denominator"]) == (2096.0, 2472.0)
    assert vinh_long["value"] == pytest.approx(100 * 2096 / 2472)
    assert (cells["68"]["value"], cells["68"]["reason"]) == (None, "SHARE_WITHOUT_PARTS")


async def test_an_index_is_never_combined(client, engine):
    await add_figures(
        engine,
        [Fig("60", "dti.workforce.index", 2021, 0.3), Fig("68", "dti.workforce.index", 2021, 0.2)],
    )
    cells = await _rollup(client, "dti.workforce.index", 2021)
    assert (cells["68"]["value"], cells["68"]["reason"]) == (None, "NOT_ADDITIVE")


async def test_a_ranking_on_current_boundaries_ranks_combined_values(client, engine):
    await add_figures(
        engine,
        [
            Fig(p, "training.classes", 2023, v)
            for p, v in (
                ("83", 1),
                ("84", 1),
                ("86", 1),
                ("60", 1),
                ("67", 1),
                ("68", 1),
                ("22", 3),
            )
        ],
    )
    data = (await gql(client, RANKING, {"i": "training.classes", "y": 2023, "b": "CURRENT"}))[
        "ranking"
    ]
    assert [(e["province"]["code"], e["rank"], e["value"]) for e in data["entries"]] == [
        ("22", 1, 3.0),
        ("68", 1, 3.0),
        ("86", 1, 3.0),
    ]
    assert data["provincesRanked"] + len(data["provincesWithoutValue"]) == 34


TARGETS = """
query($y: Int!, $i: ID) { targetsReport(year: $y, indicator: $i) {
  status province { code } target { value comparator } progress { latestValue attainment met }
  plan { number } } }
"""


async def test_target_progress_and_the_2025_report(client, engine):
    await add_figures(
        engine,
        [
            Fig(
                "83",
                "training.officials_trained_share",
                2024,
                60,
                dimensions={"audience": "CIVIL_SERVANTS"},
            )
        ],
    )
    report = (await gql(client, TARGETS, {"y": 2025, "i": "training.officials_trained_share"}))[
        "targetsReport"
    ]
    by_province = {r["province"]["code"]: r for r in report}
    assert by_province["83"]["status"] == "BEHIND"
    assert by_province["83"]["progress"] == {"latestValue": 60.0, "attainment": 0.75, "met": False}
    assert by_province["83"]["plan"]["number"] == "4624/KH-UBND"
    assert by_province["66"]["status"] == "NO_DATA"
    await add_figures(
        engine,
        [
            Fig(
                "66",
                "training.officials_trained_share",
                2024,
                100,
                dimensions={"audience": "CIVIL_SERVANTS"},
            )
        ],
    )
    report = (await gql(client, TARGETS, {"y": 2025, "i": "training.officials_trained_share"}))[
        "targetsReport"
    ]
    assert {r["province"]["code"]: r["status"] for r in report}["66"] == "ON_TRACK"


async def test_target_progress_is_the_latest_year_of_the_same_breakdown(client, engine):
    share = "training.officials_trained_share"
    await add_figures(
        engine,
        [
            Fig("83", share, 2023, 90, dimensions={"audience": "CIVIL_SERVANTS"}),
            Fig("83", share, 2024, 60, dimensions={"audience": "CIVIL_SERVANTS"}),
            Fig("83", share, 2022, 95, dimensions={"audience": "CIVIL_SERVANTS"}),
            # A later year of another breakdown, and of another province, do not count.
            Fig("83", share, 2025, 99, dimensions={"audience": "PUBLIC_EMPLOYEES"}),
            Fig("66", share, 2025, 99, dimensions={"audience": "CIVIL_SERVANTS"}),
        ],
    )
    query = """query($y: Int!, $i: ID) { targetsReport(year: $y, indicator: $i) {
      province { code } progress { latestValue latestYear } } }"""
    report = (await gql(client, query, {"y": 2025, "i": share}))["targetsReport"]
    by_province = {r["province"]["code"]: r["progress"] for r in report}
    assert by_province["83"] == {"latestValue": 60.0, "latestYear": 2024}


async def test_a_plans_targets_show_the_progress_the_targets_report_shows(client, engine):
    share = "training.officials_trained_share"
    await add_figures(
        engine,
        [
            Fig("83", share, 2024, 60, dimensions={"audience": "CIVIL_SERVANTS"}),
            Fig("66", share, 2023, 100, dimensions={"audience": "CIVIL_SERVANTS"}),
        ],
    )
    progress = "progress { latestValue latestYear attainment met }"
    plans = (
        await gql(
            client, f"{{ plans {{ number targets {{ description year value {progress} }} }} }}"
        )
    )["plans"]
    from_plans = {
        (plan["number"], target["description"], target["year"]): target["progress"]
        for plan in plans
        for target in plan["targets"]
        if target["value"] is not None
    }
    from_reports = {}
    for year in {year for _, _, year in from_plans}:
        query = f"""{{ targetsReport(year: {year}) {{ plan {{ number }}
            target {{ description year }} {progress} }} }}"""
        for row in (await gql(client, query))["targetsReport"]:
            key = (row["plan"]["number"], row["target"]["description"], row["target"]["year"])
            from_reports[key] = row["progress"]
    assert from_reports, "the fixtures' plans set targets linked to indicators"
    assert {k: v for k, v in from_plans.items() if k in from_reports} == from_reports
    assert any(p["latestValue"] is not None for p in from_reports.values())


COMPLETENESS = """
query($y: Int!, $i: ID) { completeness(year: $y, indicator: $i) {
  expected reportedCount share reported { code } missing { code } } }
"""


async def test_completeness_splits_the_units_of_the_year(client):
    data = (await gql(client, COMPLETENESS, {"y": 2021, "i": "dti.workforce.index"}))[
        "completeness"
    ]
    assert (data["expected"], data["reportedCount"]) == (63, 1)
    assert data["share"] == pytest.approx(1 / 63)
    assert data["reported"] == [{"code": "67"}]
    assert len(data["missing"]) == 62


AGGREGATE = """
query($f: ObservationFilter, $g: [GroupBy!]!) { aggregate(filter: $f, groupBy: $g) {
  truncated groups { keys { by value } count sum min max mean } } }
"""


async def test_aggregates_group_in_the_database(client):
    data = (
        await gql(
            client,
            AGGREGATE,
            {"f": {"provinces": ["83"], "indicators": ["staffing.it_staff"]}, "g": ["EMPLOYMENT"]},
        )
    )["aggregate"]
    groups = {g["keys"][0]["value"]: g for g in data["groups"]}
    assert groups["DEDICATED"]["count"] == 3  # 30 total, 23 province, 07 district
    assert groups["DEDICATED"]["sum"] == 60.0
    assert (groups["PART_TIME"]["min"], groups["PART_TIME"]["max"]) == (7.0, 16.0)
    assert groups[None]["count"] == 5  # the total and the four qualifications
    assert data["truncated"] is False


OBSERVATIONS = """
query($f: ObservationFilter) { observations(filter: $f, first: 1000) {
  edges { node { id value numerator denominator period province { code name }
                 indicator { code } dimensions { name value } } } } }
"""


async def test_the_csv_export_reads_back_as_the_query(client):
    response = await client.get("/export/observations.csv", params={"provinces": "83,67"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
    nodes = [
        e["node"]
        for e in (await gql(client, OBSERVATIONS, {"f": {"provinces": ["83", "67"]}}))[
            "observations"
        ]["edges"]
    ]
    assert len(rows) == len(nodes) > 0
    for row, node in zip(rows, nodes, strict=True):
        assert row["id"] == node["id"]
        assert float(row["value"]) == node["value"]
        assert (row["numerator"] or None) == (
            None if node["numerator"] is None else str(int(node["numerator"]))
        )
        assert row["province_name"] == node["province"]["name"]
        assert row["indicator_code"] == node["indicator"]["code"]
        assert row["period"] == node["period"]
        dims = {d["name"]: d["value"] for d in node["dimensions"]}
        for name in ("level", "employment", "qualification", "school_level"):
            assert (row[f"dimension_{name}"] or None) == dims.get(name)


async def test_the_csv_export_refuses_bad_parameters_with_a_code(client):
    response = await client.get("/export/observations.csv", params={"yearFrom": "soon"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "INVALID_ARGUMENT"


async def test_analytics_take_a_constant_number_of_statements(client, engine):
    await add_figures(
        engine,
        [
            Fig(p, "staffing.it_staff", 2021, i)
            for i, p in enumerate(["01", "02", "04", "06", "08", "10", "11", "12"])
        ],
    )
    for query, variables, bound in (
        (RANKING, {"i": "staffing.it_staff", "y": 2021}, 5),
        (ROLLUP, {"i": "staffing.it_staff", "y": 2021}, 4),
        (COMPLETENESS, {"y": 2021, "i": "staffing.it_staff"}, 4),
        (TARGETS, {"y": 2025}, 8),
    ):
        with count_statements(engine) as counter:
            await gql(client, query, variables)
        assert counter.count <= bound, (query, counter.statements)
