from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date

import strawberry

from hub.provinces import ProvinceRecord
from hub.reference import Reference
from schema.context import Info, reference_of
from schema.enums import ProvinceKind
from schema.fast_lists import NOT_PREFETCHED, prefetched
from schema.selection import selected_names


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
    prefetched_successor: strawberry.Private[Province | None] = NOT_PREFETCHED

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
    @prefetched("prefetched_successor")
    async def successor(self, info: Info) -> Province | None:
        if self.prefetched_successor is not NOT_PREFETCHED:
            return self.prefetched_successor
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


async def provinces_named(
    info: Info, keys: Iterable[tuple[str, date | None]]
) -> dict[tuple[str, date | None], Province]:
    """Provinces by (code, date of the name), from the request's reference data: what
    a list resolver attaches to its items so that they need no resolver per row."""
    reference = await reference_of(info.context)
    return {(code, on): _shared_province(reference, code, on) for code, on in set(keys)}


async def provinces_by_code_on(info: Info, on: date | None) -> Mapping[str, Province]:
    """Every unit by code, named as on ``on``: the shared objects of ``provinces_named``,
    gathered once per copy of the reference data and date (a ranking looks up 63 of
    them on every request)."""
    reference = await reference_of(info.context)
    key = (provinces_by_code_on, on)
    found: Mapping[str, Province] | None = reference.derived.get(key)
    if found is None:
        found = {code: _shared_province(reference, code, on) for code in reference.provinces}
        reference.derived[key] = found
    return found


def _shared_province(reference: Reference, code: str, on: date | None) -> Province:
    """One Province object per unit and date for the whole copy of the reference data,
    shared by the requests that use it: nothing ever writes to these (only the objects
    ``build_provinces`` makes get a prefetched successor)."""
    key = (Province, code, on)
    found = reference.derived.get(key)
    if found is None:
        found = Province.from_record(reference.provinces[code].named_on(on))
        reference.derived[key] = found
    return found


async def build_provinces(info: Info, records: Sequence[ProvinceRecord]) -> list[Province]:
    """Provinces with their successor loaded in advance (one batch, only when the query
    selects it), so that the list is completed by the fast list path."""
    result = [Province.from_record(r) for r in records]
    if "successor" in selected_names(info):
        codes = sorted({p.successor_code for p in result if p.successor_code is not None})
        found = await info.context.loaders.province_by_code.load_many(codes)
        successors = {c: Province.from_record(r) for c, r in zip(codes, found, strict=True)}
        for province in result:
            code = province.successor_code
            province.prefetched_successor = None if code is None else successors[code]
    return result
