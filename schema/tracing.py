"""A span per GraphQL operation, and its trace id in the response's ``extensions``.

Both ways of answering an operation open the same span: strawberry's pipeline through
the ``OperationSpan`` extension, compiled documents (``schema.compiled_operations``)
through ``operation_span`` itself. When a compiled document hands its result to
strawberry to finish (it holds errors), the span is already open: the extension then
describes that span instead of opening a second one.
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from typing import Any

from graphql import DocumentNode, GraphQLSchema
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import Span
from strawberry.extensions import SchemaExtension

from hub import telemetry
from hub.query_limits import QueryLimits, measure


@contextmanager
def operation_span() -> Iterator[Span | None]:
    """``graphql.operation`` around the block, current inside it; None when tracing is off."""
    if not telemetry.enabled():
        yield None
        return
    span = telemetry.tracer().start_span("graphql.operation")
    token = otel_context.attach(trace.set_span_in_context(span))
    try:
        yield span
    finally:
        otel_context.detach(token)
        span.end()


def describe_operation(
    span: Span,
    *,
    name: str | None,
    operation_type: str | None,
    document: DocumentNode | None,
    schema: GraphQLSchema,
    failed: bool,
) -> None:
    """The span's attributes: the operation's name, type and cost, and whether it failed."""
    span.set_attribute("graphql.operation.name", name or "")
    if operation_type is not None:
        span.set_attribute("graphql.operation.type", operation_type)
    if document is not None:
        span.set_attribute("graphql.operation.cost", measure(document, schema, QueryLimits(), name))
    if failed:
        span.set_status(trace.Status(trace.StatusCode.ERROR))


def trace_extensions(span: Span | None) -> dict[str, object]:
    """What a response's ``extensions`` carry about its trace."""
    if span is None:
        return {}
    return {"traceId": format(span.get_span_context().trace_id, "032x")}


class OperationSpan(SchemaExtension):
    """Opens ``graphql.operation`` around parsing, validation and execution."""

    span: Span | None = None

    def on_operation(self) -> Iterator[None]:
        opened = getattr(self.execution_context.context, "operation_span", None)
        if opened is not None:  # a compiled document's span, open around this run
            self.span = opened
            try:
                yield
            finally:
                self._describe()
                self._record_operation_name()
            return
        try:
            with operation_span() as span:
                self.span = span
                try:
                    yield
                finally:
                    self._describe()
        finally:
            self._record_operation_name()

    def _describe(self) -> None:
        if self.span is None:
            return
        ctx = self.execution_context
        operation_type = getattr(ctx, "operation_type", None)
        describe_operation(
            self.span,
            name=ctx.operation_name,
            operation_type=None if operation_type is None else operation_type.value,
            document=ctx.graphql_document,
            schema=ctx.schema._schema,
            failed=bool(ctx.result.errors if ctx.result is not None else None),
        )

    def _record_operation_name(self) -> None:
        """For the request's log line (see ``hub.request_telemetry``)."""
        request = getattr(self.execution_context.context, "request", None)
        if request is not None:
            record_operation_name(request.scope, self.execution_context.operation_name)

    def get_results(self) -> dict[str, object]:
        return trace_extensions(self.span)


def record_operation_name(scope: MutableMapping[str, Any], name: str | None) -> None:
    """Leave the operation's name for the request's log line (``hub.request_telemetry``)."""
    scope.setdefault("state", {})["operation_name"] = name
