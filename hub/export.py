"""``GET /export/observations.csv``: the same filters as ``observations``, streamed.

On PostgreSQL the database writes the CSV itself (``COPY ... TO STDOUT``, see
``hub.csv_copy``), a chunk of rows at a time; elsewhere rows are read in chunks and
written by the csv module. Either way memory stays flat however many rows match, and
the bytes are the same for the same data. UTF-8 with
Vietnamese names intact; one column per dimension. The header is stable: new columns
are only ever appended.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import AsyncIterator, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from hub.auth import pending_provinces_for
from hub.csv_copy import copy_chunks, name_spans, uses_copy
from hub.dimensions import DIMENSION_NAMES, column_name
from hub.errors import MAX_YEAR, MIN_YEAR, HubError
from hub.identifiers import ascii_int
from hub.models import Indicator, Observation, Province, Source
from hub.observations import (
    DimensionValue,
    ObservationQuery,
    Visibility,
    as_utc,
    conditions_of,
)
from hub.provinces import (
    ProvinceRecord,
    provinces_by_codes,
    resolve_provinces,
    year_reference_date,
)

CHUNK_ROWS = 5000
HEADER = (
    "id",
    "province_code",
    "province_name",
    "indicator_code",
    "indicator_name",
    "unit",
    "year",
    "period",
    "value",
    "numerator",
    "denominator",
    *(f"dimension_{name}" for name in DIMENSION_NAMES),
    "flag",
    "status",
    "revision",
    "source_title",
    "source_url",
    "source_published_on",
    "recorded_at",
)
HEADER_LINE = (",".join(HEADER) + "\r\n").encode("ascii")
"""As csv.writer writes it: no header name needs quoting."""
TOPICS = frozenset({"PLANS", "INDICATORS", "STAFFING", "TRAINING"})


class ExportParameterError(HubError):
    code = "INVALID_ARGUMENT"


def _list(request: Request, name: str) -> tuple[str, ...] | None:
    values = [v.strip() for raw in request.query_params.getlist(name) for v in raw.split(",")]
    values = [v for v in values if v]
    if len(values) > 200:
        raise ExportParameterError(f"{name} takes at most 200 values", field=(name,))
    return tuple(values) or None


def _year(text: str, name: str) -> int:
    year = ascii_int(text)
    if year is None or not MIN_YEAR <= year <= MAX_YEAR:
        raise ExportParameterError(
            f"{name} must be a year from {MIN_YEAR} to {MAX_YEAR}, got {text!r}", field=(name,)
        )
    return year


async def query_from_parameters(
    request: Request, engine: AsyncEngine, visibility: Visibility
) -> ObservationQuery:
    """The observations filter as query parameters: provinces, indicators, topics, years
    (comma-separated or repeated), yearFrom, yearTo, dimension.<name>=<value>, totalsOnly."""
    provinces = _list(request, "provinces")
    topics = _list(request, "topics")
    if topics and set(topics) - TOPICS:
        raise ExportParameterError(f"topics are {', '.join(sorted(TOPICS))}", field=("topics",))
    years = _list(request, "years")
    params = request.query_params
    dimensions = tuple(
        DimensionValue(key[len("dimension.") :], value)
        for key, value in params.multi_items()
        if key.startswith("dimension.")
    )
    for dim in dimensions:
        if dim.name not in DIMENSION_NAMES:
            raise ExportParameterError(f"unknown dimension {dim.name!r}", field=("dimension",))
    codes = None
    if provinces is not None:
        codes = tuple(
            p.code
            for p in await resolve_provinces(
                engine=engine, references=provinces, field=("provinces",)
            )
        )
    return ObservationQuery(
        province_codes=codes,
        indicator_codes=_list(request, "indicators"),
        topics=topics,
        years=None if years is None else tuple(_year(y, "years") for y in years),
        year_from=_year(params["yearFrom"], "yearFrom") if params.get("yearFrom") else None,
        year_to=_year(params["yearTo"], "yearTo") if params.get("yearTo") else None,
        dimensions=dimensions,
        totals_only=params.get("totalsOnly", "").lower() in {"1", "true", "yes"},
        visibility=visibility,
    )


def _text(value: object) -> str:
    """A field as the export writes it; ``hub.csv_copy`` renders the same in SQL."""
    if value is None:
        return ""
    if isinstance(value, float):
        if not math.isfinite(value):
            return _NON_FINITE[repr(value)]
        return repr(value) if value != int(value) else str(int(value))
    if isinstance(value, datetime):
        return as_utc(value).isoformat()
    return str(value)


_NON_FINITE = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}
"""As PostgreSQL spells them (the hub does not store them; GraphQL floats are finite)."""


async def stream_csv(engine: AsyncEngine, query: ObservationQuery) -> AsyncIterator[bytes]:
    """The CSV, a chunk of rows at a time: written by PostgreSQL itself where it can be."""
    provinces = await provinces_by_codes(
        engine=engine, codes=query.province_codes or await _all_codes(engine)
    )
    yield HEADER_LINE
    chunks = _copied_rows if uses_copy(engine) else _written_rows
    async for chunk in chunks(engine, query, provinces):
        yield chunk


async def _copied_rows(
    engine: AsyncEngine, query: ObservationQuery, provinces: Mapping[str, ProvinceRecord]
) -> AsyncIterator[bytes]:
    async for chunk in copy_chunks(engine, query, name_spans(provinces)):
        yield chunk


def _statement(query: ObservationQuery) -> Select[Any]:
    return (
        select(
            Observation.id,
            Observation.province_code,
            Observation.indicator_code,
            Indicator.name,
            Indicator.unit,
            Observation.year,
            Observation.period,
            Observation.value,
            Observation.numerator,
            Observation.denominator,
            *(getattr(Observation, column_name(n)) for n in DIMENSION_NAMES),
            Observation.flag,
            Observation.status,
            Observation.revision,
            Source.title,
            Source.url,
            Source.published_on,
            Observation.recorded_at,
        )
        .join(Indicator, Indicator.code == Observation.indicator_code)
        .outerjoin(Source, Source.id == Observation.source_id)
        .where(*conditions_of(query))
        .order_by(Observation.id)
        .execution_options(yield_per=CHUNK_ROWS)
    )


async def _written_rows(
    engine: AsyncEngine, query: ObservationQuery, provinces: Mapping[str, ProvinceRecord]
) -> AsyncIterator[bytes]:
    """The rows formatted in Python, through a server-side cursor where there is one."""
    names: dict[tuple[str, int], str] = {}

    def name(code: str, year: int) -> str:
        key = (code, year)
        if key not in names:
            names[key] = provinces[code].named_on(year_reference_date(year)).name
        return names[key]

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    async with engine.connect() as conn:
        result = await conn.stream(_statement(query))
        async for rows in result.partitions(CHUNK_ROWS):
            writer.writerows(
                [_text(r[0]), r[1], name(r[1], r[5]), *map(_text, r[2:])] for r in rows
            )
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()


async def _all_codes(engine: AsyncEngine) -> tuple[str, ...]:
    async with engine.connect() as conn:
        return tuple((await conn.execute(select(Province.code))).scalars())


async def export_observations(request: Request, engine: AsyncEngine) -> Response:
    principal = request.scope.get("state", {}).get("principal")
    try:
        query = await query_from_parameters(
            request, engine, Visibility(pending_provinces=pending_provinces_for(principal))
        )
    except HubError as error:
        return JSONResponse(
            {"errors": [{"message": error.message, "extensions": error.extensions}]},
            status_code=400,
        )
    return StreamingResponse(
        stream_csv(engine, query),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="observations.csv"'},
    )
