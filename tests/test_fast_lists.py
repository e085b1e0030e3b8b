"""The fast list path answers exactly what graphql-core answers, and is really taken."""

from __future__ import annotations

import asyncio
import dataclasses
import enum
from datetime import date
from typing import Any

import strawberry
from hypothesis import given, settings
from hypothesis import strategies as st

from schema.fast_lists import NOT_PREFETCHED, FastListExecutionContext, prefetched


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.type
class Tag:
    name: str
    weight: float | None


@strawberry.type
class Item:
    id: strawberry.ID
    count: int
    share: float | None
    colour: Colour
    day: date | None
    tags: list[Tag]
    main: Tag | None
    label: str
    prefetched_extra: strawberry.Private[str] = NOT_PREFETCHED

    @strawberry.field
    def shout(self) -> str:
        return self.label.upper()

    @strawberry.field
    @prefetched("prefetched_extra")
    async def extra(self) -> str:
        if self.prefetched_extra is not NOT_PREFETCHED:
            return self.prefetched_extra
        return f"loaded {self.label}"


def _items(prefetch: bool = False) -> list[Item]:
    return [
        Item(
            id=strawberry.ID(str(i)),
            count=i,
            share=None if i % 3 == 0 else i / 7,
            colour=Colour.RED if i % 2 else Colour.BLUE,
            day=None if i % 4 == 0 else date(2021, 1 + i % 12, 1),
            tags=[Tag(name=f"t{i}-{j}", weight=None if j else 0.5) for j in range(i % 3)],
            main=None if i % 2 else Tag(name="main", weight=1.0),
            label=f"Đắk Nông {i}",
            prefetched_extra=f"prefetched {i}" if prefetch else NOT_PREFETCHED,
        )
        for i in range(12)
    ]


BROKEN: list[Any] = []


@strawberry.type
class Query:
    @strawberry.field
    def items(self, prefetch: bool = False) -> list[Item]:
        return _items(prefetch)

    @strawberry.field
    def broken(self) -> list[Item]:
        return BROKEN


class CountingContext(FastListExecutionContext):
    """Counts the lists the fast path answered."""

    answered = 0

    def complete_list_value(self, return_type, field_details_list, info, path, result, ctx):
        plan = self._plan(return_type.of_type, field_details_list) if result else None
        if plan is not None:
            try:
                [plan(item) for item in result]
                CountingContext.answered += 1
            except Exception:
                pass
        return super().complete_list_value(return_type, field_details_list, info, path, result, ctx)


FAST = strawberry.Schema(query=Query, execution_context_class=CountingContext)
PLAIN = strawberry.Schema(query=Query)


def both(query: str, variables: dict[str, Any] | None = None) -> tuple[Any, Any]:
    fast = asyncio.run(FAST.execute(query, variable_values=variables))
    plain = asyncio.run(PLAIN.execute(query, variable_values=variables))
    as_dicts = [(r.data, [(e.message, e.path) for e in r.errors or []]) for r in (fast, plain)]
    return as_dicts[0], as_dicts[1]


def answered(query: str, variables: dict[str, Any] | None = None) -> int:
    CountingContext.answered = 0
    fast, plain = both(query, variables)
    assert fast == plain
    return CountingContext.answered


def test_basic_fields_with_aliases_fragments_and_directives_match_graphql_core() -> None:
    query = """
      query($skip: Boolean!) {
        items {
          __typename ident: id count share colour day
          ...Parts
          ... on Item { label tags { name weight __typename } }
          main { name weight }
          hidden: count @skip(if: $skip)
          again: label @include(if: $skip)
        }
      }
      fragment Parts on Item { share colour tags { weight } }
    """
    for skip in (True, False):
        assert answered(query, {"skip": skip}) >= 1


def test_a_field_with_a_resolver_leaves_the_list_to_graphql_core() -> None:
    assert answered("{ items { id shout } }") == 0


def test_an_empty_prefetch_slot_falls_back_to_the_resolver_and_a_full_one_is_read() -> None:
    fast, plain = both("{ items { id extra } }")
    assert fast == plain
    assert fast[0]["items"][1]["extra"] == "loaded Đắk Nông 1"
    fast, plain = both("{ items(prefetch: true) { id extra } }")
    assert fast == plain
    assert fast[0]["items"][1]["extra"] == "prefetched 1"
    assert answered("{ items(prefetch: true) { id extra } }") == 1


def test_a_null_in_a_non_null_field_reports_the_same_error_as_graphql_core() -> None:
    BROKEN[:] = [*_items()[:2], dataclasses.replace(_items()[2], label=None)]  # type: ignore[arg-type]
    try:
        fast, plain = both("{ broken { id label } }")
    finally:
        BROKEN.clear()
    assert fast == plain
    assert fast[1], "the null must be reported"
    assert fast[1][0][1] == ["broken", 2, "label"]


def test_a_value_of_another_type_reports_the_same_error_as_graphql_core() -> None:
    BROKEN[:] = [_items()[0], dataclasses.replace(_items()[1], count="many")]  # type: ignore[arg-type]
    try:
        fast, plain = both("{ broken { id count } }")
    finally:
        BROKEN.clear()
    assert fast == plain
    assert fast[1]


FIELDS = ["id", "count", "share", "colour", "day", "label", "__typename"]
NESTED = ["tags { name weight }", "main { name }", "tags { __typename weight }"]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(FIELDS + NESTED), st.sampled_from(["", "a", "b", "c"])),
        min_size=1,
        max_size=8,
    )
)
def test_any_selection_of_basic_fields_matches_graphql_core(
    picked: list[tuple[str, str]],
) -> None:
    seen: set[str] = set()
    parts = []
    for field, alias in picked:
        key = alias or field.split()[0]
        if key in seen:
            continue  # the same response key for different fields does not validate
        seen.add(key)
        parts.append(f"{alias}: {field}" if alias else field)
    fast, plain = both("{ items { " + " ".join(parts) + " } }")
    assert fast == plain
    assert not fast[1]
