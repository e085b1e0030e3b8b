from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import strawberry

from hub.provinces import ProvinceRecord
from schema.context import Info
from schema.enums import ProvinceKind


@strawberry.type(
    description="A province-level unit: a tỉnh or a centrally governed thành phố, "
    "as it existed between validFrom and validTo."
)
class Province:
    code: strawberry.ID = strawberry.field(
        description='Official administrative code of the unit, e.g. "67" for Đắk Nông.'
    )
    name: str = strawberry.field(description="Official Vietnamese name with diacritics, NFC.")
    full_name: str = strawberry.field(
        description='The name with its "Tỉnh" or "Thành phố" prefix, e.g. "Tỉnh Đắk Nông".'
    )
    kind: ProvinceKind = strawberry.field(description="Province or centrally governed city.")
    slug: str = strawberry.field(description='ASCII slug, e.g. "dak-nong".')
    valid_from: date | None = strawberry.field(
        description="First day the unit existed with this code and territory; "
        "null if before the registry starts."
    )
    valid_to: date | None = strawberry.field(
        description="Last day the unit existed; null while it still exists "
        "(e.g. 2025-06-30 for units merged in the 2025 reorganisation)."
    )
    successor_code: strawberry.Private[str | None]

    @classmethod
    def from_record(cls, record: ProvinceRecord) -> Province:
        return cls(
            code=strawberry.ID(record.code),
            name=record.name,
            full_name=record.full_name,
            kind=ProvinceKind(record.kind),
            slug=record.slug,
            valid_from=record.valid_from,
            valid_to=record.valid_to,
            successor_code=record.successor_code,
        )

    @strawberry.field(description="The unit this one was merged into, if any.")
    async def successor(self, info: Info) -> Province | None:
        if self.successor_code is None:
            return None
        record = await info.context.loaders.province_by_code.load(self.successor_code)
        return Province.from_record(record)

    @strawberry.field(description="Units merged into this one.")
    async def predecessors(self, info: Info) -> list[Province]:
        records = await info.context.loaders.predecessors_by_province_code.load(str(self.code))
        return [Province.from_record(record.named_on(record.valid_to)) for record in records]


async def load_province(info: Info, code: str, on: date | None = None) -> Province:
    """The province with ``code``, named as it was on ``on`` (default: its latest name)."""
    record = await info.context.loaders.province_by_code.load(code)
    return Province.from_record(record.named_on(on))


async def load_provinces(
    info: Info, codes: Sequence[str], on: date | None = None
) -> list[Province]:
    """Several provinces in one batch (awaiting ``load_province`` in a loop would send one
    statement per province)."""
    records = await info.context.loaders.province_by_code.load_many(list(codes))
    return [Province.from_record(record.named_on(on)) for record in records]
