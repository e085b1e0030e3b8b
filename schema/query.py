from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Annotated

import strawberry

from hub import comparison, indicators, observations, plans, provinces, ranking, rollup
from hub.errors import InvalidArgumentError, UnknownIndicatorError, check_year
from hub.provinces import year_reference_date
from hub.reference import Reference, RequestReference
from schema.analytics import Boundaries, ComparisonCell, Ranking, RankingEntry
from schema.arguments import (
    MAX_DIMENSIONS,
    MAX_INDICATORS,
    MAX_PROVINCES,
    bounded,
    page_size,
    year_of,
    years_of,
)
from schema.catalogue import Dimension, Indicator, indicators_named
from schema.context import (
    Info,
    indicators_by_code,
    read_engine,
    reference_of,
    request_reference,
)
from schema.enums import Topic
from schema.observation import DimensionInput, ObservationConnection, ObservationFilter
from schema.plan import Plan, build_plans
from schema.province import Province, build_provinces, provinces_by_code_on, provinces_named
from schema.selection import selected_names

ProvinceRef = Annotated[
    strawberry.ID,
    strawberry.argument(description="A province by code, slug or name, any case or spelling."),
]


async def resolve_province_codes(
    info: Info, refs: Sequence[strawberry.ID] | None, field: tuple[str, ...]
) -> tuple[str, ...] | None:
    wanted = bounded(refs, limit=MAX_PROVINCES, field=field)
    if wanted is None:
        return None
    named = (await reference_of(info.context)).named
    found = provinces.pick_provinces(named, [str(r) for r in wanted], field=field)
    return tuple(p.code for p in found)


async def _indicator_codes(
    info: Info, codes: list[strawberry.ID] | None, field: tuple[str, ...]
) -> tuple[str, ...] | None:
    wanted = bounded(codes, limit=MAX_INDICATORS, field=field)
    if wanted is None:
        return None
    found = await indicators_by_code(info.context, [str(c) for c in wanted], field)
    return tuple(i.code for i in found)


async def indicator_and_breakdown(
    info: Info, indicator: strawberry.ID, dimensions: Sequence[DimensionInput] | None
) -> tuple[indicators.IndicatorRecord, tuple[observations.DimensionValue, ...]]:
    """An indicator argument and an optional breakdown, resolved and checked."""
    return _indicator_and_breakdown(await reference_of(info.context), indicator, dimensions)


async def _provisional_indicator(
    reference: RequestReference,
    indicator: strawberry.ID,
    dimensions: Sequence[DimensionInput] | None,
) -> tuple[indicators.IndicatorRecord, tuple[observations.DimensionValue, ...]]:
    """``_indicator_and_breakdown`` in the provisional copy (``RequestReference.provisional``);
    an indicator it does not know is looked for again in the current copy (it may be new)."""
    copy = await reference.provisional()
    try:
        return _indicator_and_breakdown(copy, indicator, dimensions)
    except UnknownIndicatorError:
        current = await reference()
        if current is copy:
            raise
        return _indicator_and_breakdown(current, indicator, dimensions)


def _indicator_and_breakdown(
    reference: Reference, indicator: strawberry.ID, dimensions: Sequence[DimensionInput] | None
) -> tuple[indicators.IndicatorRecord, tuple[observations.DimensionValue, ...]]:
    (record,) = indicators.pick_indicators(reference.indicators, [str(indicator)], ("indicator",))
    dims = tuple(
        observations.DimensionValue(d.name, d.value)
        for d in bounded(dimensions, limit=MAX_DIMENSIONS, field=("dimensions",)) or ()
    )
    observations.check_dimension_names(dims, field=("dimensions",))
    return record, dims


