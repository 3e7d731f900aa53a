"""JSON logs with the request and trace ids, and spans sent as OTLP/HTTP JSON (observability.py)."""

from __future__ import annotations

import io
import json
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any, ClassVar

import httpx
import pytest
from opentelemetry import propagate
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.trace import SpanKind
from starlette.types import Receive, Scope, Send

from supergraph_ai.observability import JsonFormatter, OtlpJsonExporter, TracingMiddleware

TRACE_ID = "0af7651916cd43dd8448eb211c80319c"
PARENT_SPAN_ID = "b7ad6b7169203331"
TRACEPARENT = f"00-{TRACE_ID}-{PARENT_SPAN_ID}-01"


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("observability-test")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield stream
    logger.removeHandler(handler)


async def test_a_request_logs_json_lines_with_its_request_id_and_the_callers_trace_id(log_lines: io.StringIO) -> None:
    async def graphql(scope: Scope, receive: Receive, send: Send) -> None:
        logging.getLogger("observability-test").warning("resolving %s", "leadScore")
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    app = TracingMiddleware(graphql)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://ai") as client:
        await client.post("/graphql", headers={"traceparent": TRACEPARENT, "x-request-id": "req-42"})
    logging.getLogger("observability-test").info("between requests")

    inside, outside = (json.loads(line) for line in log_lines.getvalue().splitlines())
    assert inside == {
        "time": inside["time"],
        "level": "warn",
        "service": "ai",
        "logger": "observability-test",
        "msg": "resolving leadScore",
        "requestId": "req-42",
        "traceId": TRACE_ID,
    }
    assert inside["time"].endswith("Z")
    assert "requestId" not in outside
    assert "traceId" not in outside


class _Collector(BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[str, dict[str, Any]]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["content-length"]))
        self.received.append((self.path, json.loads(body)))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_spans_go_to_the_collector_as_otlp_json_under_the_callers_span() -> None:
    server = HTTPServer(("127.0.0.1", 0), _Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    provider = TracerProvider(resource=Resource.create({"service.name": "ai"}))
    exporter = OtlpJsonExporter(f"http://127.0.0.1:{server.server_address[1]}/v1/traces")
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    try:
        tracer = provider.get_tracer("supergraph")
        with tracer.start_as_current_span(
            "subgraph ai", context=propagate.extract({"traceparent": TRACEPARENT}), kind=SpanKind.SERVER
        ) as span:
            span.set_attribute("http.route", "/graphql")
    finally:
        provider.shutdown()
        server.shutdown()

    [(path, body)] = _Collector.received
    assert path == "/v1/traces"
    [resource_spans] = body["resourceSpans"]
    assert {"key": "service.name", "value": {"stringValue": "ai"}} in resource_spans["resource"]["attributes"]
    [exported] = resource_spans["scopeSpans"][0]["spans"]
    assert exported["traceId"] == TRACE_ID
    assert exported["parentSpanId"] == PARENT_SPAN_ID
    assert len(exported["spanId"]) == 16
    assert exported["name"] == "subgraph ai"
    assert exported["kind"] == 2  # OTLP's SPAN_KIND_SERVER
    assert int(exported["endTimeUnixNano"]) >= int(exported["startTimeUnixNano"]) > 0
    assert exported["attributes"] == [{"key": "http.route", "value": {"stringValue": "/graphql"}}]
