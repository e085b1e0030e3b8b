"""Complete lists of plain objects without graphql-core's per-field machinery.

graphql-core executes every field of every list item on its own: resolve info, a
resolver call, awaitable checks, path bookkeeping, about 9 µs a field here. For the
hub's long lists (ranking entries, comparison cells, a page of 1,000 observations)
that is most of a request. Most of those fields are *basic*: strawberry fields with
no resolver, no permission and no arguments, whose value is an attribute of the
item. When every field a query selects under a list is basic (recursively, through
nested objects and lists), this execution context compiles the selection once per
request into a small tree of closures and builds the answer for the whole list in a
tight loop, calling each type's own ``coerce_output_value``.

The result is exactly what graphql-core would produce: fields are collected by
graphql-core itself (fragments, aliases, ``@skip``/``@include``), values go through
the same output coercion. Anything the fast path does not handle (a field with a
resolver or arguments, an abstract type, ``@defer``/``@stream``, a null where the
schema says non-null, a value of an unexpected type, a serializer that refuses) makes
it give the list back to graphql-core untouched, which then reports errors as usual.
With per-field middleware (``HUB_TRACE_FIELDS``) it stays off, so every field keeps
its span.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable
from inspect import isawaitable
from typing import Any, TypeVar

from graphql import (
    BREAK,
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLField,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLString,
    Node,
    OperationDefinitionNode,
    Undefined,
    Visitor,
    visit,
)
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import AwaitableOrValue, Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter

from schema.completions import (
    Complete,
    Fallback,
    Field,
    Leaf,
    ListOf,
    ObjectOf,
    Plan,
    function,
)
from schema.fast_variables import precoerce

_BACKREF = GraphQLCoreConverter.DEFINITION_BACKREF


class _NotPrefetched:
    def __repr__(self) -> str:
        return "NOT_PREFETCHED"


NOT_PREFETCHED: Any = _NotPrefetched()
"""The default of a prefetch slot: its relation was not loaded in advance."""

F = TypeVar("F", bound=Callable[..., Any])


def prefetched(slot: str) -> Callable[[F], F]:
    """Mark a resolver whose value a list resolver may have loaded in advance into the
    attribute ``slot`` (``NOT_PREFETCHED`` otherwise). The fast path reads the slot and
    falls back to graphql-core where it is empty; the resolver itself must return the
    slot's value when it is set, so that both paths agree."""

    def mark(resolver: F) -> F:
        resolver.__hub_prefetched__ = slot  # type: ignore[attr-defined]
        return resolver

    return mark


def _prefetched(value: Any) -> Any:
    if value is NOT_PREFETCHED:
        raise Fallback
    return value


def _leaf(coerce: Callable[[Any], Any], nullable: bool) -> Complete:
    def complete(value: Any) -> Any:
        if value is None:
            if nullable:
                return None
            raise Fallback
        try:
            coerced = coerce(value)
        except Exception:
            raise Fallback from None
        if coerced is None or coerced is Undefined:
            raise Fallback
        return coerced

    return complete


def _scalar(named: GraphQLScalarType | GraphQLEnumType, nullable: bool) -> Leaf:
    """A leaf's completion, answering the common case (a value already of the type the
    answer needs) without the serializer, which still handles everything else."""
    slow = _leaf(named.coerce_output_value, nullable)
    if isinstance(named, GraphQLEnumType):
        wrapped = getattr(named, "wrapped_cls", None)
        if wrapped is None:
            return Leaf(slow, None)
        names = {value.value: name for name, value in named.values.items()}

        def enum(value: Any) -> Any:
            if type(value) is wrapped:
                found = names.get(value.value)
                if found is not None:
                    return found
            return slow(value)

        return Leaf(enum, None)
    if named is GraphQLString or named is GraphQLID:
        return Leaf(slow, "str")
    if named is GraphQLBoolean:
        return Leaf(slow, "bool")
    if named is GraphQLInt:
        return Leaf(slow, "int")
    if named is GraphQLFloat:
        return Leaf(slow, "float")
    return Leaf(slow, None)


