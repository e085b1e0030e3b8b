"""Tracing with OpenTelemetry: off unless the standard ``OTEL_*`` variables ask for it.

``OTEL_TRACES_EXPORTER`` picks the exporter: ``otlp`` (to ``OTEL_EXPORTER_OTLP_ENDPOINT``,
e.g. the Jaeger of docker-compose.yml), ``console``, or ``none`` (the default).
``OTEL_SERVICE_NAME`` names the service (default ``reporting-hub``).

Spans: one per GraphQL operation (name, type, cost), one per SQL statement, one per
DataLoader batch (keys and rows). Spans per resolved field only with
``HUB_TRACE_FIELDS=true``: wrapping every field multiplies the cost of large lists.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SimpleSpanProcessor,
    SpanExporter,
)
from opentelemetry.trace import Span, Tracer
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

_provider: TracerProvider | None = None
_tracer: Tracer = trace.NoOpTracer()


def tracer() -> Tracer:
    return _tracer


def enabled() -> bool:
    return _provider is not None


def configure(exporter: SpanExporter | None, *, batch: bool = True) -> TracerProvider | None:
    """Use ``exporter`` for the hub's spans (None: tracing off). Returns the provider."""
    global _provider, _tracer
    if exporter is None:
        _provider, _tracer = None, trace.NoOpTracer()
        return None
    resource = Resource.create(
        {"service.name": os.environ.get("OTEL_SERVICE_NAME", "reporting-hub")}
    )
    provider = TracerProvider(resource=resource)
    provider.add_span_processor(
        BatchSpanProcessor(exporter) if batch else SimpleSpanProcessor(exporter)
    )
    _provider, _tracer = provider, provider.get_tracer("hub")
    return provider


def configure_from_environment() -> None:
    """Pick the exporter from ``OTEL_TRACES_EXPORTER`` (otlp, console, none)."""
    choice = os.environ.get("OTEL_TRACES_EXPORTER", "none").strip().lower()
    if choice in {"", "none"}:
        configure(None)
    elif choice == "console":
        configure(ConsoleSpanExporter())
    elif choice == "otlp":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        configure(OTLPSpanExporter())
    else:
        raise ValueError(f"OTEL_TRACES_EXPORTER must be otlp, console or none, not {choice!r}")


@contextmanager
def span(name: str, **attributes: Any) -> Iterator[Span]:
    """A span around the block; with tracing off, a non-recording one that touches no
    context (the no-op tracer still attaches and detaches one, on every request)."""
    if _provider is None:
        yield trace.INVALID_SPAN
        return
    with _tracer.start_as_current_span(name, attributes=attributes) as current:
        yield current


def current_trace_id() -> str | None:
    """The current trace id as 32 hex digits, or None when nothing is traced."""
    context = trace.get_current_span().get_span_context()
    return format(context.trace_id, "032x") if context.is_valid else None


def instrument_engine(engine: AsyncEngine) -> None:
    """A span per SQL statement (the statement's first words, never its parameters)."""
    sync_engine = engine.sync_engine

    def before(conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        if not enabled():
            return
        operation = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else "SQL"
        current = _tracer.start_span(
            f"sql {operation}",
            attributes={
                "db.system": engine.dialect.name,
                "db.statement": statement[:1000],
            },
        )
        conn.info.setdefault("hub_spans", []).append(current)

    def after(conn: Any, cursor: Any, *_rest: Any) -> None:
        if conn.info.get("hub_spans"):
            rows = getattr(cursor, "rowcount", -1)
            end_statement_span(conn.info, rows=rows if isinstance(rows, int) else -1)

    def failed(context: Any) -> None:
        if context.connection is not None:
            end_statement_span(context.connection.info, failed=True)

    event.listen(sync_engine, "before_cursor_execute", before)
    event.listen(sync_engine, "after_cursor_execute", after)
    event.listen(sync_engine, "handle_error", failed)


def end_statement_span(
    connection_info: dict[str, Any], *, rows: int = -1, failed: bool = False
) -> None:
    """End the span of the statement the connection is running, if one was started; with
    an error status when it failed. ``hub.driver`` calls it for a statement that failed on
    the driver itself, where SQLAlchemy's error event never fires."""
    spans = connection_info.get("hub_spans")
    if not spans:
        return
    current = spans.pop()
    if rows >= 0:
        current.set_attribute("db.rows", rows)
    if failed:
        current.set_status(trace.Status(trace.StatusCode.ERROR))
    current.end()
