"""Answer query documents without strawberry's per-request pipeline.

For every query strawberry runs a pipeline of schema extensions around graphql-core's
executor: parser and validation caches, the token limit, the query limits, the
operation span, error masking; then graphql-core collects the root fields and
completes every object field by field. For a national ranking (63 entries) that
pipeline and orchestration cost more CPU than the resolver and its SQL together.

Here a document is checked once, exactly as strawberry checks it (the same parser and
token limit, the same validation rules), and compiled: its root fields collected, and
the whole selection below each root field turned into one completion
(``schema.fast_lists``) where every field under it is plain. A request for a compiled
document then does only what varies: its variables are coerced and its root resolvers
called by graphql-core's own executor (``Executor.build``, ``build_resolve_info``,
argument values), and their results completed.

The answers are graphql-core's by construction: the resolvers are the schema's own,
called as graphql-core calls them; a value the compiled completion cannot answer goes
to graphql-core's ``complete_value``; an error is located by graphql-core's own
``handle_field_error``, and a result with errors is handed to strawberry's pipeline
to finish (masking, logging, codes) with execution skipped (``PrecomputedResult``).
Only queries without directives take this path (``@skip``/``@include`` make the
collected fields depend on the variables); mutations, subscriptions, introspection and
anything that does not parse or validate go to strawberry untouched.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    ASTValidationRule,
    DocumentNode,
    ExecutionResult,
    FieldNode,
    GraphQLError,
    GraphQLField,
    GraphQLObjectType,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    parse,
    specified_rules,
)
from graphql.execution.collect_fields import FieldDetailsList, collect_fields
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path, gather_with_cancel
from strawberry.execution import optimized_is_awaitable
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from hub.operations import chosen_operation
from schema.completions import Complete, Fallback
from schema.fast_lists import FastListExecutionContext, has_directives


@dataclass(frozen=True, slots=True)
class RootField:
    """One root field of a compiled document."""

    key: str
    """Its response key (the alias, or the field's name)."""
    definition: GraphQLField | None
    """None for ``__typename``."""
    details: FieldDetailsList
    nodes: list[FieldNode]
    complete: Complete | None
    """The whole selection below it in one completion; None where graphql-core completes."""


@dataclass(frozen=True, slots=True)
class CompiledOperation:
    """A query document checked and compiled once, shared by every request that sends it."""

    document: DocumentNode
    operation: OperationDefinitionNode
    name: str | None
    """The operation's name as strawberry reports it (for logs and traces)."""
    root_type: GraphQLObjectType
    fields: tuple[RootField, ...]


class _Retry:
    """The document compiles, but not with this request's variables: try again later."""


RETRY = _Retry()


class CompiledOperations:
    """The compiled documents of recent requests, least recent dropped beyond ``size``."""

    def __init__(
        self,
        schema: GraphQLSchema,
        *,
        rules: tuple[type[ASTValidationRule], ...],
        max_tokens: int,
        size: int = 256,
    ) -> None:
        self.schema = schema
        self.rules = (*specified_rules, *rules)
        self.max_tokens = max_tokens
        self.size = size
        self._known: OrderedDict[tuple[str, str | None], CompiledOperation | None] = OrderedDict()

    def lookup(
        self, query: str, operation_name: str | None, variables: Mapping[str, Any] | None
    ) -> CompiledOperation | None:
        """The compiled document, or None: strawberry answers this request."""
        key = (query, operation_name)
        known = self._known
        if key in known:
            known.move_to_end(key)
            return known[key]
        compiled = self._compile(query, operation_name, variables)
        if isinstance(compiled, _Retry):
            return None
        known[key] = compiled
        if len(known) > self.size:
            known.popitem(last=False)
        return compiled

    def _compile(
        self, query: str, operation_name: str | None, variables: Mapping[str, Any] | None
    ) -> CompiledOperation | _Retry | None:
        try:
            document = parse(query, max_tokens=self.max_tokens)
        except GraphQLError:
            return None
        if validate_document(self.schema, document, self.rules):
            return None
        operation = chosen_operation(document, operation_name)
        if operation is None or operation.operation is not OperationType.QUERY:
            return None
        if has_directives(document.definitions):
            return None
        executor = _executor(self.schema, document, None, variables, operation_name)
        if isinstance(executor, list):  # these variables do not coerce; strawberry says why
            return RETRY
        root_type = self.schema.query_type
        assert root_type is not None
        grouped = collect_fields(
            self.schema, executor.fragments, executor.variable_values, root_type, operation
        ).grouped_field_set
        fields: list[RootField] = []
        for key, details in grouped.items():
            if any(d.defer_usage or d.fragment_variable_values for d in details):
                return None
            nodes = [d.node for d in details]
            name = nodes[0].name.value
            if name == "__typename":
                fields.append(RootField(key, None, details, nodes, None))
                continue
            definition = root_type.fields.get(name)
            if definition is None:  # __schema, __type: introspection stays strawberry's
                return None
            complete = executor.completion(definition.type, details)
            fields.append(RootField(key, definition, details, nodes, complete))
        return CompiledOperation(
            document, operation, _reported_name(document, operation_name), root_type, tuple(fields)
        )

    def prepare(
        self,
        compiled: CompiledOperation,
        context: Any,
        variables: Mapping[str, Any] | None,
        operation_name: str | None,
    ) -> FastListExecutionContext | None:
        """graphql-core's executor for one request, or None when its variables do not
        coerce (strawberry then answers, with graphql-core's errors)."""
        executor = _executor(self.schema, compiled.document, context, variables, operation_name)
        return None if isinstance(executor, list) else executor

    async def execute(
        self, compiled: CompiledOperation, executor: FastListExecutionContext
    ) -> ExecutionResult:
        """The operation's result, as graphql-core's ``execute_operation`` would give it."""
        fields = compiled.fields
        try:
            if len(fields) == 1:
                values = [await _resolve(executor, compiled.root_type, fields[0])]
            else:
                values = await gather_with_cancel(
                    *(_resolve(executor, compiled.root_type, field) for field in fields)
                )
            data: dict[str, Any] | None = {
                field.key: value for field, value in zip(fields, values, strict=True)
            }
        except GraphQLError as error:  # a non-null root field failed: no data at all
            executor.collected_errors.add(error, None)
            data = None
        result = executor.build_response(data)
        assert isinstance(result, ExecutionResult)
        return result


def _executor(
    schema: GraphQLSchema,
    document: DocumentNode,
    context: Any,
    variables: Mapping[str, Any] | None,
    operation_name: str | None,
) -> FastListExecutionContext | list[GraphQLError]:
    built = FastListExecutionContext.build(
        schema,
        document,
        None,
        context,
        dict(variables) if variables is not None else None,
        operation_name,
        is_awaitable=optimized_is_awaitable,
    )
    assert isinstance(built, FastListExecutionContext | list)
    return built


async def _resolve(
    executor: FastListExecutionContext, root_type: GraphQLObjectType, field: RootField
) -> Any:
    """One root field resolved and completed, as graphql-core's ``execute_field`` does."""
    definition = field.definition
    if definition is None:
        return root_type.name
    path = Path(None, field.key, root_type.name)
    info = executor.build_resolve_info(definition, field.nodes, root_type, path)
    try:
        node = field.nodes[0]
        args = (
            get_argument_values(definition, node, executor.variable_values)
            if definition.args or node.arguments
            else {}
        )
        resolve = definition.resolve or executor.field_resolver
        result = resolve(None, info, **args)
        if executor.is_awaitable(result):
            result = await result
        if field.complete is not None:
            try:
                return field.complete(result)
            except (Fallback, AttributeError):
                pass  # graphql-core completes it, and reports what it must
        completed = executor.complete_value(
            definition.type, field.details, info, path, result, None
        )
        if executor.is_awaitable(completed):
            completed = await completed
        return completed
    except Exception as raw_error:
        executor.handle_field_error(raw_error, definition.type, field.details, path)
        return None


def _reported_name(document: DocumentNode, given: str | None) -> str | None:
    """strawberry's operation name: the one given, else the first operation's own."""
    if given is not None:
        return given
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            return definition.name.value if definition.name else None
    return None


class PrecomputedResult(SchemaExtension):
    """Finish a compiled document's result in strawberry's pipeline without running it
    again: the result (with its errors) replaces execution, and everything after
    execution (masking, logging, codes, extensions) happens as for any operation."""

    def on_execute(self) -> Iterator[None]:
        found = getattr(self.execution_context.context, "precomputed", None)
        if found is not None:
            self.execution_context.result = found
        yield
