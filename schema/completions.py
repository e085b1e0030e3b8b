"""One Python function per selection, completing a resolved value into its answer.

``schema.fast_lists`` turns a selection of plain fields into a plan: objects (a
strawberry type and the fields asked, by response key), lists, and leaves (a scalar or
enum). This module writes that plan out as the source of a single function, compiled
once: a dict display per object, a list comprehension per list, every field read as an
attribute and every leaf already of its type (a ``str`` for a String, a finite
``float`` for a Float...) checked in line. Anything else goes to the leaf's own
completion, which coerces or refuses.

Closures per field and per level (a call, a ``getattr``, a comprehension step each)
cost more than the answer's values on a 63-row ranking; one function for the whole
selection costs a fraction. Everything that cannot be answered raises ``Fallback``, and
graphql-core completes the value instead, reporting what it must. Keys (aliases
included) and constants enter the source as ``repr`` literals; attribute names are the
schema's Python field names, checked to be identifiers.
"""

from __future__ import annotations

import keyword
from collections.abc import Callable
from dataclasses import dataclass
from math import isfinite
from typing import Any

Complete = Callable[[Any], Any]
"""Turns one resolved value into its serialized answer, or raises ``Fallback``."""

_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1

FAST_CHECKS = {
    "str": "type({v}) is str",
    "bool": "type({v}) is bool",
    "int": f"type({{v}}) is int and {_INT_MIN} <= {{v}} <= {_INT_MAX}",
    "float": "type({v}) is float and isfinite({v})",
}
"""The common case of each inlinable leaf (a value already of its type), as source."""


class Fallback(Exception):
    """The fast path cannot answer this value: graphql-core completes it instead."""


@dataclass(frozen=True, slots=True)
class Leaf:
    complete: Complete
    """The leaf's completion, None included: it coerces, or raises ``Fallback``."""
    kind: str | None
    """Its common case, checked in line (a key of ``FAST_CHECKS``), if it has one."""


@dataclass(frozen=True, slots=True)
class ListOf:
    item: Plan
    nullable: bool


@dataclass(frozen=True, slots=True)
class Field:
    key: str
    """The response key."""
    attribute: str | None
    """Where the value is read; None for a constant (``__typename``)."""
    plan: Plan | None
    constant: str | None = None
    prefetch: Callable[[Any], Any] | None = None
    """Applied to the attribute's value first (a prefetch slot's check)."""


@dataclass(frozen=True, slots=True)
class ObjectOf:
    origin: type
    fields: tuple[Field, ...]
    nullable: bool


Plan = Leaf | ListOf | ObjectOf


def _fail() -> Any:
    raise Fallback


def _sequence(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return value
    raise Fallback


class _Writer:
    """Writes a plan's expression, naming what the source refers to."""

    def __init__(self) -> None:
        self.namespace: dict[str, Any] = {
            "_fail": _fail,
            "_sequence": _sequence,
            "isfinite": isfinite,
        }
        self._count = 0

    def fresh(self, prefix: str) -> str:
        self._count += 1
        return f"{prefix}{self._count}"

    def bind(self, value: Any, prefix: str) -> str:
        name = self.fresh(prefix)
        self.namespace[name] = value
        return name

    def expression(self, plan: Plan, read: str, name: str) -> str:
        """The completion of the value that the source ``read`` evaluates. Where the
        value is used more than once, its first use binds it to ``name`` (``read`` is
        evaluated once, before anything else); ``read == name`` when already bound."""
        first = read if read == name else f"({name} := {read})"
        if isinstance(plan, Leaf):
            call = self.bind(plan.complete, "leaf")
            check = FAST_CHECKS.get(plan.kind or "")
            if check is None:
                return f"{call}({read})"
            condition = check.replace("{v}", first, 1).replace("{v}", name)
            return f"({name} if {condition} else {call}({name}))"
        if isinstance(plan, ListOf):
            item = self.fresh("x")
            each = self.expression(plan.item, item, item)
            if not plan.nullable:  # (no binding in a comprehension's iterable)
                return f"[{each} for {item} in _sequence({read})]"
            return f"(None if {first} is None else [{each} for {item} in _sequence({name})])"
        origin = self.bind(plan.origin, "origin")
        entries = []
        for field in plan.fields:
            if field.attribute is None:
                entries.append(f"{field.key!r}: {field.constant!r}")
                continue
            assert field.plan is not None
            attribute = field.attribute
            value = (
                f"{name}.{attribute}"
                if attribute.isidentifier() and not keyword.iskeyword(attribute)
                else f"getattr({name}, {attribute!r})"
            )
            if field.prefetch is not None:
                value = f"{self.bind(field.prefetch, 'prefetch')}({value})"
            entries.append(f"{field.key!r}: {self.expression(field.plan, value, self.fresh('v'))}")
        display = "{" + ", ".join(entries) + "}"
        if not plan.nullable:
            return f"({display} if type({first}) is {origin} else _fail())"
        return (
            f"(None if {first} is None else ({display} if type({name}) is {origin} else _fail()))"
        )


def function(plan: Plan) -> Complete:
    """The plan as one compiled function of the value to complete."""
    writer = _Writer()
    source = f"def complete(value):\n    return {writer.expression(plan, 'value', 'value')}\n"
    exec(source, writer.namespace)  # the source is built from the schema alone
    completed: Complete = writer.namespace["complete"]
    return completed
