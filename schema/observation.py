from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import strawberry

from hub.observations import ObservationPage, ObservationRecord, encode_cursor
from hub.provinces import year_reference_date
from schema.catalogue import Dimension, Indicator, Source, indicators_named
from schema.context import Info
from schema.enums import ObservationFlag, SubmissionStatus, Topic
from schema.province import Province, provinces_named
from schema.selection import selected_names


@strawberry.type(
    description="One value of one indicator for one province and period, with its "
    "breakdown and source. A correction is a new revision; this is the current one."
)
class Observation:
    id: strawberry.ID = strawberry.field(description="Identifier of this revision of the figure.")
    year: int = strawberry.field(description="Reference year of the figure.")
    period: str = strawberry.field(
        description='Reference period as submitted: "2021", "2022-08", "2019/2020".'
    )
    value: float = strawberry.field(description="The figure, in the indicator's unit.")
    numerator: float | None = strawberry.field(
        description="For ratios and counts out of a total: the parts the value was computed from."
    )
    denominator: float | None = strawberry.field(description="The total the numerator is out of.")
    dimensions: list[Dimension] = strawberry.field(
        description="The breakdown; empty for the indicator's total."
    )
    flag: ObservationFlag = strawberry.field(description="Final, provisional or estimated.")
    revision: int = strawberry.field(description="1 for the first version, then 2, 3, …")
    recorded_at: datetime = strawberry.field(description="When this revision was stored.")
    updated_at: datetime = strawberry.field(
        description="When this revision last changed: stored, approved, rejected or superseded."
    )
    status: SubmissionStatus = strawberry.field(
        description="APPROVED figures are public; PENDING ones only reach their province and "
        "the ministry."
    )
    comment: str | None = strawberry.field(description="The submitter's note on the figure.")
    indicator: Indicator = strawberry.field(description="What the figure measures.")
    province: Province = strawberry.field(
        description="The province the figure belongs to, named as it was at the end of the "
        "reference year."
    )
    source: Source | None = strawberry.field(description="Where the figure comes from.")
    series_key: strawberry.Private[str]
    indicator_code: strawberry.Private[str]
    province_code: strawberry.Private[str]
    source_id: strawberry.Private[int | None]

    @classmethod
    def from_record(
        cls,
        record: ObservationRecord,
        *,
        indicator: Indicator,
        province: Province,
        source: Source | None,
    ) -> Observation:
        return cls(
            id=strawberry.ID(str(record.id)),
            year=record.year,
            period=record.period,
            value=record.value,
            numerator=record.numerator,
            denominator=record.denominator,
            dimensions=[Dimension.from_record(d) for d in record.dimensions],
            flag=ObservationFlag(record.flag),
            revision=record.revision,
            recorded_at=record.recorded_at,
            updated_at=record.updated_at,
            status=SubmissionStatus(record.status),
            comment=record.comment,
            series_key=record.series_key,
            indicator_code=record.indicator_code,
            province_code=record.province_code,
            source_id=record.source_id,
            indicator=indicator,
            province=province,
            source=source,
        )

    @strawberry.field(
        description="Every revision of this figure the caller may see, oldest first, this "
        "one included."
    )
    async def revisions(self, info: Info) -> list[Observation]:
        records = await info.context.loaders.revisions_by_series_key.load(self.series_key)
        return await build_observations(info, records)


_NOT_SELECTED: Any = None
"""Stands for a relation the query did not select: never read."""


async def build_observations(info: Info, records: Sequence[ObservationRecord]) -> list[Observation]:
    """Observations with their indicator, province and source attached, each relation
    loaded in one batch and only when the query selects it (see ``schema.selection``)."""
    if not records:
        return []
    wanted = selected_names(info)
    loaders = info.context.loaders
    indicators: dict[str, Indicator] = {}
    if "indicator" in wanted:
        indicators = await indicators_named(info, (r.indicator_code for r in records))
    provinces: dict[tuple[str, date | None], Province] = {}
    if "province" in wanted:
        provinces = await provinces_named(
            info, {(r.province_code, year_reference_date(r.year)) for r in records}
        )
    sources: dict[int, Source] = {}
    if "source" in wanted:
        ids = sorted({r.source_id for r in records if r.source_id is not None})
        if ids:
            found_sources = await loaders.source_by_id.load_many(ids)
            sources = {i: Source.from_record(s) for i, s in zip(ids, found_sources, strict=True)}
    return [
        Observation.from_record(
            r,
            indicator=indicators.get(r.indicator_code, _NOT_SELECTED),
            province=provinces.get((r.province_code, year_reference_date(r.year)), _NOT_SELECTED),
            source=None if r.source_id is None else sources.get(r.source_id, _NOT_SELECTED),
        )
        for r in records
    ]


@strawberry.type(description="Where a page ends and whether another follows.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="True when more items follow this page.")
    end_cursor: str | None = strawberry.field(
        description="Pass as `after` to read the next page; null on an empty page."
    )


@strawberry.type(description="An observation in a page, with the cursor that points at it.")
class ObservationEdge:
    cursor: str = strawberry.field(description="Opaque position of this item.")
    node: Observation = strawberry.field(description="The observation.")


@strawberry.type(
    description="A page of observations in a stable order (by identifier), with the "
    "number of all that match."
)
class ObservationConnection:
    edges: list[ObservationEdge] = strawberry.field(description="The observations of this page.")
    page_info: PageInfo = strawberry.field(description="Where this page ends.")
    total_count: int = strawberry.field(description="How many observations match the filter.")

    @classmethod
    async def from_page(cls, info: Info, page: ObservationPage) -> ObservationConnection:
        nodes = await build_observations(info, page.records)
        wanted = selected_names(info)
        # What the query does not select is never read: no cursor is encoded for it,
        # and a page fetched without a count (see the resolver) carries none.
        with_cursors = "cursor" in wanted
        return cls(
            edges=[
                ObservationEdge(cursor=encode_cursor(r.id) if with_cursors else "", node=node)
                for r, node in zip(page.records, nodes, strict=True)
            ],
            page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor),
            total_count=-1 if page.total_count is None else page.total_count,
        )


@strawberry.input(description="One disaggregation to filter on, e.g. level=DISTRICT.")
class DimensionInput:
    name: str = strawberry.field(description='The dimension, e.g. "level".')
    value: str = strawberry.field(description='Its value, e.g. "DISTRICT".')


@strawberry.input(description="Which observations to return; every condition given must hold.")
class ObservationFilter:
    provinces: list[strawberry.ID] | None = strawberry.field(
        default=None,
        description="Provinces by code, slug or name (any case, with or without diacritics).",
    )
    indicators: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Indicator codes."
    )
    topics: list[Topic] | None = strawberry.field(default=None, description="Indicator topics.")
    years: list[int] | None = strawberry.field(default=None, description="Reference years.")
    year_from: int | None = strawberry.field(
        default=None, description="Earliest reference year, inclusive."
    )
    year_to: int | None = strawberry.field(
        default=None, description="Latest reference year, inclusive."
    )
    dimensions: list[DimensionInput] | None = strawberry.field(
        default=None, description="Only figures with these breakdown values."
    )
    totals_only: bool = strawberry.field(
        default=False, description="Only indicators' totals, no disaggregated parts."
    )
    updated_after: datetime | None = strawberry.field(
        default=None,
        description="Only figures that changed after this moment (new revisions, approvals): "
        "what a client keeping a copy in sync needs.",
    )
