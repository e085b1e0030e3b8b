"""What kind of operation a GraphQL request runs, parsed once per distinct text."""

from __future__ import annotations

from functools import lru_cache

from graphql import GraphQLSyntaxError, OperationDefinitionNode, parse


@lru_cache(maxsize=512)
def operation_type(query: str, operation_name: str | None) -> str | None:
    """ "query", "mutation" or "subscription" for the operation to run; None if unclear."""
    try:
        document = parse(query)
    except GraphQLSyntaxError:
        return None
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is not None:
        operations = [o for o in operations if o.name and o.name.value == operation_name]
    if len(operations) != 1:
        return None
    return operations[0].operation.value
