from tests.support.graphql import gql

COMPARE = """
query($provinces: [ID!]!, $indicators: [ID!], $years: [Int!]) {
  compare(provinces: $provinces, indicators: $indicators, years: $years) {
    province { code name } indicator { code } year value rank
  }
}
"""

RANKING = """
query($indicator: ID!, $year: Int!) {
  ranking(indicator: $indicator, year: $year) {
    indicator { code higherIsBetter } year
    entries { rank value province { code } }
  }
}
"""


async def test_compare_dak_nong_and_ben_tre_returns_a_full_grid_for_both(client):
    cells = (await gql(client, COMPARE, {"provinces": ["Đắk Nông", "Ben Tre"]}))["compare"]
    provinces = {c["province"]["code"] for c in cells}
    assert provinces == {"67", "83"}
    pairs = {(c["indicator"]["code"], c["year"]) for c in cells}
    # A full grid: every indicator × year pair has a cell for each province.
    assert len(cells) == 2 * len(pairs)
    dti = {
        (c["province"]["code"]): c
        for c in cells
        if c["indicator"]["code"] == "dti.workforce.index" and c["year"] == 2021
    }
    assert dti["67"]["value"] == 0.0538
    assert dti["67"]["rank"] == 1
    assert dti["83"]["value"] is None
    assert dti["83"]["rank"] is None


async def test_compare_with_explicit_indicators_and_years_keeps_empty_cells(client):
    cells = (
        await gql(
            client,
            COMPARE,
            {
                "provinces": ["67", "83"],
                "indicators": ["dti.workforce.index"],
                "years": [2019, 2021],
            },
        )
    )["compare"]
    assert [(c["year"], c["province"]["code"]) for c in cells] == [
        (2019, "67"),
        (2019, "83"),
        (2021, "67"),
        (2021, "83"),
    ]
    assert [c["value"] for c in cells] == [None, None, 0.0538, None]


async def test_compare_refuses_an_unknown_indicator_with_its_code(client):
    body = await gql(
        client, COMPARE, {"provinces": ["67"], "indicators": ["no.such"]}, expect_errors=True
    )
    assert body["errors"][0]["extensions"]["code"] == "UNKNOWN_INDICATOR"


async def test_ranking_of_the_dti_workforce_index_for_2021(client):
    data = await gql(client, RANKING, {"indicator": "dti.workforce.index", "year": 2021})
    ranking = data["ranking"]
    assert ranking["indicator"] == {"code": "dti.workforce.index", "higherIsBetter": True}
    assert ranking["entries"] == [{"rank": 1, "value": 0.0538, "province": {"code": "67"}}]
