"""A bounded load of concurrent readers and writers: no server error, nothing lost.

In process, against the test's private database (PostgreSQL and SQLite); fixed counts
and an overall time limit, so it always stops by itself. Timing is not asserted.
"""

import asyncio

from sqlalchemy import func, select

from hub.models import Observation
from tests.support.submissions import SUBMIT, bearer, token_for

READERS, READS_EACH = 8, 15
WRITERS, WRITES_EACH = 4, 10
READS = [
    '{ ranking(indicator: "dti.workforce.index", year: 2021) { entries { rank } } }',
    '{ compare(provinces: ["67", "83"]) { value rank province { code } indicator { code } } }',
    "{ observations(first: 50) { totalCount edges { node { value province { name } } } } }",
    "{ plans { number targets { progress { attainment } } } }",
]


async def test_concurrent_readers_and_writers_lose_nothing(client, engine):
    tokens = [await token_for(engine) for _ in range(WRITERS)]
    statuses: list[int] = []
    accepted: list[int] = []

    async def reader(index: int) -> None:
        for n in range(READS_EACH):
            query = READS[(index + n) % len(READS)]
            response = await client.post("/graphql", json={"query": query})
            statuses.append(response.status_code)
            assert "errors" not in response.json(), response.json()

    async def writer(index: int, token: str) -> None:
        for n in range(WRITES_EACH):
            figures = [
                {
                    "indicator": "training.classes",
                    "year": 2023,
                    "period": f"2023-{m:02d}",
                    "value": index * 100 + n,
                    "dimensions": [
                        {
                            "name": "audience",
                            "value": ["LEADERS", "CITIZENS", "TEACHERS", "WORKERS"][index],
                        }
                    ],
                }
                for m in range(1, 13)
            ]
            response = await client.post(
                "/graphql",
                json={
                    "query": SUBMIT,
                    "variables": {"input": {"province": "22", "observations": figures}},
                },
                headers=bearer(token),
            )
            statuses.append(response.status_code)
            result = response.json()["data"]["submitObservations"]
            assert result["userErrors"] == [], result["userErrors"]
            accepted.append(result["accepted"])

    async with asyncio.timeout(180):
        await asyncio.gather(
            *(reader(i) for i in range(READERS)),
            *(writer(i, t) for i, t in enumerate(tokens)),
        )
    assert all(status < 500 for status in statuses)
    assert len(statuses) == READERS * READS_EACH + WRITERS * WRITES_EACH
    async with engine.connect() as conn:
        stored = (
            await conn.execute(
                select(func.count()).where(
                    Observation.indicator_code == "training.classes",
                    Observation.province_code == "22",
                    Observation.year == 2023,
                )
            )
        ).scalar_one()
        current = (
            await conn.execute(
                select(func.count()).where(
                    Observation.indicator_code == "training.classes",
                    Observation.province_code == "22",
                    Observation.is_current.is_(True),
                )
            )
        ).scalar_one()
    assert stored == sum(accepted) == WRITERS * WRITES_EACH * 12
    assert current == WRITERS * 12  # one current revision per figure