async def observation_query(
    info: Info, given: ObservationFilter | None
) -> observations.ObservationQuery:
    """The service-level query for a GraphQL filter, references resolved, sizes bounded."""
    given = given or ObservationFilter()
    dims = bounded(given.dimensions, limit=MAX_DIMENSIONS, field=("filter", "dimensions"))
    return observations.ObservationQuery(
        province_codes=await resolve_province_codes(info, given.provinces, ("filter", "provinces")),
        indicator_codes=await _indicator_codes(info, given.indicators, ("filter", "indicators")),
        topics=None if given.topics is None else tuple(t.name for t in given.topics),
        years=years_of(given.years, field=("filter", "years")),
        year_from=year_of(given.year_from, field=("filter", "yearFrom")),
        year_to=year_of(given.year_to, field=("filter", "yearTo")),
        dimensions=tuple(observations.DimensionValue(d.name, d.value) for d in dims or ()),
        totals_only=given.totals_only,
        updated_after=given.updated_after,
        visibility=info.context.visibility,
    )


@strawberry.type(description="Provinces, indicators, figures, plans, rankings and comparisons.")
class CoreQuery:
    @strawberry.field(description="Provinces that existed on asOf (default: today).")
    async def provinces(
        self,
        info: Info,
        as_of: Annotated[
            date | None, strawberry.argument(description="The day; default today.")
        ] = None,
        search: Annotated[
            str | None,
            strawberry.argument(description="Part of the name, code or slug, any spelling."),
        ] = None,
    ) -> list[Province]:
        day = as_of or date.today()
        if search is None or not search.strip():
            # The request's reference data holds every unit: no statement of its own.
            records = (await reference_of(info.context)).provinces_on(day)
        else:
            records = await provinces.list_provinces(
                engine=read_engine(info.context), as_of=day, search=search
            )
        return await build_provinces(info, records)

    @strawberry.field(
        description="One province, current or historical, by code or by name (either may "
        "be any reference: code, slug or name with or without diacritics)."
    )
    async def province(
        self,
        info: Info,
        code: Annotated[
            strawberry.ID | None, strawberry.argument(description='Official code, e.g. "67".')
        ] = None,
        name: Annotated[
            str | None,
            strawberry.argument(description='Name in any case or spelling, e.g. "dak nong".'),
        ] = None,
    ) -> Province | None:
        reference = code if code is not None else name
        if reference is None:
            raise InvalidArgumentError("Give a code or a name", field=("code",))
        record = await provinces.resolve_province(
            engine=read_engine(info.context), reference=str(reference)
        )
        return None if record is None else Province.from_record(record)

    @strawberry.field(description="The indicator catalogue, optionally of one topic.")
    async def indicators(
        self,
        info: Info,
        topic: Annotated[Topic | None, strawberry.argument(description="Only this topic.")] = None,
    ) -> list[Indicator]:
        records = await indicators.list_indicators(
            engine=read_engine(info.context), topic=None if topic is None else topic.name
        )
        return [Indicator.from_record(r) for r in records]

    @strawberry.field(description="Figures matching a filter, a page at a time, in a stable order.")
    async def observations(
        self,
        info: Info,
        filter: Annotated[
            ObservationFilter | None, strawberry.argument(description="Which figures.")
        ] = None,
        first: Annotated[
            int | None,
            strawberry.argument(description="Page size (default 100, at most 1000)."),
        ] = None,
        after: Annotated[
            str | None,
            strawberry.argument(description="The endCursor of the previous page."),
        ] = None,
    ) -> ObservationConnection:
        settings = info.context.settings
        size = page_size(first, default=settings.default_page_size, maximum=settings.max_page_size)
        query = await observation_query(info, filter)
        wanted = selected_names(info)
        page = await observations.page_observations(
            engine=read_engine(info.context),
            query=query,
            first=size,
            after=after,
            count="totalCount" in wanted,
        )
        return await ObservationConnection.from_page(info, page)

    @strawberry.field(description="Plans with their targets, by province and issue date.")
    async def plans(
        self,
        info: Info,
        province: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only this province's plans (any reference)."),
        ] = None,
        year: Annotated[
            int | None,
            strawberry.argument(description="Only plans covering this year or targeting it."),
        ] = None,
    ) -> list[Plan]:
        codes = (
            None
            if province is None
            else await resolve_province_codes(info, [province], ("province",))
        )
        records = await plans.list_plans(
            engine=read_engine(info.context),
            province_codes=codes,
            year=year_of(year, field=("year",)),
            pending_provinces=info.context.visibility.pending_provinces,
        )
        return await build_plans(info, records)

    @strawberry.field(
        description="Every province that existed in the year, ranked by the database on one "
        "indicator (competition ranking, direction from the indicator); or today's provinces, "
        "with merged units' figures combined, when boundaries is CURRENT."
    )
    async def ranking(
        self,
        info: Info,
        indicator: Annotated[strawberry.ID, strawberry.argument(description="Indicator code.")],
        year: Annotated[int, strawberry.argument(description="Reference year.")],
        dimensions: Annotated[
            list[DimensionInput] | None,
            strawberry.argument(description="Rank this breakdown instead of the total."),
        ] = None,
        boundaries: Annotated[
            Boundaries, strawberry.argument(description="Historical (default) or today's units.")
        ] = Boundaries.HISTORICAL,
    ) -> Ranking:
        check_year(year, ("year",))
        current = boundaries is Boundaries.CURRENT
        reference = request_reference(info.context)
        # A historical ranking reads the data version with its rows (one statement):
        # the indicator is looked up in the copy at hand, then again in the copy the
        # version settles on, in case the figures are newer than that copy.
        if current:
            record, dims = _indicator_and_breakdown(await reference(), indicator, dimensions)
        else:
            record, dims = await _provisional_indicator(reference, indicator, dimensions)
        rows: Sequence[ranking.RankingRow]
        if current:
            cells = await rollup.rollup(
                engine=read_engine(info.context),
                indicator_code=record.code,
                measure=record.unit,
                year=year,
                dimensions=dims,
            )
            rows = [(c.province_code, c.value, c.rank, None, 0) for c in cells]
            rows.sort(key=lambda r: (r[2] is None, r[2] or 0, r[0]))
        else:
            ranked = await ranking.national_ranking(
                engine=read_engine(info.context),
                indicator_code=record.code,
                year=year,
                dimensions=dims,
            )
            rows = ranked.rows
            if ranked.data_version is not None:
                copy = await reference.settle(ranked.data_version)
                record, dims = _indicator_and_breakdown(copy, indicator, dimensions)
        on = None if current else year_reference_date(year)
        named = await provinces_by_code_on(info, on)
        entries = [
            RankingEntry(rank=rank, value=value, official_rank=official, province=named[code])
            for code, value, rank, official, _ in rows
            if value is not None and rank is not None
        ]
        return Ranking(
            indicator=Indicator.from_record(record),
            year=year,
            boundaries=boundaries,
            dimensions=[Dimension(name=d.name, value=d.value) for d in dims],
            entries=entries,
            provinces_ranked=len(entries),
            province_codes_without_value=[row[0] for row in rows if row[1] is None],
        )

    @strawberry.field(
        description="Provinces side by side: a cell for every province × indicator × year, "
        "with value and national rank. Indicators left out: every indicator that any of the "
        "provinces has a value for. Years left out: every year with a value."
    )
    async def compare(
        self,
        info: Info,
        provinces: Annotated[
            list[strawberry.ID],
            strawberry.argument(description="Provinces by code, slug or any spelling of the name."),
        ],
        indicators: Annotated[
            list[strawberry.ID] | None, strawberry.argument(description="Indicator codes.")
        ] = None,
        years: Annotated[
            list[int] | None, strawberry.argument(description="Reference years.")
        ] = None,
    ) -> list[ComparisonCell]:
        province_codes = await resolve_province_codes(info, provinces, ("provinces",)) or ()
        cells = await comparison.compare(
            engine=read_engine(info.context),
            province_codes=province_codes,
            indicator_codes=await _indicator_codes(info, indicators, ("indicators",)),
            years=years_of(years, field=("years",)),
        )
        named = await provinces_named(
            info, {(c.province_code, year_reference_date(c.year)) for c in cells}
        )
        measures = await indicators_named(info, (c.indicator_code for c in cells))
        return [
            ComparisonCell(
                year=c.year,
                value=c.value,
                rank=c.rank,
                province=named[c.province_code, year_reference_date(c.year)],
                indicator=measures[c.indicator_code],
            )
            for c in cells
        ]
