"""Regenerate ``fixtures/provinces.json`` from a pinned release of ``vietnam-provinces``.

Why a generated, committed file rather than an import: the package is GPL-3.0 and its
releases that carry the pre-2025 units and the old→new mapping need Python ≥ 3.12,
while the hub runs on 3.11+. The registry changes only when the state reorganises
units, so the data is taken once from an authoritative source, checked, and committed;
the running hub never imports the package.

Run it with a Python 3.12 interpreter, in a throwaway virtual environment:

    python3.12 -m venv /tmp/vnp
    /tmp/vnp/bin/pip install vietnam-provinces==2026.9.0
    /tmp/vnp/bin/python scripts/generate_provinces.py

It refuses to run against any other version of the package, and writes the same
bytes every time for the same version.

Two known quirks of 2026.9.0 are handled here, and checked so that a release that
fixes them fails loudly rather than silently changing the data:
- the legacy unit 82 (Tiền Giang) is listed among the sources of both 80 (Tây Ninh)
  and 82 (Đồng Tháp). A legacy code that is itself a current code continued as that
  unit, so 82 is taken to be Đồng Tháp's (Tây Ninh = Long An 80 + Tây Ninh 72);
- names and kinds changed between releases (Quảng Ninh is a "Thành phố" in the Python
  objects and a "Tỉnh" in the bundled JSON). Current units take their name and kind
  from the Python objects of the current list; merged units from the legacy list.
"""

from __future__ import annotations

import json
import sys
import unicodedata
from dataclasses import asdict, dataclass, replace
from importlib.metadata import version
from pathlib import Path

PACKAGE = "vietnam-provinces"
PINNED = "2026.9.0"
REORGANISATION_DATE = "2025-07-01"
LAST_DAY_BEFORE = "2025-06-30"
OUTPUT = Path(__file__).resolve().parent.parent / "fixtures" / "provinces.json"
PREFIXES = {"Tỉnh ": "PROVINCE", "Thành phố ": "CITY"}
CODENAME_PREFIXES = ("tinh_", "thanh_pho_")


@dataclass(frozen=True)
class FormerName:
    name: str
    full_name: str
    kind: str
    valid_to: str


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    full_name: str
    kind: str
    slug: str
    valid_from: str | None
    valid_to: str | None
    successor: str | None
    former_names: list[FormerName]


def split_name(full_name: str) -> tuple[str, str]:
    """("Tỉnh Đắk Nông") → ("Đắk Nông", "PROVINCE")."""
    full_name = unicodedata.normalize("NFC", full_name.strip())
    for prefix, kind in PREFIXES.items():
        if full_name.startswith(prefix):
            return full_name[len(prefix) :], kind
    raise SystemExit(f"unexpected province name without a prefix: {full_name!r}")


def slug_of(codename: str) -> str:
    for prefix in CODENAME_PREFIXES:
        if codename.startswith(prefix):
            codename = codename[len(prefix) :]
    return codename.replace("_", "-")


def code_of(value: object) -> str:
    return f"{int(value):02d}"  # type: ignore[call-overload]


def fold(text: str) -> str:
    bare = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return bare.replace("đ", "d").replace("Đ", "D").casefold()


def successor_map(current: list[object]) -> dict[str, str]:
    """Legacy code → current code, resolving a legacy code claimed by two current units."""
    current_codes = {code_of(p.code) for p in current}  # type: ignore[attr-defined]
    claims: dict[str, set[str]] = {}
    for unit in current:
        for source in unit.get_legacy_sources():  # type: ignore[attr-defined]
            claims.setdefault(code_of(source.code), set()).add(code_of(unit.code))  # type: ignore[attr-defined]
    resolved: dict[str, str] = {}
    for legacy, claimants in sorted(claims.items()):
        if len(claimants) == 1:
            resolved[legacy] = next(iter(claimants))
        elif legacy in current_codes and legacy in claimants:
            resolved[legacy] = legacy
        else:
            raise SystemExit(f"legacy unit {legacy} is claimed by {sorted(claimants)}")
    return resolved