_SHARED_PLANS: OrderedDict[tuple[int, ...], tuple[list[Any], Complete | None]] = OrderedDict()
"""Compiled list plans of recent documents, shared by requests (least recent dropped)."""
_SHARED_PLANS_MAX = 2048
_DIRECTIVE_FREE: OrderedDict[int, tuple[Any, bool]] = OrderedDict()


def has_directives(nodes: Iterable[Node]) -> bool:
    """Whether any of these nodes (an operation, fragments) carries a directive anywhere."""
    found = False

    class Finder(Visitor):
        def enter_directive(self, *_args: Any) -> Any:
            nonlocal found
            found = True
            return BREAK

    for node in nodes:
        visit(node, Finder())
        if found:
            return True
    return False


def _without_directives(
    operation: OperationDefinitionNode, fragments: dict[str, FragmentDefinitionNode]
) -> bool:
    """Whether neither the operation nor any fragment carries a directive (memoised per
    operation node, which the parser cache keeps for the same document)."""
    found = _DIRECTIVE_FREE.get(id(operation))
    if found is not None and found[0] is operation:
        return found[1]
    free = not has_directives((operation, *fragments.values()))
    _DIRECTIVE_FREE[id(operation)] = (operation, free)
    if len(_DIRECTIVE_FREE) > _SHARED_PLANS_MAX:
        _DIRECTIVE_FREE.popitem(last=False)
    return free


class FastListExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context with the plain-list fast path."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plans: dict[tuple[int, int], tuple[FieldDetailsList, Complete | None]] = {}
        manager = self.middleware_manager
        self._fast = manager is None or not manager.middlewares

    @classmethod
    def build(
        cls,
        schema: GraphQLSchema,
        document: DocumentNode,
        root_value: Any = None,
        context_value: Any = None,
        raw_variable_values: dict[str, Any] | None = None,
        operation_name: str | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        """graphql-core's build, with variables that hold long lists coerced by
        ``schema.fast_variables`` (graphql-core still checks them, cut short)."""
        early = precoerce(schema, document, operation_name, raw_variable_values)
        if early is not None:
            built = super().build(
                schema, document, root_value, context_value, early.cut, operation_name,
                *args, **kwargs,
            )  # fmt: skip
            if isinstance(built, FastListExecutionContext):
                built._release_variables = True
                values = built.variable_values
                for name, coerced in early.coerced.items():
                    values.coerced[name] = coerced
                    source = values.sources.get(name)
                    if source is not None:
                        values.sources[name] = source._replace(value=early.full[name])
                return built
        return super().build(
            schema, document, root_value, context_value, raw_variable_values, operation_name,
            *args, **kwargs,
        )  # fmt: skip

    _release_variables = False
    """Whether the coerced variables are let go of as soon as the operation ends."""

    def execute_operation(self, *args: Any, **kwargs: Any) -> Any:
        """graphql-core's, then, for variables coerced here, the values let go of.

        The context refers to itself (bound methods it keeps), so whatever it holds is
        freed only by the cycle collector: a 10,000-figure batch left ~52,000 objects
        (its items and their breakdowns' tuples) for the collection that follows the
        request, ~20 ms of walking. Emptied when the operation ends, they are freed at
        once by reference counting."""
        result = super().execute_operation(*args, **kwargs)
        if self._release_variables and isawaitable(result):
            return self._released_after(result)
        return result

    async def _released_after(self, result: Awaitable[Any]) -> Any:
        try:
            return await result
        finally:
            self.variable_values.coerced.clear()
            self.variable_values.sources.clear()

    def complete_list_value(
        self,
        return_type: GraphQLList[GraphQLOutputType],
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        result: Any,
        position_context: Any,
    ) -> AwaitableOrValue[list[Any]]:
        if self._fast and isinstance(result, list) and result:
            plan = self._plan(return_type.of_type, field_details_list)
            if plan is not None and self.get_stream_usage(field_details_list, path) is None:
                try:
                    return [plan(item) for item in result]
                except (Fallback, AttributeError):
                    pass
        return super().complete_list_value(
            return_type, field_details_list, info, path, result, position_context
        )

    def _plan(self, item_type: GraphQLOutputType, details: FieldDetailsList) -> Complete | None:
        key = (id(item_type), id(details))
        cached = self._plans.get(key)
        if cached is None:
            shared_key = self._shared_key(item_type, details)
            found = None if shared_key is None else _SHARED_PLANS.get(shared_key)
            if found is not None:
                _SHARED_PLANS.move_to_end(shared_key)  # type: ignore[arg-type]
                plan = found[1]
            else:
                compiled = self._compile(item_type, details)
                plan = None if compiled is None else function(compiled)
                if shared_key is not None:
                    # The nodes are kept with the plan, so that their ids stay theirs.
                    _SHARED_PLANS[shared_key] = ([d.node for d in details], plan)
                    if len(_SHARED_PLANS) > _SHARED_PLANS_MAX:
                        _SHARED_PLANS.popitem(last=False)
            # Keep ``details`` alive with its plan so that its id cannot be reused.
            cached = (details, plan)
            self._plans[key] = cached
        return cached[1]

    def _shared_key(
        self, item_type: GraphQLOutputType, details: FieldDetailsList
    ) -> tuple[int, ...] | None:
        """A key valid across requests: the list's type and its field nodes, which come
        from the parser cache's document. Only where nothing depends on the request's
        variables: a document without any directive (``@skip``/``@include`` decide what
        is collected) and without fragment variables."""
        if not _without_directives(self.operation, self.fragment_definitions):
            return None
        if any(d.fragment_variable_values for d in details):
            return None
        return (id(item_type), *(id(d.node) for d in details))

    def completion(self, type_: GraphQLOutputType, details: FieldDetailsList) -> Complete | None:
        """The completion of a value of ``type_`` selected by ``details``, or None where a
        field below needs graphql-core. It depends only on the document (never on this
        request's variables) when the document has no directive."""
        plan = self._compile(type_, details)
        return None if plan is None else function(plan)

    def _compile(self, type_: GraphQLOutputType, details: FieldDetailsList) -> Plan | None:
        nullable = not isinstance(type_, GraphQLNonNull)
        named = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
        if isinstance(named, GraphQLScalarType | GraphQLEnumType):
            return _scalar(named, nullable)
        if isinstance(named, GraphQLList):
            item = self._compile(named.of_type, details)
            return None if item is None else ListOf(item, nullable)
        if isinstance(named, GraphQLObjectType):
            return self._compile_object(named, details, nullable)
        return None  # interfaces and unions: graphql-core resolves the concrete type

    def _compile_object(
        self, object_type: GraphQLObjectType, details: FieldDetailsList, nullable: bool
    ) -> ObjectOf | None:
        definition = object_type.extensions.get(_BACKREF)
        origin = getattr(definition, "origin", None)
        if origin is None:
            return None
        grouped, new_defer_usages, _forbidden = self.collect_subfields(object_type, details)
        if new_defer_usages:
            return None
        fields: list[Field] = []
        for response_key, field_details in grouped.items():
            if any(d.defer_usage or d.fragment_variable_values for d in field_details):
                return None
            node = field_details[0].node
            name = node.name.value
            if name == "__typename":
                fields.append(Field(response_key, None, None, constant=object_type.name))
                continue
            field_def = object_type.fields.get(name)
            if field_def is None or any(d.node.arguments for d in field_details):
                return None
            attr, slot = _attribute(field_def)
            if attr is None:
                return None  # a resolver of its own, permissions or field extensions
            plan = self._compile(field_def.type, field_details)
            if plan is None:
                return None
            prefetch = _prefetched if slot else None
            fields.append(Field(response_key, attr, plan, prefetch=prefetch))
        return ObjectOf(origin, tuple(fields), nullable)


def _attribute(field_def: GraphQLField) -> tuple[str | None, bool]:
    """The attribute holding the field's value, and whether it is a prefetch slot."""
    field = field_def.extensions.get(_BACKREF)
    if getattr(field_def.resolve, "_is_default", False):
        return getattr(field, "python_name", None), False
    resolver = getattr(field, "base_resolver", None)
    slot = getattr(getattr(resolver, "wrapped_func", None), "__hub_prefetched__", None)
    if slot is None or field.extensions or field.arguments:  # type: ignore[union-attr]
        return None, False
    return slot, True
