"""Coerce large variable values in one compiled pass instead of graphql-core's walk.

A bulk submission of 10,000 figures is a variable holding about 300,000 values.
graphql-core coerces it generically (a type dispatch per value) after walking it once
more to bound its nesting; that took most of the request. This module compiles, per
input type, a function that does the same coercion: the same rules, in the same
order, with each leaf going through the scalar's or enum's own ``coerce_input_value``
(String, Boolean and Float values already of their type answered directly, as the
scalars themselves would). Anything it does not accept, it refuses as a whole
(``Undefined``) and graphql-core then coerces the original value and reports the
errors as usual: the fast path never produces an error of its own.

Only variables with a long list inside take this path (``LONG``), so every small
request keeps graphql-core's own coercion. The executor is then built by graphql-core
from the same variables with each long list cut to its first item, which checks
every variable's definition, default and presence as before, and the full coerced
value replaces the cut one (see ``schema.fast_lists.FastListExecutionContext.build``).
Recursive input types are left to graphql-core (its nesting bound matters there).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from math import isfinite
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLFloat,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLString,
    Undefined,
    is_required_input_field,
    type_from_ast,
)
from graphql.pyutils import is_iterable
from graphql.utilities.coerce_input_value import coerce_default_value

from hub.operations import chosen_operation

LONG = 64
"""A list longer than this makes its variable take the compiled path."""

Coerce = Callable[[Any], Any]
"""A raw value to its coerced value, or ``Undefined`` when it does not coerce."""


class _Cyclic(Exception):
    """The input type refers to itself: leave it to graphql-core."""


_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1


def _leaf(type_: GraphQLScalarType | GraphQLEnumType) -> Coerce:
    coerce = type_.coerce_input_value

    def slow(value: Any) -> Any:
        try:
            return coerce(value)
        except Exception:  # graphql-core treats every failure alike
            return Undefined

    if type_ is GraphQLString:
        return lambda value: value if type(value) is str else slow(value)
    if type_ is GraphQLBoolean:
        return lambda value: value if type(value) is bool else slow(value)
    if type_ is GraphQLFloat:
        return lambda value: value if type(value) is float and isfinite(value) else slow(value)
    if type_ is GraphQLInt:
        return lambda value: (
            value if type(value) is int and _INT_MIN <= value <= _INT_MAX else slow(value)
        )
    return slow


def _compile(type_: GraphQLInputType, seen: frozenset[str]) -> tuple[Coerce, bool]:
    """The coercion of a value that is neither None nor Undefined, and whether the
    type admits null (what the caller checks before calling it)."""
    if isinstance(type_, GraphQLNonNull):
        inner, _nullable = _compile(type_.of_type, seen)
        return inner, False
    if isinstance(type_, GraphQLList):
        item, item_nullable = _compile(type_.of_type, seen)

        def one(value: Any) -> Any:
            if value is None or value is Undefined:
                return None if item_nullable else Undefined
            return item(value)

        def as_list(value: Any) -> Any:
            if not is_iterable(value):
                single = one(value)
                return Undefined if single is Undefined else [single]
            coerced = [one(v) for v in value]
            return Undefined if any(c is Undefined for c in coerced) else coerced

        return as_list, True
    if isinstance(type_, GraphQLInputObjectType):
        return _input_object(type_, seen), True
    if isinstance(type_, GraphQLScalarType | GraphQLEnumType):
        return _leaf(type_), True
    raise _Cyclic  # not an input type graphql-core would accept here


def _input_object(type_: GraphQLInputObjectType, seen: frozenset[str]) -> Coerce:
    if type_.name in seen or type_.is_one_of:
        raise _Cyclic
    inner = seen | {type_.name}
    fields = type_.fields
    plan = []
    for name, field in fields.items():
        coerce, nullable = _compile(field.type, inner)
        required = is_required_input_field(field)
        default = Undefined if required else coerce_default_value(field)
        plan.append((name, field.out_name or name, coerce, nullable, required, default))
    out_type = type_.out_type

    def input_object(value: Any) -> Any:
        if not isinstance(value, dict):
            return Undefined
        for key, given in value.items():
            if given is not Undefined and key not in fields:
                return Undefined
        coerced: dict[str, Any] = {}
        for name, out_name, coerce, nullable, required, default in plan:
            given = value.get(name, Undefined)
            if given is Undefined:
                if required:
                    return Undefined
                if default is not Undefined:
                    coerced[out_name] = default
            elif given is None:
                if not nullable:
                    return Undefined
                coerced[out_name] = None
            else:
                done = coerce(given)
                if done is Undefined:
                    return Undefined
                coerced[out_name] = done
        return out_type(coerced)

    return input_object


_COMPILED: dict[int, tuple[GraphQLInputType, Coerce | None]] = {}


def _top(inner: Coerce, nullable: bool) -> Coerce:
    def coerce(value: Any) -> Any:
        if value is None or value is Undefined:
            return None if nullable else Undefined
        return inner(value)

    return coerce


def compiled(type_: GraphQLInputType) -> Coerce | None:
    """The compiled coercion of ``type_`` (None: recursive, left to graphql-core)."""
    found = _COMPILED.get(id(type_))
    if found is None or found[0] is not type_:
        try:
            inner, nullable = _compile(type_, frozenset())
            coerce: Coerce | None = _top(inner, nullable)
        except _Cyclic:
            coerce = None
        found = (type_, coerce)
        _COMPILED[id(type_)] = found
    return found[1]


def has_long_list(value: Any) -> bool:
    """Whether a JSON-like value holds a list longer than ``LONG`` anywhere."""
    stack = [value]
    while stack:
        current = stack.pop()
        if isinstance(current, list):
            if len(current) > LONG:
                return True
            stack.extend(current)
        elif isinstance(current, dict):
            stack.extend(current.values())
    return False


def cut_lists(value: Any) -> Any:
    """The value with every list cut to its first item (what graphql-core then checks)."""
    if isinstance(value, list):
        return [cut_lists(v) for v in value[:1]]
    if isinstance(value, dict):
        return {k: cut_lists(v) for k, v in value.items()}
    return value


@dataclass(frozen=True, slots=True)
class Precoerced:
    cut: dict[str, Any]
    """The raw variables with long lists cut, for graphql-core to build the executor."""
    full: dict[str, Any]
    """Raw values of the variables coerced here, by name."""
    coerced: dict[str, Any]
    """Their coerced values."""


def precoerce(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    raw: Mapping[str, Any] | None,
) -> Precoerced | None:
    """The variables holding long lists, coerced; None when none does or any of them
    does not coerce (graphql-core then does it all, errors included)."""
    if not raw:
        return None
    operation = chosen_operation(document, operation_name)
    if operation is None:
        return None
    full: dict[str, Any] = {}
    coerced: dict[str, Any] = {}
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        value = raw.get(name, Undefined)
        if value is Undefined or value is None or not has_long_list(value):
            continue
        type_ = type_from_ast(schema, definition.type)
        coerce = None if type_ is None else compiled(type_)  # type: ignore[arg-type]
        if coerce is None:
            return None
        done = coerce(value)
        if done is Undefined:
            return None
        full[name], coerced[name] = value, done
    if not coerced:
        return None
    cut = dict(raw)
    for name, value in full.items():
        cut[name] = cut_lists(value)
    return Precoerced(cut=cut, full=full, coerced=coerced)
