"""The questions asked of every server, as each one words them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

OPERATIONS = Path(__file__).resolve().parent.parent / "contract" / "operations"
INDICATOR, YEAR = "staffing.it_staff", 2021


@dataclass(frozen=True)
class Scenario:
    name: str
    hub: dict[str, object]
    postgraphile: dict[str, object]
    floor_sql: str
    floor_args: tuple[object, ...]


def _operation(name: str) -> str:
    return (OPERATIONS / f"{name}.graphql").read_text(encoding="utf-8")


SCENARIOS = [
    Scenario(
        "ranking",
        {
            "query": _operation("national_ranking"),
            "variables": {"indicator": INDICATOR, "year": YEAR},
        },
        {
            "query": """query($i: String!, $y: Int!) { benchNationalRanking(indicator: $i,
            rankingYear: $y) { nodes { rank value provinceCode provinceName provinceSlug } } }""",
            "variables": {"i": INDICATOR, "y": YEAR},
        },
        "ranking",
        (INDICATOR, YEAR),
    ),
    Scenario(
        "compare",
        {"query": _operation("compare_provinces"), "variables": {"years": list(range(2016, 2026))}},
        {
            "query": """{ benchCompare(firstProvince: "67", secondProvince: "83") { nodes {
            provinceCode provinceName indicatorCode indicatorName year value rank } } }"""
        },
        "compare",
        ("67", "83"),
    ),
    Scenario(
        "dashboard",
        {"query": _operation("targets_dashboard")},
        {
            "query": """{ provinces { nodes { code name } }
            plans(condition: {isCurrent: true}) { nodes { number kind title issuedOn periodStart
              periodEnd province { code name } targets { nodes { description year value
              latestValue indicator { code name unit } } } } } }"""
        },
        "dashboard",
        (),
    ),
    Scenario(
        "page_1000",
        {
            "query": """{ observations(first: 1000) { edges { node { id year period value
            numerator denominator indicator { code name nameEn unit } province { code name }
            } } } }"""
        },
        {
            "query": """{ observations(first: 1000, condition: {isCurrent: true},
            orderBy: ROW_ID_ASC) { nodes { rowId year period value numerator denominator
            indicator { code name nameEn unit } province { code name } } } }"""
        },
        "page",
        (),
    ),
]
