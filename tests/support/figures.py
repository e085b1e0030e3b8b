"""Put figures straight into a test's private database, approved and current."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from hub import data_version
from hub.dimensions import column_name, dimension_key
from hub.models import Observation


@dataclass(frozen=True)
class Fig:
    province: str
    indicator: str
    year: int
    value: float
    numerator: float | None = None
    denominator: float | None = None
    dimensions: dict[str, str] = field(default_factory=dict)
    period: str | None = None


async def add_figures(engine: AsyncEngine, figures: list[Fig]) -> None:
    now = datetime.now(UTC)
    rows = []
    for f in figures:
        period = f.period or str(f.year)
        key = dimension_key(f.dimensions)
        rows.append(
            {
                "series_key": f"{f.indicator}|{f.province}|{period}|{key}|test",
                "revision": 1,
                "indicator_code": f.indicator,
                "province_code": f.province,
                "year": f.year,
                "period": period,
                "value": f.value,
                "numerator": f.numerator,
                "denominator": f.denominator,
                "dimension_key": key,
                "flag": "FINAL",
                "status": "APPROVED",
                "is_current": True,
                "recorded_at": now,
                "updated_at": now,
                **{column_name(n): v for n, v in f.dimensions.items()},
            }
        )
    async with engine.begin() as conn:
        await conn.execute(insert(Observation), rows)
        await data_version.bump(conn)
