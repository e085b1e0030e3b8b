"""The benchmark's questions, as the hub gets them: they answer, in few statements.

Counted with the result cache off, once the process holds its reference data
(``hub.reference``): the steady state a busy hub is in. The first request after a
change of the data version also reads the provinces, their names and the indicators.
"""

import dataclasses

import httpx
import pytest

from bench.scenarios import SCENARIOS
from hub.app import create_app
from hub.db import count_statements

# ranking: one statement, which reads the data version with the rows. The others start
# with the request's one read of the data version. compare: the (indicator, year) pairs
# present, the values, their ranks. dashboard: the plans, their targets with their
# progress (one statement); the provinces come from the reference data. page_1000: the
# page (no count: the query does not ask for the total).
STATEMENTS = {"ranking": 1, "compare": 4, "dashboard": 3, "page_1000": 2}


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
async def test_each_benchmark_question_takes_a_pinned_number_of_statements(
    engine, settings, scenario
):
    app = create_app(dataclasses.replace(settings, result_cache_size=0), engine=engine)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as client:
        first = (await client.post("/graphql", json=scenario.hub)).json()
        with count_statements(engine) as counter:
            again = (await client.post("/graphql", json=scenario.hub)).json()
    assert "errors" not in again, again
    assert again == first
    assert counter.count == STATEMENTS[scenario.name], counter.statements
