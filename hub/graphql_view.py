"""The GraphQL HTTP endpoint: strawberry's ASGI view, made to follow GraphQL over HTTP.

- ``Accept: application/graphql-response+json`` gets that media type, and a request
  that fails before execution (a document that does not parse or validate, variables
  that do not coerce) gets 400 without a ``data`` entry; ``application/json`` keeps the
  legacy 200.
- A POST without a Content-Type is refused with 415; ``operationName`` and
  ``extensions`` of the wrong type with 400.
- Queries may use GET; mutations never (strawberry answers 405).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

from hub import json_codec
from hub.auth import pending_provinces_for
from hub.db import reader
from hub.observations import Visibility
from hub.operations import operation_type
from hub.query_limits import QueryLimits
from hub.reference import ReferenceCache, RequestReference
from hub.settings import Settings
from loaders import create_loaders
from schema import build_schema
from schema.build import document_rules
from schema.compiled_operations import CompiledOperations
from schema.context import HubContext
from schema.errors import code_of_request_error
from schema.tracing import (
    describe_operation,
    operation_span,
    record_operation_name,
    trace_extensions,
)

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"


def negotiate(accept: str | None) -> str:
    """The media type to answer with: graphql-response+json when the client prefers it."""
    if not accept:
        return JSON
    best, best_q = JSON, -1.0
    for position, part in enumerate(accept.split(",")):
        media, *params = (p.strip() for p in part.split(";"))
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if media in {GRAPHQL_RESPONSE, JSON, "application/*", "*/*"} and q > 0:
            chosen = GRAPHQL_RESPONSE if media == GRAPHQL_RESPONSE else JSON
            # Equal weights: the first listed wins (position keeps the order stable).
            if q > best_q or (q == best_q and position == 0):
                best, best_q = chosen, q
    return best


def is_request_error(response: GraphQLHTTPResponse) -> bool:
    """Errors raised before execution carry no path and leave no data."""
    errors: list[dict[str, Any]] = list(response.get("errors") or [])  # type: ignore[arg-type]
    return (
        response.get("data") is None
        and bool(errors)
        and all(not error.get("path") for error in errors)
    )


def _bad_request(message: str, status: int = 400) -> Response:
    return JSONResponse(
        {"errors": [{"message": message, "extensions": {"code": "BAD_REQUEST"}}]},
        status_code=status,
    )


class HubGraphQL(GraphQL[HubContext, None]):
    """Strawberry's ASGI view with the hub's context and GraphQL-over-HTTP behaviour."""

    def __init__(self, *, engine: AsyncEngine, settings: Settings) -> None:
        limits = QueryLimits(
            max_depth=settings.max_depth,
            max_aliases=settings.max_aliases,
            max_cost=settings.max_cost,
            max_page=settings.max_page_size,
        )
        schema = build_schema(
            limits, max_tokens=settings.max_tokens, trace_fields=settings.trace_fields
        )
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.graphiql else None,
            allow_queries_via_get=True,
        )
        self.engine = engine
        self.reader = reader(engine)
        self.settings = settings
        self.reference_cache = ReferenceCache()
        # Per-field spans need graphql-core's per-field execution: no compiled documents.
        self.compiled = (
            CompiledOperations(
                schema._schema, rules=document_rules(limits), max_tokens=settings.max_tokens
            )
            if settings.compiled_operations and not settings.trace_fields
            else None
        )

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> HubContext:
        state = request.scope.get("state", {})
        principal = state.get("principal")
        visibility = Visibility(pending_provinces=pending_provinces_for(principal))
        reference = RequestReference(
            self.reference_cache, self.reader, version=state.get("data_version")
        )
        return HubContext(
            engine=self.engine,
            reader=self.reader,
            settings=self.settings,
            loaders=create_loaders(self.reader, visibility, reference),
            principal=principal,
            request=request,
            response=response,
            reference=reference,
            precomputed=state.get("precomputed"),
            operation_span=state.get("operation_span"),
        )

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        sub_response = await super().get_sub_response(request)
        sub_response.media_type = negotiate(request.headers.get("accept"))
        return sub_response

    async def run(  # type: ignore[override]
        self,
        request: Request | WebSocket,
        context: HubContext | None = None,
        root_value: Any = None,
    ) -> Response | WebSocket:
        if isinstance(request, Request):
            refused = await self._refuse_malformed(request)
            if refused is not None:
                return refused
            if self.compiled is not None and request.method == "POST":
                answered = await self._answer_compiled(request, self.compiled)
                if answered is not None:
                    return answered
        return await super().run(request)

    async def _answer_compiled(
        self, request: Request, compiled_operations: CompiledOperations
    ) -> Response | None:
        """The answer of a compiled document (``schema.compiled_operations``), or None
        when strawberry answers instead. A result with errors is finished by strawberry
        (masking, logging, codes) without running the operation again."""
        body = json_codec.loads_body(await request.body())
        query, name, variables = body.get("query"), body.get("operationName"), body.get("variables")
        if not isinstance(query, str) or body.get("extensions"):
            return None
        compiled = compiled_operations.lookup(query, name, variables)
        if compiled is None:
            return None
        sub_response = await self.get_sub_response(request)
        context = await self.get_context(request, response=sub_response)
        executor = compiled_operations.prepare(compiled, context, variables, name)
        if executor is None:
            return None
        with operation_span() as span:
            result = await compiled_operations.execute(compiled, executor)
            if result.errors:
                state = request.scope.setdefault("state", {})
                state["precomputed"], state["operation_span"] = result, span
                return await super().run(request)
            if span is not None:
                describe_operation(
                    span,
                    name=compiled.name,
                    operation_type="query",
                    document=compiled.document,
                    schema=compiled_operations.schema,
                    failed=False,
                )
        record_operation_name(request.scope, compiled.name)
        answer = ExecutionResult(data=result.data, errors=None, extensions=trace_extensions(span))
        return self.create_response(await self.process_result(request, answer), sub_response)

    async def _refuse_malformed(self, request: Request) -> Response | None:
        if request.method == "GET":
            body: Any = dict(request.query_params)
            try:
                for key in ("variables", "extensions"):
                    if key in body:
                        body[key] = json_codec.loads(body[key])
            except json_codec.DecodeError:
                return _bad_request("variables and extensions must be JSON objects")
        elif request.method == "POST":
            content_type = request.headers.get("content-type", "")
            if content_type.split(";")[0].strip() != JSON:
                return _bad_request("A POST carries application/json", 415)
            try:
                body = json_codec.loads_body(await request.body())
            except (json_codec.DecodeError, UnicodeDecodeError):
                return _bad_request("The body is not JSON")
        else:
            return None
        if not isinstance(body, dict):
            return _bad_request("The request is a JSON object")
        if request.method == "GET" and isinstance(body.get("query"), str):
            kind = operation_type(body["query"], body.get("operationName"))
            if kind == "mutation":
                refused = _bad_request("Mutations are sent with POST", 405)
                refused.headers["Allow"] = "POST"
                return refused
        name = body.get("operationName")
        if name is not None and not isinstance(name, str):
            return _bad_request("operationName must be a string")
        extensions = body.get("extensions")
        if extensions is not None and not isinstance(extensions, dict):
            return _bad_request("extensions must be an object")
        variables = body.get("variables")
        if variables is not None and not isinstance(variables, dict):
            return _bad_request("variables must be an object")
        return None

    def encode_json(self, data: object) -> bytes:
        return json_codec.dumps(data)

    def decode_json(self, data: str | bytes) -> object:
        # A POST body was already parsed by ``_refuse_malformed`` (and the result cache).
        return json_codec.loads_body(data) if isinstance(data, bytes) else json_codec.loads(data)

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        """Errors raised before execution (parse, tokens) get their code here: they never
        reach the schema's extensions."""
        response = await super().process_result(request, result)
        errors: list[dict[str, Any]] = list(response.get("errors") or [])  # type: ignore[arg-type]
        for error in errors:
            extensions = error.setdefault("extensions", {})
            extensions.setdefault("code", code_of_request_error(str(error.get("message", ""))))
        return response

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        media = sub_response.media_type or JSON
        status = sub_response.status_code or 200
        if (
            media == GRAPHQL_RESPONSE
            and isinstance(response_data, dict)
            and is_request_error(response_data)
        ):
            response_data = {k: v for k, v in response_data.items() if k != "data"}  # type: ignore[assignment]
            status = 400
        response = Response(
            self.encode_json(response_data),
            status_code=status,
            media_type=f"{media}; charset=utf-8",
        )
        response.headers.raw.extend(
            (k, v) for k, v in sub_response.headers.raw if k.lower() != b"content-type"
        )
        if sub_response.background:
            response.background = sub_response.background
        return response
