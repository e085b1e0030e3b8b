from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import strawberry

from hub.indicators import IndicatorRecord
from hub.observations import DimensionValue
from hub.sources import SourceRecord
from schema.context import Info, reference_of
from schema.enums import Topic, Unit


@strawberry.type(description="A defined quantity that provinces report, with its unit and topic.")
class Indicator:
    code: strawberry.ID = strawberry.field(
        description='Stable code of the indicator, e.g. "dti.workforce.index".'
    )
    name: str = strawberry.field(description="Vietnamese name.")
    name_en: str = strawberry.field(description="English name.")
    topic: Topic = strawberry.field(description="The area of reporting it belongs to.")
    unit: Unit = strawberry.field(description="The unit of its values.")
    higher_is_better: bool = strawberry.field(
        description="Ranking direction: true when a larger value ranks first."
    )
    description: str = strawberry.field(description="What exactly is measured, in English.")
    year_min: int = strawberry.field(description="The earliest reference year accepted.")
    dimensions: list[str] = strawberry.field(
        description='The disaggregations its figures may carry, e.g. ["level", "qualification"].'
    )

    @classmethod
    def from_record(cls, record: IndicatorRecord) -> Indicator:
        return cls(
            code=strawberry.ID(record.code),
            name=record.name,
            name_en=record.name_en,
            topic=Topic(record.topic),
            unit=Unit(record.unit),
            higher_is_better=record.higher_is_better,
            description=record.description,
            year_min=record.year_min,
            dimensions=list(record.dimensions),
        )


@strawberry.type(
    description="One disaggregation of an observation, e.g. level=DISTRICT or "
    "qualification=UNIVERSITY."
)
class Dimension:
    name: str = strawberry.field(description='The dimension, e.g. "level".')
    value: str = strawberry.field(description='Its value, e.g. "DISTRICT".')

    @classmethod
    def from_record(cls, record: DimensionValue) -> Dimension:
        return cls(name=record.name, value=record.value)


@strawberry.type(
    description="Where a figure or a plan comes from: a legal document, an article, a report."
)
class Source:
    title: str = strawberry.field(description="The document's or article's title, verbatim.")
    url: str | None = strawberry.field(description="Its address, where the source gives one.")
    published_on: date | None = strawberry.field(description="Its date, where it gives one.")
    publisher: str | None = strawberry.field(
        description="The body, newspaper or site that published it."
    )
    author: str | None = strawberry.field(description="The author, where named.")

    @classmethod
    def from_record(cls, record: SourceRecord) -> Source:
        return cls(
            title=record.title,
            url=record.url,
            published_on=record.published_on,
            publisher=record.publisher,
            author=record.author,
        )


async def indicators_named(info: Info, codes: Iterable[str]) -> dict[str, Indicator]:
    """Indicators by code, from the request's reference data: what a list resolver
    attaches to its items so that they need no resolver per row."""
    known = (await reference_of(info.context)).indicators
    return {code: Indicator.from_record(known[code]) for code in set(codes)}
