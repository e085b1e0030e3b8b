"""The benchmark's questions, as the hub gets them: they answer, in few statements.

Bounds are worst cases (each loader in its own batch, see test_round_trips), plus the
result cache's one read of the data version.
"""

import pytest

from bench.scenarios import SCENARIOS
from hub.db import count_statements

# compare: version, province names, the pairs present, values with ranks, provinces,
# indicators.
BOUNDS = {"ranking": 4, "compare": 6, "dashboard": 9, "page_1000": 6}


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
async def test_each_benchmark_question_takes_a_pinned_number_of_statements(
    client, engine, scenario
):
    with count_statements(engine) as counter:
        response = await client.post("/graphql", json=scenario.hub)
    body = response.json()
    assert "errors" not in body, body
    assert counter.count <= BOUNDS[scenario.name], counter.statements
