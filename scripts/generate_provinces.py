"""Regenerate ``fixtures/provinces.json`` from a pinned release of ``vietnam-provinces``.

Why the hub does not import the package: ``vietnam-provinces`` is GPL-3.0-or-later, and
the releases that carry both the 63 units in force until 2025-06-30 and the old→new
mapping (2026.x) require Python ≥ 3.12, while the hub supports Python 3.11. The registry
changes only when the state reorganises its provinces, so the data is taken once from a
pinned release, checked here, and committed as a plain JSON file; the running hub only
reads that file (``hub load-fixtures``) and never imports the package.

Set-up and run, from the repository root, in a throwaway virtual environment:

    python3.12 -m venv /tmp/vnp
    /tmp/vnp/bin/pip install vietnam-provinces==2026.9.0
    . /tmp/vnp/bin/activate && python3.12 scripts/generate_provinces.py

The script refuses to run (exit status 2) unless exactly the pinned version is installed,
fails (exit status 1) when a check on the data does not hold, and otherwise writes
``fixtures/provinces.json`` (format: ``fixtures/FORMAT.md``). The output depends only on
the package's data: two runs write identical bytes.

Everything is keyed on the statistics-office codes, never on names: names changed between
releases of the package, and in 2026.9.0 its Python objects and its bundled JSON disagree on
the kind of three units (see ``kind_of``).
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from dataclasses import asdict, dataclass, replace
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

PACKAGE = "vietnam-provinces"
PINNED = "2026.9.0"
SCRIPT = "scripts/generate_provinces.py"
OUTPUT = Path(__file__).resolve().parent.parent / "fixtures" / "provinces.json"
REORGANISATION_DATE = "2025-07-01"
LAST_DAY_BEFORE = "2025-06-30"

# Name prefix → kind, and the package's division type that must agree with it.
PREFIXES: dict[str, str] = {"Tỉnh ": "PROVINCE", "Thành phố ": "CITY"}
DIVISION_TYPES: dict[str, str] = {"tỉnh": "PROVINCE", "thành phố trung ương": "CITY"}
CODENAME_PREFIXES = ("tinh_", "thanh_pho_")
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")

LEGACY_COUNT = 63
CURRENT_COUNT = 34
# Lineages known independently of the package: current code → the legacy codes merged into it.
KNOWN_LINEAGES: dict[str, set[str]] = {
    "66": {"54", "66"},  # Đắk Lắk ← Phú Yên, Đắk Lắk
    "68": {"60", "67", "68"},  # Lâm Đồng ← Bình Thuận, Đắk Nông, Lâm Đồng
    "86": {"83", "84", "86"},  # Vĩnh Long ← Bến Tre, Trà Vinh, Vĩnh Long
    "22": {"22"},  # Quảng Ninh, unchanged
    "80": {"72", "80"},  # Tây Ninh ← Tây Ninh, Long An (see resolve_successors)
    "82": {"82", "87"},  # Đồng Tháp ← Tiền Giang, Đồng Tháp
}
# Merged units: code → (name, successor).
KNOWN_MERGED: dict[str, tuple[str, str]] = {
    "67": ("Đắk Nông", "68"),
    "83": ("Bến Tre", "86"),
    "54": ("Phú Yên", "66"),
}


class CheckFailed(Exception):
    """The package's data does not satisfy a check; nothing is written."""


def require(condition: bool, message: str) -> None:
    """An assertion that ``python -O`` does not strip."""
    if not condition:
        raise CheckFailed(message)


# ---------------------------------------------------------------------------------------------
# What is read from the package, reduced to plain typed values.


@dataclass(frozen=True)
class SourceUnit:
    code: str
    full_name: str
    division_type: str
    codename: str
    # Legacy unit: the current units it went into; current unit: the legacy units it came from.
    related: tuple[str, ...]


def code_of(value: int) -> str:
    return f"{int(value):02d}"


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text.strip())


def read_legacy() -> list[SourceUnit]:
    from vietnam_provinces import Province
    from vietnam_provinces.legacy import Province as LegacyProvince

    return [
        SourceUnit(
            code=code_of(p.code),
            full_name=nfc(p.name),
            division_type=str(p.division_type),
            codename=str(p.codename),
            related=tuple(
                sorted(code_of(m.province.code) for m in Province.search_from_legacy(code=p.code))
            ),
        )
        for p in LegacyProvince.iter_all()
    ]


def read_current() -> list[SourceUnit]:
    from vietnam_provinces import Province

    return [
        SourceUnit(
            code=code_of(p.code),
            full_name=nfc(p.name),
            division_type=str(p.division_type),
            codename=str(p.codename),
            related=tuple(sorted(code_of(s.code) for s in p.get_legacy_sources())),
        )
        for p in Province.iter_all()
    ]


# ---------------------------------------------------------------------------------------------
# The registry's records.


@dataclass(frozen=True)
class FormerName:
    name: str
    full_name: str
    kind: str
    valid_to: str


@dataclass(frozen=True)
class Record:
    code: str
    name: str
    full_name: str
    kind: str
    slug: str
    valid_from: str | None
    valid_to: str | None
    successor: str | None
    former_names: tuple[FormerName, ...]


