"""Which fields a query selects below the current one.

A list resolver attaches the related objects its items need (their province, their
indicator) in one batch, so that the items are plain data the fast list path
(``schema.fast_lists``) can complete without a resolver per row. It loads a relation
only when the query selects a field of that name somewhere below: never a statement
for a relation nobody asked for.
"""

from __future__ import annotations

from collections.abc import Iterable

from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection

from schema.context import Info


def _names(selections: Iterable[Selection], found: set[str]) -> None:
    for selection in selections:
        if isinstance(selection, SelectedField):
            found.add(selection.name)
        if isinstance(selection, SelectedField | FragmentSpread | InlineFragment):
            _names(selection.selections, found)


def selected_names(info: Info) -> frozenset[str]:
    """Every field name selected anywhere below the field being resolved."""
    found: set[str] = set()
    for field in info.selected_fields:
        _names(field.selections, found)
    return frozenset(found)