def build_units() -> list[Unit]:
    from vietnam_provinces import Province
    from vietnam_provinces.legacy import Province as LegacyProvince

    current = list(Province.iter_all())
    legacy = list(LegacyProvince.iter_all())
    successors = successor_map(current)
    current_by_code = {code_of(p.code): p for p in current}
    units: list[Unit] = []
    for old in legacy:
        code = code_of(old.code)
        old_name, old_kind = split_name(old.name)
        if code in current_by_code:
            new = current_by_code[code]
            name, kind = split_name(new.name)
            units.append(
                Unit(
                    code=code,
                    name=name,
                    full_name=unicodedata.normalize("NFC", new.name),
                    kind=kind,
                    slug=slug_of(new.codename),
                    valid_from=None,
                    valid_to=None,
                    successor=None,
                    former_names=[]
                    if old_name == name
                    else [
                        FormerName(
                            name=old_name,
                            full_name=unicodedata.normalize("NFC", old.name),
                            kind=old_kind,
                            valid_to=LAST_DAY_BEFORE,
                        )
                    ],
                )
            )
        else:
            units.append(
                Unit(
                    code=code,
                    name=old_name,
                    full_name=unicodedata.normalize("NFC", old.name),
                    kind=old_kind,
                    slug=slug_of(old.codename),
                    valid_from=None,
                    valid_to=LAST_DAY_BEFORE,
                    successor=successors[code],
                    former_names=[],
                )
            )
    return disambiguate_slugs(sorted(units, key=lambda u: u.code))


def disambiguate_slugs(units: list[Unit]) -> list[Unit]:
    """A merged unit whose slug a current unit took (72 Tây Ninh and 80, now Tây Ninh)
    gets its code appended: "tay-ninh-72". Current units keep the plain slug."""
    current = {u.slug for u in units if u.valid_to is None}
    return [
        replace(u, slug=f"{u.slug}-{u.code}") if u.valid_to is not None and u.slug in current else u
        for u in units
    ]


def check(units: list[Unit]) -> None:
    by_code = {u.code: u for u in units}
    assert len(units) == 63 == len(by_code), f"expected 63 units, got {len(units)}"
    current = [u for u in units if u.valid_to is None]
    assert len(current) == 34, f"expected 34 current units, got {len(current)}"
    predecessors: dict[str, set[str]] = {u.code: {u.code} for u in current}
    for unit in units:
        if unit.successor is not None:
            assert by_code[unit.successor].valid_to is None, f"{unit.code} → a merged unit"
            predecessors[unit.successor].add(unit.code)
    expected = {
        "66": {"54", "66"},
        "68": {"60", "67", "68"},
        "86": {"83", "84", "86"},
        "22": {"22"},
        "80": {"72", "80"},
        "82": {"82", "87"},
    }
    for code, sources in expected.items():
        assert predecessors[code] == sources, f"{code}: {sorted(predecessors[code])}"
    for code, name, successor in (
        ("67", "Đắk Nông", "68"),
        ("83", "Bến Tre", "86"),
        ("54", "Phú Yên", "66"),
    ):
        assert (by_code[code].name, by_code[code].successor) == (name, successor), code
    for era in ("current", "before"):
        names = [
            fold(u.name) if era == "current" or not u.former_names else fold(u.former_names[0].name)
            for u in units
            if era == "before" or u.valid_to is None
        ]
        assert len(set(names)) == len(names), f"two {era} units share a name"
    slugs = [u.slug for u in units]
    assert len(set(slugs)) == len(slugs), "two units share a slug"


def main() -> int:
    installed = version(PACKAGE)
    if installed != PINNED:
        print(
            f"{PACKAGE} {installed} is installed; this script is pinned to {PINNED}",
            file=sys.stderr,
        )
        return 2
    units = build_units()
    check(units)
    document = {
        "generator": {
            "package": PACKAGE,
            "version": PINNED,
            "script": "scripts/generate_provinces.py",
        },
        "reorganisation_date": REORGANISATION_DATE,
        "provinces": [asdict(u) for u in units],
    }
    OUTPUT.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(
        f"wrote {len(units)} units ({sum(u.valid_to is None for u in units)} current) "
        f"to {OUTPUT.name}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
