"""PostgreSQL's form of the national ranking answers exactly as the portable one.

On PostgreSQL the ranking takes each unit's latest value with ``DISTINCT ON`` (cheaper
for the database); SQLite, and this test as the reference, run the portable statement
that numbers candidates with ``row_number()``. Both run here on the same PostgreSQL
database, for every indicator, year and breakdown it holds, with ties, several periods
in a year, revisions and units that no longer exist among them.
"""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from hub.auth import authenticate
from hub.driver import fetch_rows
from hub.models import Observation
from hub.observations import DimensionValue
from hub.ranking import _national_ranking_query
from hub.submissions.inputs import ObservationBatch, ObservationItem
from hub.submissions.service import submit_observations
from tests.support.submissions import token_for

TODAY = datetime(2025, 6, 1, tzinfo=UTC)


async def _submit(engine, token: str, province: str, items: list[ObservationItem]) -> None:
    outcome = await submit_observations(
        engine=engine,
        principal=await authenticate(engine=engine, token=token),
        batch=ObservationBatch(province=province, items=tuple(items)),
        max_batch=1_000,
        today=TODAY,
    )
    assert outcome.problems == [], outcome.problems


def _item(value: float, period: str | None = None, **dimensions: str) -> ObservationItem:
    return ObservationItem(
        indicator="staffing.it_staff",
        year=2023,
        period=period,
        value=value,
        dimensions=tuple(dimensions.items()),
    )


async def test_both_forms_of_the_ranking_give_the_same_rows(engine, backend):
    if backend == "sqlite":
        pytest.skip("the DISTINCT ON form is PostgreSQL's")
    token = await token_for(engine)
    # A tie (83 and 89), several periods in the year (22: the latest, 2023-09, counts),
    # a revision (01: 40 then 44), a breakdown beside the totals.
    await _submit(engine, token, "83", [_item(30), _item(12, level="PROVINCE")])
    await _submit(engine, token, "89", [_item(30), _item(12, level="PROVINCE")])
    await _submit(engine, token, "22", [_item(5, "2023-03"), _item(50, "2023-09")])
    await _submit(engine, token, "01", [_item(40)])
    await _submit(engine, token, "01", [_item(44)])
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                select(
                    Observation.indicator_code,
                    Observation.year,
                    Observation.dim_level,
                    Observation.dim_audience,
                )
                .where(Observation.is_current.is_(True))
                .distinct()
            )
        ).all()
    cases = [
        (code, year, tuple(DimensionValue(n, v) for n, v in (("level", lv), ("audience", au)) if v))
        for code, year, lv, au in sorted(rows, key=repr)
    ]
    assert len(cases) > 20
    compared = 0
    for code, year, dimensions in cases:
        statement = _national_ranking_query(code, year, dimensions)
        assert statement.postgresql_statement is not None
        async with engine.connect() as conn:
            portable = [tuple(r) for r in (await conn.execute(statement.statement)).all()]
        cheaper = [tuple(r) for r in await fetch_rows(engine, statement)]
        assert cheaper == portable, (code, year, dimensions)
        compared += any(r[1] is not None for r in portable)
    assert compared > 20
    ranked = {
        r[0]: (r[1], r[2])
        for r in await fetch_rows(engine, _national_ranking_query("staffing.it_staff", 2023, ()))
    }
    assert ranked["83"][1] == ranked["89"][1]  # tied
    assert ranked["22"][0] == 50
    assert ranked["01"][0] == 44
