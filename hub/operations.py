"""What kind of operation a GraphQL request runs, parsed once per distinct text."""

from __future__ import annotations

from functools import lru_cache

from graphql import DocumentNode, GraphQLSyntaxError, OperationDefinitionNode, parse


@lru_cache(maxsize=512)
def operation_type(query: str, operation_name: str | None) -> str | None:
    """ "query", "mutation" or "subscription" for the operation to run; None if unclear."""
    try:
        document = parse(query)
    except GraphQLSyntaxError:
        return None
    operation = chosen_operation(document, operation_name)
    return None if operation is None else operation.operation.value


def chosen_operation(
    document: DocumentNode, operation_name: str | None
) -> OperationDefinitionNode | None:
    """The operation a request runs: the named one, or the only one; None if unclear."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is not None:
        operations = [o for o in operations if o.name and o.name.value == operation_name]
    return operations[0] if len(operations) == 1 else None
