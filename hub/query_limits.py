"""Bounds on what one GraphQL document may ask for, checked before anything runs.

Depth (nested selections), aliases (the same field asked many times) and cost: every
field costs 1, and a field that returns a list multiplies what is selected under it
by the list's size, taken from its ``first`` argument where it has one, else from a
documented estimate. Each bound has its own error code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
)

ROOT_LIST_ESTIMATE = 100
"""The assumed length of a root list without ``first`` (provinces: 63, plans: dozens)."""
NESTED_LIST_ESTIMATE = 10
"""The assumed length of a relation list (a plan's targets, a figure's dimensions)."""
PAGE_FIELDS = frozenset({"edges", "nodes"})


@dataclass(frozen=True, slots=True)
class QueryLimits:
    max_depth: int = 12
    max_aliases: int = 30
    max_cost: int = 100_000
    max_page: int = 1000


@dataclass
class _Measure:
    depth: int = 0
    aliases: int = 0


def _unwrap(kind: GraphQLOutputType) -> tuple[GraphQLOutputType, bool]:
    is_list = False
    while isinstance(kind, GraphQLNonNull | GraphQLList):
        if isinstance(kind, GraphQLList):
            is_list = True
        kind = kind.of_type
    return kind, is_list


def _page_size(node: FieldNode, limits: QueryLimits) -> int | None:
    """The ``first`` argument of a field, if it has one (a variable counts as the most)."""
    for argument in node.arguments or ():
        if argument.name.value == "first":
            if isinstance(argument.value, IntValueNode):
                return max(0, min(int(argument.value.value), limits.max_page))
            return limits.max_page
    return None


def _cost(
    selection_set: SelectionSetNode | None,
    parent: GraphQLOutputType,
    fragments: dict[str, FragmentDefinitionNode],
    limits: QueryLimits,
    measure: _Measure,
    depth: int,
    seen: frozenset[str],
    page: int | None = None,
) -> int:
    """Cost of a selection set; ``page`` is the ``first`` of the connection above, which
    sizes its ``edges`` and ``nodes``."""
    if selection_set is None:
        return 0
    measure.depth = max(measure.depth, depth)
    total = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            if selection.alias is not None:
                measure.aliases += 1
            owner, _ = _unwrap(parent)
            field = (
                owner.fields.get(selection.name.value)
                if isinstance(owner, GraphQLObjectType)
                else None
            )
            if field is None:
                total += 1
                continue
            kind, is_list = _unwrap(field.type)
            first = _page_size(selection, limits)
            below = _cost(
                selection.selection_set, kind, fragments, limits, measure, depth + 1, seen, first
            )
            if not is_list:
                total += 1 + below
                continue
            if first is not None:
                size = first
            elif page is not None and selection.name.value in PAGE_FIELDS:
                size = page
            else:
                size = ROOT_LIST_ESTIMATE if depth == 1 else NESTED_LIST_ESTIMATE
            total += 1 + below * size
        elif isinstance(selection, InlineFragmentNode):
            total += _cost(selection.selection_set, parent, fragments, limits, measure, depth, seen)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name in fragments and name not in seen:
                total += _cost(
                    fragments[name].selection_set,
                    parent,
                    fragments,
                    limits,
                    measure,
                    depth,
                    seen | {name},
                    page,
                )
    return total


def limits_rule(limits: QueryLimits) -> type[ValidationRule]:
    """A validation rule enforcing ``limits`` on every operation of a document."""

    class QueryLimitsRule(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            self.schema: GraphQLSchema = context.schema
            self.fragments = {
                d.name.value: d
                for d in context.document.definitions
                if isinstance(d, FragmentDefinitionNode)
            }

        def enter_operation_definition(self, node: OperationDefinitionNode, *_args: object) -> None:
            root = self.schema.get_root_type(node.operation)
            if root is None:
                return
            measure = _Measure()
            cost = _cost(node.selection_set, root, self.fragments, limits, measure, 1, frozenset())
            report: Callable[[GraphQLError], None] = self.report_error
            if measure.depth > limits.max_depth:
                report(
                    _error(
                        f"The query is {measure.depth} levels deep; at most "
                        f"{limits.max_depth} are allowed",
                        "DEPTH_LIMIT_EXCEEDED",
                        node,
                    )
                )
            if measure.aliases > limits.max_aliases:
                report(
                    _error(
                        f"The query uses {measure.aliases} aliases; at most "
                        f"{limits.max_aliases} are allowed",
                        "ALIAS_LIMIT_EXCEEDED",
                        node,
                    )
                )
            if cost > limits.max_cost:
                report(
                    _error(
                        f"The query would cost {cost} (fields × list sizes); at most "
                        f"{limits.max_cost} is allowed",
                        "COST_LIMIT_EXCEEDED",
                        node,
                    )
                )

    return QueryLimitsRule


def _error(message: str, code: str, node: OperationDefinitionNode) -> GraphQLError:
    return GraphQLError(message, nodes=[node], extensions={"code": code})


def measure(
    document: Any, schema: GraphQLSchema, limits: QueryLimits, operation_name: str | None = None
) -> int:
    """The cost of the operation ``operation_name`` (or the only one) of a parsed document."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    for node in document.definitions:
        if not isinstance(node, OperationDefinitionNode):
            continue
        if operation_name is not None and (node.name is None or node.name.value != operation_name):
            continue
        root = schema.get_root_type(node.operation)
        if root is not None:
            return _cost(node.selection_set, root, fragments, limits, _Measure(), 1, frozenset())
    return 0
