"""strawberry's GraphQL names, each worked out once.

strawberry converts the Python name of every argument of a field (a regular expression,
``to_camel_case``) each time the field is resolved, to match the arguments graphql-core
hands over: for a ranking's four arguments that was ~1.5 % of the request's CPU. The
conversion depends only on the name and the converter's setting, so it is remembered.
"""

from __future__ import annotations

from strawberry.schema.name_converter import NameConverter


class RememberedNames(NameConverter):
    """strawberry's name converter, remembering each name it converted."""

    def __init__(self, auto_camel_case: bool = True) -> None:
        super().__init__(auto_camel_case=auto_camel_case)
        self._converted: dict[tuple[bool, str], str] = {}

    def apply_naming_config(self, name: str) -> str:
        key = (self.auto_camel_case, name)
        found = self._converted.get(key)
        if found is None:
            found = self._converted[key] = super().apply_naming_config(name)
        return found
