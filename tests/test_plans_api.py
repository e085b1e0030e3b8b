from hub.fixtures.load import read_catalogue
from hub.settings import FIXTURES_DIR
from tests.support.graphql import gql

CATALOGUE = read_catalogue(FIXTURES_DIR)
SEED_PLANS = [p for d in CATALOGUE.documents for p in d.plans]

PLANS = """
query($province: ID, $year: Int) {
  plans(province: $province, year: $year) {
    id number kind title issuedOn issuedMonth periodStart periodEnd signer issuer
    province { code }
    legalBases { number issuedOn }
    source { title }
    targets { description year value comparator indicator { code } dimensions { name value } }
  }
}
"""


async def test_every_seed_plan_and_target_is_served(client):
    served = (await gql(client, PLANS))["plans"]
    assert len(served) == len(SEED_PLANS)
    by_title = {(p["province"]["code"], p["title"]): p for p in served}
    for plan in SEED_PLANS:
        got = by_title[(plan.province, plan.title)]
        assert got["number"] == plan.number
        assert got["kind"] == plan.kind
        assert got["signer"] == plan.signer
        assert got["source"]["title"]
        assert [t["description"] for t in got["targets"]] == [t.description for t in plan.targets]
        for target, expected in zip(got["targets"], plan.targets, strict=True):
            assert target["year"] == expected.year
            assert target["value"] == (None if expected.value is None else float(expected.value))
            assert (target["indicator"] or {}).get("code") == expected.indicator


async def test_ben_tre_plan_4624_carries_its_legal_bases_and_signer(client):
    plans = (await gql(client, PLANS, {"province": "Ben Tre"}))["plans"]
    plan = next(p for p in plans if p["number"] == "4624/KH-UBND")
    assert plan["kind"] == "PLAN"
    assert plan["issuedOn"] == "2021-08-06"
    assert plan["signer"] == "Nguyễn Thị Bé Mười"
    assert (plan["periodStart"], plan["periodEnd"]) == (2021, 2025)
    assert [b["number"] for b in plan["legalBases"]] == [
        "749/QĐ-TTg",
        "01-NQ/TU",
        "2581/QĐ-UBND",
    ]


async def test_dak_nong_decision_1965_sets_targets_for_2020_and_2025(client):
    plans = (await gql(client, PLANS, {"province": "67"}))["plans"]
    decision = next(p for p in plans if p["number"] == "1965/QĐ-UBND")
    assert decision["kind"] == "DECISION"
    assert decision["issuedOn"] == "2016-11-16"
    assert {t["year"] for t in decision["targets"]} == {2020, 2025}


async def test_year_filter_keeps_plans_covering_that_year(client):
    plans = (await gql(client, PLANS, {"year": 2030}))["plans"]
    assert plans
    for plan in plans:
        covers = (plan["periodStart"] or 0) <= 2030 <= (plan["periodEnd"] or 0)
        assert covers or any(t["year"] == 2030 for t in plan["targets"])
