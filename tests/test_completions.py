"""The generated completion of a plan (``schema.completions``) does what the plan says.

A plan is also read by a small interpreter below, written the plain way; for random
plans and random values (of the right type, of a wrong type, None, prefetch slots
empty or full) the compiled function and the interpreter agree: the same answer, or
both refuse with ``Fallback``.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import isfinite
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schema.completions import Fallback, Field, Leaf, ListOf, ObjectOf, Plan, function

EMPTY = object()


def _prefetch(value: Any) -> Any:
    if value is EMPTY:
        raise Fallback
    return value


def _slow(kind: str | None, nullable: bool) -> Any:
    """A leaf's own completion: coerces ints to floats for Float, refuses the rest."""

    def complete(value: Any) -> Any:
        if value is None:
            if nullable:
                return None
            raise Fallback
        if kind == "float" and type(value) is int:
            return float(value)
        if kind == "str" and type(value) is int:
            return str(value)
        raise Fallback

    return complete


@dataclass
class Thing:
    a: Any = None
    b: Any = None
    c: Any = None


@dataclass
class Other:
    a: Any = None
    b: Any = None
    c: Any = None


def interpret(plan: Plan, value: Any) -> Any:
    if isinstance(plan, Leaf):
        checks = {
            "str": lambda v: type(v) is str,
            "bool": lambda v: type(v) is bool,
            "int": lambda v: type(v) is int and -(2**31) <= v <= 2**31 - 1,
            "float": lambda v: type(v) is float and isfinite(v),
        }
        check = checks.get(plan.kind or "")
        return value if check is not None and check(value) else plan.complete(value)
    if isinstance(plan, ListOf):
        if value is None:
            if plan.nullable:
                return None
            raise Fallback
        if not isinstance(value, list | tuple):
            raise Fallback
        return [interpret(plan.item, item) for item in value]
    if value is None and plan.nullable:
        return None
    if type(value) is not plan.origin:
        raise Fallback
    answer = {}
    for field in plan.fields:
        if field.attribute is None:
            answer[field.key] = field.constant
            continue
        assert field.plan is not None
        found = getattr(value, field.attribute)
        if field.prefetch is not None:
            found = field.prefetch(found)
        answer[field.key] = interpret(field.plan, found)
    return answer


KINDS = ["str", "bool", "int", "float", None]


def plans(depth: int = 2) -> st.SearchStrategy[Plan]:
    leaves = st.builds(
        lambda kind, nullable: Leaf(_slow(kind, nullable), kind),
        st.sampled_from(KINDS),
        st.booleans(),
    )
    if depth == 0:
        return leaves
    inner = plans(depth - 1)
    fields = st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "c", "__typename"]),
            st.text("xyz_é\"'", min_size=1, max_size=3),
            inner,
            st.booleans(),
        ),
        max_size=3,
        unique_by=lambda f: f[1],
    )

    def make_object(origin: type, chosen: list[Any], nullable: bool) -> ObjectOf:
        return ObjectOf(
            origin,
            tuple(
                Field(key, None, None, constant=origin.__name__)
                if attribute == "__typename"
                else Field(key, attribute, plan, prefetch=_prefetch if slot else None)
                for attribute, key, plan, slot in chosen
            ),
            nullable,
        )

    objects = st.builds(make_object, st.sampled_from([Thing, Other]), fields, st.booleans())
    lists = st.builds(ListOf, inner, st.booleans())
    return st.one_of(leaves, objects, lists)


def values(depth: int = 3) -> st.SearchStrategy[Any]:
    scalars = st.one_of(
        st.none(),
        st.text(max_size=3),
        st.booleans(),
        st.integers(-(2**33), 2**33),
        st.floats(allow_nan=True, allow_infinity=True),
        st.just(EMPTY),
    )
    if depth == 0:
        return scalars
    inner = values(depth - 1)
    return st.one_of(
        scalars,
        st.lists(inner, max_size=3),
        st.builds(Thing, inner, inner, inner),
        st.builds(Other, inner, inner, inner),
    )


def _outcome(run: Any) -> Any:
    try:
        return ("answer", run())
    except Fallback:
        return ("fallback", None)


@settings(max_examples=400, deadline=None)
@given(plan=plans(), value=values())
def test_the_generated_function_agrees_with_the_plan(plan: Plan, value: Any) -> None:
    compiled = function(plan)
    assert repr(_outcome(lambda: compiled(value))) == repr(_outcome(lambda: interpret(plan, value)))


def test_a_selection_of_a_list_of_objects_is_one_function_with_no_call_per_row() -> None:
    calls = 0

    def counted(value: Any) -> Any:
        nonlocal calls
        calls += 1
        return value

    row = ObjectOf(
        Thing,
        (Field("a", "a", Leaf(counted, "int")), Field("t", None, None, constant="Thing")),
        False,
    )
    complete = function(ListOf(row, False))
    assert complete([Thing(a=1), Thing(a=2)]) == [{"a": 1, "t": "Thing"}, {"a": 2, "t": "Thing"}]
    assert calls == 0  # ints are answered in line
    assert complete([Thing(a="x")]) == [{"a": "x", "t": "Thing"}]
    assert calls == 1  # anything else goes to the leaf's own completion
    with pytest.raises(Fallback):
        complete([Other(a=1)])
    with pytest.raises(Fallback):
        complete(None)
