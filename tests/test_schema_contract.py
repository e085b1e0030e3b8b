"""The served schema is a superset of the contract, and schema.graphql is what the code serves."""

from pathlib import Path

import pytest
from graphql import build_schema as build_sdl
from graphql import find_breaking_changes, parse, validate
from strawberry.utils.str_converters import to_camel_case

from schema import build_schema

ROOT = Path(__file__).resolve().parents[1]
SHARED_CONTRACT = ROOT.parent / "shared" / "contract"
CONTRACT = SHARED_CONTRACT if SHARED_CONTRACT.is_dir() else ROOT / "contract"
OPERATIONS = sorted((CONTRACT / "operations").glob("*.graphql"))


def served_sdl() -> str:
    return build_schema().as_str() + "\n"


def test_served_schema_breaks_nothing_in_the_contract():
    contract = build_sdl((CONTRACT / "core.graphql").read_text(encoding="utf-8"))
    assert find_breaking_changes(contract, build_sdl(served_sdl())) == []


def test_committed_schema_graphql_is_what_the_code_serves():
    committed = (ROOT / "schema.graphql").read_text(encoding="utf-8")
    assert committed == served_sdl(), "schema.graphql is stale: run `make schema` and commit it"


def test_committed_contract_copy_matches_the_shared_contract():
    if not SHARED_CONTRACT.is_dir():
        pytest.skip("../shared/contract is not beside this checkout")
    for path in SHARED_CONTRACT.rglob("*.graphql"):
        copy = ROOT / "contract" / path.relative_to(SHARED_CONTRACT)
        assert copy.read_text(encoding="utf-8") == path.read_text(encoding="utf-8"), copy


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda p: p.stem)
def test_every_client_operation_validates_against_the_served_schema(operation):
    errors = validate(build_schema()._schema, parse(operation.read_text(encoding="utf-8")))
    assert errors == []


def test_every_public_type_field_and_argument_has_a_description():
    schema = build_schema()._schema
    missing = []
    for name, graphql_type in schema.type_map.items():
        if name.startswith("__") or name in {"String", "Int", "Float", "Boolean", "ID"}:
            continue
        if not graphql_type.description:
            missing.append(name)
        for field_name, field in getattr(graphql_type, "fields", {}).items():
            if not field.description:
                missing.append(f"{name}.{field_name}")
            for arg_name, arg in getattr(field, "args", {}).items():
                if not arg.description:
                    missing.append(f"{name}.{field_name}({arg_name})")
        for value_name, value in getattr(graphql_type, "values", {}).items():
            if not value.description:
                missing.append(f"{name}.{value_name}")
    assert missing == []


def test_names_are_converted_once_and_as_strawberry_converts_them(monkeypatch):
    from strawberry.schema import name_converter

    from schema.naming import RememberedNames

    converted: list[str] = []

    def counting(name: str) -> str:
        converted.append(name)
        return to_camel_case(name)

    monkeypatch.setattr(name_converter, "to_camel_case", counting)
    names = RememberedNames()
    assert [names.apply_naming_config("official_rank") for _ in range(3)] == ["officialRank"] * 3
    assert converted == ["official_rank"]
    names.auto_camel_case = False
    assert names.apply_naming_config("official_rank") == "official_rank"
