"""Spans, metrics and the per-request log line, observed through an in-memory exporter."""

import datetime
import json
import logging
import time

from tests.support.submissions import bearer, token_for

QUERY = """query Dashboard { provinces(asOf: "2021-12-31") { code successor { name } }
  observations(first: 5) { edges { node { value indicator { code } } } } }"""


async def test_a_request_is_traced_from_http_to_sql(client, spans):
    response = await client.post("/graphql", json={"query": QUERY})
    finished = {s.name: s for s in spans.get_finished_spans()}
    http = finished["HTTP POST /graphql"]
    operation = finished["graphql.operation"]
    assert operation.attributes["graphql.operation.name"] == "Dashboard"
    assert operation.attributes["graphql.operation.type"] == "query"
    assert operation.attributes["graphql.operation.cost"] > 0
    assert operation.parent.span_id == http.context.span_id
    batches = [s for s in spans.get_finished_spans() if s.name == "dataloader.batch"]
    loaders = {s.attributes["loader"] for s in batches}
    assert "ProvinceByCodeLoader" in loaders  # the successors; indicators: hub.reference
    assert all(s.attributes["keys"] >= 1 and "rows" in s.attributes for s in batches)
    sql = [s for s in spans.get_finished_spans() if s.name.startswith("sql ")]
    assert sql
    assert all(s.context.trace_id == http.context.trace_id for s in batches)
    trace_id = format(http.context.trace_id, "032x")
    assert response.json()["extensions"]["traceId"] == trace_id


async def test_no_trace_id_when_tracing_is_off(client):
    response = await client.post("/graphql", json={"query": "{ indicators { code } }"})
    assert "traceId" not in response.json().get("extensions", {})


async def test_one_json_log_line_per_request_without_the_token(client, engine, caplog):
    from hub.request_telemetry import JsonFormatter

    token = await token_for(engine, "83")
    with caplog.at_level(logging.INFO, logger="hub.access"):
        response = await client.post(
            "/graphql", json={"query": QUERY, "operationName": "Dashboard"}, headers=bearer(token)
        )
    records = [r for r in caplog.records if r.name == "hub.access"]
    assert len(records) == 1
    line = json.loads(JsonFormatter().format(records[0]))
    assert line["request_id"] == response.headers["x-request-id"]
    assert (line["operation"], line["status"], line["role"], line["province"]) == (
        "Dashboard",
        200,
        "PROVINCE",
        "83",
    )
    assert line["duration_ms"] >= 0
    assert token not in caplog.text


def test_a_log_line_is_json_with_its_own_second_unicode_and_any_value_as_text():
    from hub.request_telemetry import JsonFormatter

    formatter = JsonFormatter()

    def line(created: float, **fields: object) -> dict[str, object]:
        record = logging.LogRecord("hub.access", logging.INFO, "x", 1, "request", (), None)
        record.created = created
        record.fields = fields
        parsed: dict[str, object] = json.loads(formatter.format(record))
        return parsed

    first = line(1_700_000_000.2, province="Bến Tre", when=datetime.date(2025, 7, 1))
    assert first["province"] == "Bến Tre"
    assert first["when"] == "2025-07-01"
    same_second = line(1_700_000_000.9)
    next_second = line(1_700_000_001.0)
    assert first["time"] == same_second["time"] != next_second["time"]
    assert next_second["time"] == time.strftime(
        "%Y-%m-%dT%H:%M:%S%z", time.localtime(1_700_000_001)
    )
    assert "Bến Tre" in formatter.format(
        logging.makeLogRecord({"msg": "Bến Tre", "created": 1_700_000_002.0})
    )


async def test_metrics_count_requests_for_prometheus(client):
    await client.post("/graphql", json={"query": "{ indicators { code } }"})
    body = (await client.get("/metrics")).text
    assert 'hub_requests_total{method="POST",route="/graphql",status="200"}' in body
    assert "hub_request_duration_seconds_bucket" in body
