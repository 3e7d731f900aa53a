"""JSON logs and OpenTelemetry traces, as the TypeScript services have them (packages/server logger.ts, tracing.ts).

- Logs: one JSON object per line on stdout: `time` (ISO 8601), `level` (a name), `service`, `msg`, and
  `requestId` and `traceId` while a request is being served, so a line joins the router's lines for the
  same request.
- Traces: each request continues the caller's W3C trace context (`traceparent`), in a server span
  `subgraph ai`; calls this subgraph makes carry it on (`inject_trace_headers`). With an OTLP endpoint
  configured (OTEL_EXPORTER_OTLP_ENDPOINT), spans go to `<endpoint>/v1/traces` as OTLP/HTTP JSON, the
  encoding the TypeScript services send (opentelemetry-sdk does the spans; the exporter below only encodes
  and posts them). Without one, the tracer is a no-op.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Mapping, MutableMapping, Sequence
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

import httpx
from opentelemetry import propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult
from opentelemetry.trace import SpanKind, StatusCode
from starlette.types import ASGIApp, Receive, Scope, Send

SERVICE = "ai"
REQUEST_ID_HEADER = "x-request-id"

_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
_LOG_LEVELS = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warn": logging.WARNING,
    "warning": logging.WARNING,
    "error": logging.ERROR,
}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": "warn" if record.levelno == logging.WARNING else record.levelname.lower(),
            "service": SERVICE,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        request_id = _request_id.get()
        if request_id:
            line["requestId"] = request_id
        span = trace.get_current_span().get_span_context()
        if span.is_valid:
            line["traceId"] = format(span.trace_id, "032x")
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def configure_logging(level: str | None) -> None:
    """JSON lines on stdout for every logger, uvicorn's included, at LOG_LEVEL (debug, info, warn, error)."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(_LOG_LEVELS.get((level or "info").lower(), logging.INFO))
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True


def start_tracing(endpoint: str) -> TracerProvider:
    """Exports this process's spans to `<endpoint>/v1/traces` from now on."""
    provider = TracerProvider(resource=Resource.create({"service.name": SERVICE}))
    provider.add_span_processor(BatchSpanProcessor(OtlpJsonExporter(f"{endpoint.rstrip('/')}/v1/traces")))
    trace.set_tracer_provider(provider)
    return provider


def inject_trace_headers(headers: MutableMapping[str, str]) -> MutableMapping[str, str]:
    """Adds `traceparent` (and `tracestate`) of the current span to outgoing headers."""
    propagate.inject(headers)
    return headers


class TracingMiddleware:
    """Serves each HTTP request in a server span continuing the caller's trace, with its request id in the logs."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        headers = {key.decode("latin-1"): value.decode("latin-1") for key, value in scope["headers"]}
        token = _request_id.set(headers.get(REQUEST_ID_HEADER))
        try:
            # Only GraphQL requests are traced: probes and scrapes would bury them.
            if scope.get("path") != "/graphql":
                await self._app(scope, receive, send)
                return
            with trace.get_tracer("supergraph").start_as_current_span(
                f"subgraph {SERVICE}",
                context=propagate.extract(headers),
                kind=SpanKind.SERVER,
                attributes={"http.route": "/graphql"},
            ):
                await self._app(scope, receive, send)
        finally:
            _request_id.reset(token)


class OtlpJsonExporter(SpanExporter):
    """OTLP/HTTP with JSON bodies (the protocol's JSON mapping: ids in hex, times as decimal strings)."""

    def __init__(self, url: str, timeout_seconds: float = 10.0) -> None:
        self._url = url
        self._http = httpx.Client(timeout=timeout_seconds)

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        try:
            response = self._http.post(self._url, json=otlp_json(spans))
        except httpx.HTTPError:
            return SpanExportResult.FAILURE
        return SpanExportResult.SUCCESS if response.is_success else SpanExportResult.FAILURE

    def shutdown(self) -> None:
        self._http.close()


def otlp_json(spans: Sequence[ReadableSpan]) -> dict[str, Any]:
    by_resource: dict[int, tuple[Mapping[str, Any], list[dict[str, Any]]]] = {}
    for span in spans:
        resource_attributes = span.resource.attributes if span.resource else {}
        by_resource.setdefault(id(span.resource), (resource_attributes, []))[1].append(_span_json(span))
    return {
        "resourceSpans": [
            {
                "resource": {"attributes": _attributes(attributes)},
                "scopeSpans": [{"scope": {"name": "supergraph"}, "spans": encoded}],
            }
            for attributes, encoded in by_resource.values()
        ]
    }


def _span_json(span: ReadableSpan) -> dict[str, Any]:
    context = span.get_span_context()
    assert context is not None  # a span the SDK ended always has one
    encoded: dict[str, Any] = {
        "traceId": format(context.trace_id, "032x"),
        "spanId": format(context.span_id, "016x"),
        "name": span.name,
        # OTLP numbers kinds from 1 (internal); the API's enum from 0.
        "kind": span.kind.value + 1,
        "startTimeUnixNano": str(span.start_time or 0),
        "endTimeUnixNano": str(span.end_time or 0),
        "attributes": _attributes(span.attributes or {}),
        "status": {"code": {StatusCode.UNSET: 0, StatusCode.OK: 1, StatusCode.ERROR: 2}[span.status.status_code]},
    }
    if span.parent is not None:
        encoded["parentSpanId"] = format(span.parent.span_id, "016x")
    return encoded


def _attributes(attributes: Mapping[str, Any]) -> list[dict[str, Any]]:
    def value(raw: Any) -> dict[str, Any]:
        if isinstance(raw, bool):
            return {"boolValue": raw}
        if isinstance(raw, int):
            return {"intValue": str(raw)}
        if isinstance(raw, float):
            return {"doubleValue": raw}
        return {"stringValue": str(raw)}

    return [{"key": key, "value": value(raw)} for key, raw in attributes.items()]