def split_name(full_name: str) -> tuple[str, str]:
    """Split off the prefix: "Tỉnh Đắk Nông" → ("Đắk Nông", "PROVINCE")."""
    for prefix, kind in PREFIXES.items():
        if full_name.startswith(prefix):
            return full_name[len(prefix) :], kind
    raise CheckFailed(f"a unit's name has neither prefix {sorted(PREFIXES)}: {full_name!r}")


def kind_of(unit: SourceUnit) -> str:
    """The kind from the name's prefix in the package's Python objects.

    The package contradicts itself in 2026.9.0: its Python objects call 22 Quảng Ninh,
    24 Bắc Ninh and 75 Đồng Nai "Thành phố …" (division type "thành phố trung ương"), its
    bundled data/nested-divisions.json calls them "Tỉnh …" (division type "tỉnh"). We take
    the Python objects, the package's API, and require only that prefix and division type
    agree within them.
    """
    _, kind = split_name(unit.full_name)
    require(
        DIVISION_TYPES.get(unit.division_type) == kind,
        f"{unit.code}: name {unit.full_name!r} disagrees with type {unit.division_type!r}",
    )
    return kind


def slug_of(codename: str) -> str:
    """The package's codename as a slug: "tinh_ba_ria_vung_tau" → "ba-ria-vung-tau"."""
    for prefix in CODENAME_PREFIXES:
        if codename.startswith(prefix):
            codename = codename[len(prefix) :]
            break
    return codename.replace("_", "-")


