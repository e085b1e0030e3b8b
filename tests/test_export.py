"""The CSV export's bytes: the same on SQLite and PostgreSQL, and on PostgreSQL the same
whether the database writes them (COPY) or Python does (the csv module)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import httpx
import pytest
from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from hub import csv_copy, export
from hub.models import Observation, Source
from hub.provinces import FormerName, ProvinceRecord, year_reference_date
from tests.support.figures import Fig, add_figures

# Values whose text differs between repr, int() and PostgreSQL's float8 output.
VALUES = {
    0.5578: "0.5578",
    -0.0: "0",
    1e-05: "1e-05",
    0.0001: "0.0001",
    12.0: "12",
    1996000000000.0: "1996000000000",
    1e15 + 0.125: "1000000000000000.1",
    -(1e15 + 0.5): "-1000000000000000.5",
    2.0**63: "9223372036854775808",
    1e20: "100000000000000000000",
    1.5e300: str(int(1.5e300)),
    0.1 + 0.2: "0.30000000000000004",
}
TITLES = [
    "Báo cáo, số 12",
    'Quyết định "chuyển đổi số"',
    "Dòng một\nDòng hai",
    'Dòng một\r\nDòng hai, và "ba"',
    "",
]


async def _awkward_data(engine: AsyncEngine) -> list[int]:
    """Figures covering every way a field's text can go wrong; their ids."""
    async with engine.connect() as conn:
        before = (await conn.execute(select(func.max(Observation.id)))).scalar() or 0
    await add_figures(
        engine,
        [
            Fig("80", "staffing.it_staff", 2019, value, float(i) or None, period=f"P{i}")
            for i, value in enumerate(VALUES)
        ]
        + [
            Fig("80", "staffing.it_staff", 2024, 1, dimensions={"level": "DISTRICT"}),
            Fig("80", "staffing.it_staff", 2025, 2, dimensions={"level": "DISTRICT"}),
            Fig("01", "staffing.it_staff", 2021, 3, period="2021, Q1"),
        ],
    )
    async with engine.begin() as conn:
        ids = list(
            (
                await conn.execute(
                    select(Observation.id).where(Observation.id > before).order_by(Observation.id)
                )
            ).scalars()
        )
        for i, title in enumerate(TITLES):
            source_id = (
                await conn.execute(
                    insert(Source)
                    .values(
                        fingerprint=f"export-test-{i}",
                        title=title,
                        url="" if i % 2 else f"https://example.vn/{i}?a=1,2",
                        published_on=date(2021, 3, i + 1) if i % 2 else None,
                    )
                    .returning(Source.id)
                )
            ).scalar_one()
            await conn.execute(
                update(Observation)
                .where(Observation.id.in_(ids[-1 - i :: -len(TITLES)]))
                .values(source_id=source_id)
            )
        await conn.execute(
            update(Observation)
            .where(Observation.id == ids[-1])
            .values(recorded_at=datetime(2021, 5, 1, 10, 0, 0, tzinfo=UTC), dim_sector="")
        )
        await conn.execute(
            update(Observation)
            .where(Observation.id == ids[-2])
            .values(recorded_at=datetime(2021, 5, 1, 10, 0, 0, 500000, tzinfo=UTC))
        )
    return ids


async def _csv(client: httpx.AsyncClient, **params: str) -> bytes:
    response = await client.get("/export/observations.csv", params=params)
    assert response.status_code == 200
    return response.content


def _rows(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"), newline="")))


async def test_awkward_fields_come_out_as_documented(client, engine):
    ids = await _awkward_data(engine)
    content = await _csv(client, provinces="80,01")
    assert content.startswith(export.HEADER_LINE)
    assert content.endswith(b"\r\n")
    rows = {int(row["id"]): row for row in _rows(content)}
    mine = [rows[i] for i in ids]
    assert [row["value"] for row in mine[: len(VALUES)]] == list(VALUES.values())
    assert [row["numerator"] for row in mine[:3]] == ["", "1", "2"]
    assert {row["source_title"] for row in mine} == set(TITLES)
    assert "Dòng một\r\nDòng hai".encode() in content  # inside quotes, kept as written
    assert {row["province_name"] for row in rows.values() if row["year"] == "2024"} <= {
        "Long An",
        "Hà Nội",
    }
    assert [(r["year"], r["province_name"]) for r in mine[-3:-1]] == [
        ("2024", "Long An"),
        ("2025", "Tây Ninh"),
    ]
    assert mine[-1]["recorded_at"] == "2021-05-01T10:00:00+00:00"
    assert mine[-2]["recorded_at"] == "2021-05-01T10:00:00.500000+00:00"
    assert {"2021-03-02", ""} <= {row["source_published_on"] for row in mine}
    assert mine[-1]["dimension_sector"] == ""
    assert mine[-1]["period"] == "2021, Q1"
    assert b',"",' not in content  # an empty string is written as nothing, like NULL


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"provinces": "80,01"},
        {"years": "2024,2025", "dimension.level": "DISTRICT"},
        {"totalsOnly": "true", "topics": "STAFFING"},
        {"indicators": "no.such.indicator"},
    ],
    ids=["all", "provinces", "years-dimension", "totals-topic", "nothing"],
)
async def test_copy_writes_the_same_bytes_as_python(client, engine, backend, monkeypatch, params):
    if backend != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    await _awkward_data(engine)
    # Many chunks, some ending on a record with a newline inside quotes.
    monkeypatch.setattr(csv_copy, "COPY_ROWS", 4)
    copied = await _csv(client, **params)
    monkeypatch.setattr(export, "uses_copy", lambda _engine: False)
    written = await _csv(client, **params)
    assert copied == written
    assert copied.count(b"\r\n") >= 1


def test_finish_ends_records_with_crlf_outside_quotes_only():
    data = b'7,"a\nb",x\n8,"say ""hi""\n",y\n9,"c\nd",z\n'
    chunk = csv_copy.finish(data, records=3)
    assert chunk.data == b'7,"a\nb",x\r\n8,"say ""hi""\n",y\r\n9,"c\nd",z\r\n'
    assert chunk.last_id == 9
    plain = csv_copy.finish(b"1,a\n22,b\n", records=2)
    assert (plain.data, plain.last_id) == (b"1,a\r\n22,b\r\n", 22)
    assert csv_copy.finish(b"5,x\n", records=1).last_id == 5
    assert csv_copy.finish(b"", records=0).last_id is None


def test_name_spans_give_the_name_of_every_year():
    record = ProvinceRecord(
        code="80",
        name="Tây Ninh",
        full_name="Tỉnh Tây Ninh",
        kind="PROVINCE",
        slug="tay-ninh",
        valid_from=None,
        valid_to=None,
        successor_code=None,
        former_names=(
            FormerName("Long An", "Tỉnh Long An", "PROVINCE", date(2025, 6, 30)),
            FormerName("Older", "Older", "PROVINCE", date(2001, 12, 31)),
            FormerName("Never", "Never", "PROVINCE", None),
        ),
    )
    plain = ProvinceRecord("01", "Hà Nội", "Thành phố Hà Nội", "CITY", "ha-noi", None, None, None)
    spans = csv_copy.name_spans({"80": record, "01": plain})
    for year in range(1900, 2101):
        for code, province in (("80", record), ("01", plain)):
            (name,) = [s.name for s in spans if s.code == code and s.first <= year <= s.last]
            assert name == province.named_on(year_reference_date(year)).name
