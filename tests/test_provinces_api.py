import unicodedata
from datetime import date

import pytest

from hub.provinces import list_provinces
from tests.support.graphql import gql

PROVINCES = """
query($asOf: Date, $search: String) {
  provinces(asOf: $asOf, search: $search) { code name slug validTo }
}
"""
PROVINCE = """
query($code: ID, $name: String) {
  province(code: $code, name: $name) {
    code name slug validFrom validTo
    successor { code name }
    predecessors { code name }
  }
}
"""


async def test_before_the_2025_reorganisation_there_were_63_provinces(client):
    data = await gql(client, PROVINCES, {"asOf": "2021-12-31"})
    assert len(data["provinces"]) == 63


async def test_since_1_july_2025_there_are_34_provinces(client):
    data = await gql(client, PROVINCES, {"asOf": "2026-01-01"})
    codes = {p["code"] for p in data["provinces"]}
    assert len(codes) == 34
    assert {"22", "66", "68", "86"} <= codes
    assert not {"54", "67", "83"} & codes


async def test_the_last_day_before_the_merge_still_has_63(client):
    assert len((await gql(client, PROVINCES, {"asOf": "2025-06-30"}))["provinces"]) == 63
    assert len((await gql(client, PROVINCES, {"asOf": "2025-07-01"}))["provinces"]) == 34


async def test_dak_nong_is_67_until_2025_06_30_then_part_of_lam_dong(client):
    data = await gql(client, PROVINCE, {"name": "dak nong"})
    assert data["province"] == {
        "code": "67",
        "name": "Đắk Nông",
        "slug": "dak-nong",
        "validFrom": None,
        "validTo": "2025-06-30",
        "successor": {"code": "68", "name": "Lâm Đồng"},
        "predecessors": [],
    }


@pytest.mark.parametrize(
    ("successor", "predecessors"),
    [("68", {"60", "67"}), ("86", {"83", "84"}), ("66", {"54"})],
)
async def test_merged_units_are_the_predecessors_of_their_successor(
    client, successor, predecessors
):
    data = await gql(client, PROVINCE, {"code": successor})
    assert {p["code"] for p in data["province"]["predecessors"]} == predecessors
    assert data["province"]["validTo"] is None


@pytest.mark.parametrize(
    "reference",
    [
        "67",
        "dak-nong",
        "Đắk Nông",
        "ĐẮK NÔNG",
        "dak nong",
        "Dak Nong",
        "Tỉnh Đắk Nông",
        unicodedata.normalize("NFD", "Đắk Nông"),
    ],
)
async def test_every_way_of_naming_a_province_finds_it(client, reference):
    data = await gql(client, PROVINCE, {"code": reference})
    assert data["province"]["code"] == "67"


async def test_an_unknown_name_finds_nothing(client):
    assert (await gql(client, PROVINCE, {"name": "Atlantis"}))["province"] is None


async def test_province_without_code_or_name_is_a_clear_error(client):
    body = await gql(client, PROVINCE, {}, expect_errors=True)
    assert body["errors"][0]["extensions"]["code"] == "INVALID_ARGUMENT"


async def test_search_matches_names_without_diacritics(client):
    data = await gql(client, PROVINCES, {"asOf": "2021-01-01", "search": "ben tre"})
    assert [p["code"] for p in data["provinces"]] == ["83"]
    data = await gql(client, PROVINCES, {"asOf": "2021-01-01", "search": "Đắk"})
    assert {p["code"] for p in data["provinces"]} == {"66", "67"}


@pytest.mark.parametrize(
    "day",
    [
        "1997-01-01",
        "2004-01-01",
        "2008-07-31",
        "2008-08-01",
        "2021-12-31",
        "2025-06-30",
        "2025-07-01",
        "2026-12-03",
    ],
)
async def test_the_provinces_of_a_day_are_those_the_database_lists_for_it(client, engine, day):
    # Without a search the list comes from the reference data held in process; it must
    # be the database's own answer, names as they were on the day included.
    query = "query($d: Date) { provinces(asOf: $d) { code name fullName } }"
    served = (await gql(client, query, {"d": day}))["provinces"]
    listed = await list_provinces(engine=engine, as_of=date.fromisoformat(day))
    assert [(p["code"], p["name"], p["fullName"]) for p in served] == [
        (r.code, r.name, r.full_name) for r in listed
    ]
    assert served, "every day since 1997 has provinces"
