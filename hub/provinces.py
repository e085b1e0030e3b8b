"""Provinces: listing by date, and resolving the many ways callers name one.

One record per official code. A code keeps its identity across the 2025
reorganisation, but several current units took the code of one predecessor and the
name of another (code 80 was Long An and is now Tây Ninh; the old Tây Ninh, 72,
merged into it). So a record carries its former names, and ``named_on`` gives the
name a unit bore on a day: a 2021 figure of code 80 is Long An's.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.errors import UnknownProvinceError
from hub.models import Province, ProvinceName
from hub.text import fold_place_name, nfc


@dataclass(frozen=True, slots=True)
class FormerName:
    """A name a code bore until ``valid_to`` (inclusive)."""

    name: str
    full_name: str
    kind: str
    valid_to: date | None


def encode_former_names(names: Sequence[FormerName]) -> str:
    return json.dumps(
        [
            {
                "name": n.name,
                "full_name": n.full_name,
                "kind": n.kind,
                "valid_to": None if n.valid_to is None else n.valid_to.isoformat(),
            }
            for n in names
        ],
        ensure_ascii=False,
    )


def decode_former_names(text: str) -> tuple[FormerName, ...]:
    return tuple(
        FormerName(
            name=item["name"],
            full_name=item["full_name"],
            kind=item["kind"],
            valid_to=None if item["valid_to"] is None else date.fromisoformat(item["valid_to"]),
        )
        for item in json.loads(text)
    )


@dataclass(frozen=True, slots=True)
class ProvinceRecord:
    code: str
    name: str
    full_name: str
    kind: str
    slug: str
    valid_from: date | None
    valid_to: date | None
    successor_code: str | None
    former_names: tuple[FormerName, ...] = ()

    def existed_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )

    def named_on(self, day: date | None) -> ProvinceRecord:
        """This record with the name, full name and kind the unit bore on ``day``."""
        if day is None:
            return self
        for former in sorted(
            self.former_names, key=lambda f: f.valid_to or date.max
        ):  # oldest first
            if former.valid_to is not None and day <= former.valid_to:
                return dataclasses.replace(
                    self, name=former.name, full_name=former.full_name, kind=former.kind
                )
        return self


_COLUMNS = (
    Province.code,
    Province.name,
    Province.full_name,
    Province.kind,
    Province.slug,
    Province.valid_from,
    Province.valid_to,
    Province.successor_code,
    Province.former_names,
)


def _record(row: Sequence[object]) -> ProvinceRecord:
    return ProvinceRecord(
        code=str(row[0]),
        name=str(row[1]),
        full_name=str(row[2]),
        kind=str(row[3]),
        slug=str(row[4]),
        valid_from=row[5],  # type: ignore[arg-type]
        valid_to=row[6],  # type: ignore[arg-type]
        successor_code=None if row[7] is None else str(row[7]),
        former_names=decode_former_names(str(row[8])),
    )


def existed_on(day: date) -> ColumnElement[bool]:
    """SQL condition: the province existed on ``day``."""
    return and_(
        or_(Province.valid_from.is_(None), Province.valid_from <= day),
        or_(Province.valid_to.is_(None), Province.valid_to >= day),
    )


def year_reference_date(year: int) -> date:
    """The day a year's figures are attributed to units on: its last day.

    A ranking for 2021 ranks the 63 units of 31 December 2021; one for 2025 the 34 of
    31 December 2025 (the reorganisation took effect on 1 July 2025).
    """
    return date(year, 12, 31)


def normalise_code(reference: str) -> str:
    """``"1"`` and ``"01"`` both name Hà Nội: codes are two digits."""
    stripped = reference.strip()
    return stripped.zfill(2) if len(stripped) == 1 and "0" <= stripped <= "9" else stripped


async def list_provinces(
    *, engine: AsyncEngine, as_of: date, search: str | None = None
) -> list[ProvinceRecord]:
    """Provinces that existed on ``as_of``, named as they were then.

    ``search`` keeps those whose code is it, or one of whose names contains it.
    """
    query = select(*_COLUMNS).where(existed_on(as_of)).order_by(Province.code)
    if search is not None and search.strip():
        needle = fold_place_name(nfc(search))
        matching = select(ProvinceName.province_code).where(
            ProvinceName.search_key.contains(needle, autoescape=True)
        )
        query = query.where(
            or_(Province.code == normalise_code(search), Province.code.in_(matching))
        )
    async with engine.connect() as conn:
        return [_record(row).named_on(as_of) for row in await conn.execute(query)]


async def all_provinces(*, engine: AsyncEngine) -> list[ProvinceRecord]:
    """Every unit, current or former, ordered by code."""
    async with engine.connect() as conn:
        return [
            _record(row) for row in await conn.execute(select(*_COLUMNS).order_by(Province.code))
        ]


async def provinces_by_codes(
    *, engine: AsyncEngine, codes: Iterable[str]
) -> dict[str, ProvinceRecord]:
    wanted = sorted(set(codes))
    if not wanted:
        return {}
    async with engine.connect() as conn:
        rows = await conn.execute(select(*_COLUMNS).where(Province.code.in_(wanted)))
        return {str(row[0]): _record(row) for row in rows}


async def predecessors_by_codes(
    *, engine: AsyncEngine, codes: Iterable[str]
) -> dict[str, list[ProvinceRecord]]:
    """For each code, the units merged into it, ordered by code."""
    wanted = sorted(set(codes))
    found: dict[str, list[ProvinceRecord]] = {code: [] for code in wanted}
    if not wanted:
        return found
    query = select(*_COLUMNS).where(Province.successor_code.in_(wanted)).order_by(Province.code)
    async with engine.connect() as conn:
        for row in await conn.execute(query):
            record = _record(row)
            found[str(record.successor_code)].append(record)
    return found


def _preference(
    record: ProvinceRecord, key: str, key_valid_to: date | None, on: date | None
) -> tuple[int, int, str]:
    """Order the units one name matches: lower is better.

    On a given day, the unit that bore the name on that day comes first. Without a
    day, a current name beats a former one and a current unit beats a merged one.
    """
    if on is not None:
        bore_it_then = record.existed_on(on) and fold_place_name(record.named_on(on).name) == key
        return (0 if bore_it_then else 1, 0 if record.valid_to is None else 1, record.code)
    return (0 if key_valid_to is None else 1, 0 if record.valid_to is None else 1, record.code)


async def resolve_provinces(
    *,
    engine: AsyncEngine,
    references: Sequence[str],
    field: tuple[str, ...] = (),
    on: date | None = None,
) -> list[ProvinceRecord]:
    """Resolve references by code, slug or any spelling of a name, in one statement.

    A name two units have borne ("Tây Ninh": 72 until 2025, 80 since) resolves to the
    one that bore it on ``on``, or, without a day, to the unit bearing it today.
    Raises ``UnknownProvinceError`` for the first reference that matches nothing; the
    result keeps the order of ``references``, without repeats.
    """
    if not references:
        return []
    codes = {normalise_code(ref) for ref in references}
    slugs = {ref.strip().lower() for ref in references}
    keys = {fold_place_name(nfc(ref)) for ref in references}
    query = (
        select(*_COLUMNS, ProvinceName.search_key, ProvinceName.valid_to)
        .join(ProvinceName, ProvinceName.province_code == Province.code)
        .where(
            or_(
                Province.code.in_(codes),
                func.lower(Province.slug).in_(slugs),
                ProvinceName.search_key.in_(keys),
            )
        )
    )
    async with engine.connect() as conn:
        rows = [(_record(row), str(row[-2]), row[-1]) for row in await conn.execute(query)]
    return pick_provinces(rows, references, field=field, on=on)


@dataclass(frozen=True, slots=True)
class NameKey:
    """One row of ``province_names``: a folded name a unit may be looked up by."""

    search_key: str
    province_code: str
    valid_to: date | None


async def all_name_keys(*, engine: AsyncEngine) -> list[NameKey]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(ProvinceName.search_key, ProvinceName.province_code, ProvinceName.valid_to)
        )
        return [NameKey(str(key), str(code), valid_to) for key, code, valid_to in rows]


def pick_provinces(
    named: Iterable[tuple[ProvinceRecord, str, date | None]],
    references: Sequence[str],
    *,
    field: tuple[str, ...] = (),
    on: date | None = None,
) -> list[ProvinceRecord]:
    """Resolve references among ``named`` (each unit with one of its folded names and
    the name's last day): by code, else slug, else name (see ``_preference``)."""
    by_code: dict[str, ProvinceRecord] = {}
    by_slug: dict[str, ProvinceRecord] = {}
    by_key: dict[str, list[tuple[tuple[int, int, str], ProvinceRecord]]] = {}
    for record, key, key_valid_to in named:
        by_code[record.code] = record
        by_slug[record.slug] = record
        by_key.setdefault(key, []).append((_preference(record, key, key_valid_to, on), record))
    resolved: list[ProvinceRecord] = []
    for index, ref in enumerate(references):
        candidates = sorted(by_key.get(fold_place_name(nfc(ref)), []), key=lambda c: c[0])
        match = (
            by_code.get(normalise_code(ref))
            or by_slug.get(ref.strip().lower())
            or (candidates[0][1] if candidates else None)
        )
        if match is None:
            raise UnknownProvinceError(ref, field=(*field, str(index)) if field else None)
        if match not in resolved:
            resolved.append(match)
    return resolved


async def resolve_province(
    *, engine: AsyncEngine, reference: str, on: date | None = None
) -> ProvinceRecord | None:
    """One province by code, slug or name; None when nothing matches."""
    try:
        (record,) = await resolve_provinces(engine=engine, references=[reference], on=on)
    except UnknownProvinceError:
        return None
    return record