def fold(text: str) -> str:
    """Case-folded, without diacritics, đ as d: "Đắk Nông" → "dak nong"."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def check_code_reuse(legacy: list[SourceUnit], current: list[SourceUnit]) -> None:
    """Each current unit reuses the code of one legacy unit, and lists it as a source."""
    legacy_codes = {u.code for u in legacy}
    for unit in current:
        require(
            unit.code in legacy_codes,
            f"current unit {unit.code} ({unit.full_name}) reuses no legacy code",
        )
        require(
            unit.code in unit.related,
            f"current unit {unit.code} does not list legacy {unit.code} among its sources",
        )


def resolve_successors(legacy: list[SourceUnit], current: list[SourceUnit]) -> dict[str, str]:
    """Legacy code → code of the current unit it became part of.

    A legacy code claimed by two current units keeps going as the one that reuses its code.
    In 2026.9.0 that is 82 (Tiền Giang), claimed by 82 (Đồng Tháp) and 80 (Tây Ninh): the
    package derives its province table from its ward table, where one ward of Long An
    (ward 27691, Phường 4 of Tân An, district 794) is filed under province 82.
    """
    claims: dict[str, set[str]] = {u.code: set() for u in legacy}
    for unit in current:
        for source in unit.related:
            require(source in claims, f"current {unit.code} names unknown legacy {source}")
            claims[source].add(unit.code)
    for unit in legacy:
        require(
            claims[unit.code] == set(unit.related),
            f"legacy {unit.code}: get_legacy_sources gives {sorted(claims[unit.code])}, "
            f"search_from_legacy gives {list(unit.related)}",
        )
    resolved: dict[str, str] = {}
    for code, claimants in sorted(claims.items()):
        if len(claimants) == 1:
            resolved[code] = next(iter(claimants))
        else:
            require(code in claimants, f"legacy {code} is claimed by {sorted(claimants)}")
            resolved[code] = code
    return resolved


def current_record(old: SourceUnit, new: SourceUnit) -> Record:
    """A unit in force since 2025-07-01, under its current name."""
    name, _ = split_name(new.full_name)
    old_name, _ = split_name(old.full_name)
    former: tuple[FormerName, ...] = ()
    if old_name != name:
        former = (FormerName(old_name, old.full_name, kind_of(old), LAST_DAY_BEFORE),)
    return Record(
        code=new.code,
        name=name,
        full_name=new.full_name,
        kind=kind_of(new),
        slug=slug_of(new.codename),
        valid_from=None,
        valid_to=None,
        successor=None,
        former_names=former,
    )


def merged_record(old: SourceUnit, successor: str) -> Record:
    """A unit merged into another on 2025-07-01, under its last name."""
    name, _ = split_name(old.full_name)
    return Record(
        code=old.code,
        name=name,
        full_name=old.full_name,
        kind=kind_of(old),
        slug=slug_of(old.codename),
        valid_from=None,
        valid_to=LAST_DAY_BEFORE,
        successor=successor,
        former_names=(),
    )


def disambiguate_slugs(records: list[Record]) -> list[Record]:
    """A merged unit whose slug a current unit took gets its code appended ("tay-ninh-72")."""
    taken = {r.slug for r in records if r.valid_to is None}
    return [
        replace(r, slug=f"{r.slug}-{r.code}") if r.valid_to is not None and r.slug in taken else r
        for r in records
    ]


def build_records(legacy: list[SourceUnit], current: list[SourceUnit]) -> list[Record]:
    check_code_reuse(legacy, current)
    successors = resolve_successors(legacy, current)
    current_by_code = {u.code: u for u in current}
    records = [
        current_record(old, current_by_code[old.code])
        if old.code in current_by_code
        else merged_record(old, successors[old.code])
        for old in legacy
    ]
    return disambiguate_slugs(sorted(records, key=lambda r: r.code))


# ---------------------------------------------------------------------------------------------
# Checks on the finished registry.


def predecessors_of(records: list[Record]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {r.code: {r.code} for r in records if r.valid_to is None}
    for record in records:
        if record.successor is not None:
            require(record.successor in found, f"{record.code} → {record.successor}, not current")
            found[record.successor].add(record.code)
    return found


def check_counts(records: list[Record]) -> None:
    codes = [r.code for r in records]
    require(len(records) == LEGACY_COUNT, f"expected {LEGACY_COUNT} records, got {len(records)}")
    require(len(set(codes)) == len(codes), "a code appears twice")
    current = [r for r in records if r.valid_to is None]
    require(len(current) == CURRENT_COUNT, f"expected {CURRENT_COUNT} current, got {len(current)}")
    for record in records:
        is_current = record.valid_to is None
        require(
            (record.successor is None) == is_current,
            f"{record.code}: valid_to and successor disagree",
        )


def check_lineages(records: list[Record]) -> None:
    by_code = {r.code: r for r in records}
    predecessors = predecessors_of(records)
    for code, expected in KNOWN_LINEAGES.items():
        require(
            predecessors.get(code) == expected,
            f"{code}: expected predecessors {sorted(expected)}, got {predecessors.get(code)}",
        )
    for code, (name, successor) in KNOWN_MERGED.items():
        got = (by_code[code].name, by_code[code].successor)
        require(got == (name, successor), f"{code}: expected {(name, successor)}, got {got}")


def names_until_reorganisation(record: Record) -> str:
    return record.former_names[0].name if record.former_names else record.name


def check_names(records: list[Record]) -> None:
    """Names are unique among the 34 current units and among the 63 units until 2025-06-30.

    Across the two eras a name recurs only where a current unit took the name of a unit
    merged into it (80 Tây Ninh ← 72 Tây Ninh), which is why such a merged unit's slug gets
    its code appended.
    """
    by_code = {r.code: r for r in records}
    eras = {
        "current": [(fold(r.name), r.code) for r in records if r.valid_to is None],
        "until 2025-06-30": [(fold(names_until_reorganisation(r)), r.code) for r in records],
    }
    for era, keyed in eras.items():
        seen: dict[str, str] = {}
        for key, code in keyed:
            require(key not in seen, f"{era}: {seen.get(key)} and {code} share the name {key!r}")
            seen[key] = code
    owners: dict[str, list[str]] = {}
    for record in records:
        owners.setdefault(fold(record.name), []).append(record.code)
    for key, codes in owners.items():
        if len(codes) > 1:
            merged = [c for c in codes if by_code[c].valid_to is not None]
            require(
                len(codes) == 2 and len(merged) == 1,
                f"{codes} share the name {key!r}",
            )
            require(
                by_code[merged[0]].successor in codes,
                f"{codes} share the name {key!r} but one did not merge into the other",
            )


def check_text(records: list[Record]) -> None:
    slugs = [r.slug for r in records]
    require(len(set(slugs)) == len(slugs), "two records share a slug")
    for record in records:
        require(SLUG.fullmatch(record.slug) is not None, f"{record.code}: bad slug {record.slug}")
        require(re.fullmatch(r"\d{2}", record.code) is not None, f"bad code {record.code!r}")
        for text in (record.name, record.full_name):
            require(text == unicodedata.normalize("NFC", text), f"{record.code}: not NFC")


def check(records: list[Record]) -> None:
    check_counts(records)
    check_lineages(records)
    check_names(records)
    check_text(records)


# ---------------------------------------------------------------------------------------------
# Output.


def render(records: list[Record]) -> str:
    document = {
        "generator": {"package": PACKAGE, "version": PINNED, "script": SCRIPT},
        "reorganisation_date": REORGANISATION_DATE,
        "provinces": [asdict(r) for r in records],
    }
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    return unicodedata.normalize("NFC", text)


def installed_version() -> str | None:
    try:
        return version(PACKAGE)
    except PackageNotFoundError:
        return None


def main() -> int:
    installed = installed_version()
    if installed != PINNED:
        found = "is not installed" if installed is None else f"{installed} is installed"
        print(
            f"{PACKAGE} {found}; this script is pinned to {PINNED}.\n"
            f"Set up a Python 3.12 venv with {PACKAGE}=={PINNED} (see the docstring of {SCRIPT}).",
            file=sys.stderr,
        )
        return 2
    try:
        records = build_records(read_legacy(), read_current())
        check(records)
    except CheckFailed as failure:
        print(f"check failed, nothing written: {failure}", file=sys.stderr)
        return 1
    OUTPUT.write_bytes(render(records).encode("utf-8"))
    merged = sum(r.valid_to is not None for r in records)
    print(f"wrote fixtures/provinces.json: {len(records)} records, {merged} merged")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
