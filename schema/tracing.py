"""A span per GraphQL operation, and its trace id in the response's ``extensions``."""

from __future__ import annotations

from collections.abc import Iterator

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import Span
from strawberry.extensions import SchemaExtension

from hub import telemetry
from hub.query_limits import QueryLimits, measure


class OperationSpan(SchemaExtension):
    """Opens ``graphql.operation`` around parsing, validation and execution."""

    span: Span | None = None

    def on_operation(self) -> Iterator[None]:
        if not telemetry.enabled():
            yield
            self._record_operation_name()
            return
        self.span = telemetry.tracer().start_span("graphql.operation")
        token = otel_context.attach(trace.set_span_in_context(self.span))
        try:
            yield
        finally:
            ctx = self.execution_context
            self.span.set_attribute("graphql.operation.name", ctx.operation_name or "")
            operation_type = getattr(ctx, "operation_type", None)
            if operation_type is not None:
                self.span.set_attribute("graphql.operation.type", operation_type.value)
            if ctx.graphql_document is not None:
                cost = measure(
                    ctx.graphql_document, ctx.schema._schema, QueryLimits(), ctx.operation_name
                )
                self.span.set_attribute("graphql.operation.cost", cost)
            errors = ctx.result.errors if ctx.result is not None else None
            if errors:
                self.span.set_status(trace.Status(trace.StatusCode.ERROR))
            otel_context.detach(token)
            self.span.end()
            self._record_operation_name()

    def _record_operation_name(self) -> None:
        """For the request's log line (see ``hub.request_telemetry``)."""
        request = getattr(self.execution_context.context, "request", None)
        if request is not None:
            request.scope.setdefault("state", {})["operation_name"] = (
                self.execution_context.operation_name
            )

    def get_results(self) -> dict[str, object]:
        if self.span is None:
            return {}
        return {"traceId": format(self.span.get_span_context().trace_id, "032x")}
