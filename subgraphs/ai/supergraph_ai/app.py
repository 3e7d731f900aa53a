"""The ASGI application: /graphql (HTTP and graphql-transport-ws), /health, /metrics.

Identity is checked at the edge of each transport:
- HTTP /graphql: before Strawberry sees the request; an unsigned, wrongly signed or expired request gets
  401 with a GraphQL error body (`extensions.code = UNAUTHENTICATED`, no data) and is never parsed.
- WebSocket: the upgrade headers, or else the connection_init payload (the same two header names, at
  the top level or under "headers"), must carry a valid signature. The connection is acknowledged either
  way, but on one that is not signed every operation is answered with a graphql-transport-ws `error`
  message carrying the UNAUTHENTICATED error, before anything is parsed or run.
- /metrics: a router signature, or the bearer token AI_METRICS_TOKEN when one is configured (Prometheus
  cannot sign). /health is the only open endpoint.
"""

from __future__ import annotations

import contextlib
import hmac
import logging
from collections.abc import AsyncIterator, Mapping
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import BaseGraphQLTransportWSHandler
from strawberry.subscriptions.protocols.graphql_transport_ws.types import SubscribeMessage
from strawberry.types.unset import UnsetType

from .config import ConfigError, Settings
from .context import RequestContext
from .errors import ErrorCode, Unauthenticated
from .identity import IDENTITY_HEADER, SIGNATURE_HEADER, Identity, IdentityVerificationError, verify_identity
from .loaders import Loaders
from .observability import TracingMiddleware
from .schema import schema
from .services import Services

log = logging.getLogger(__name__)


class SignedTransportWSHandler(BaseGraphQLTransportWSHandler[RequestContext, None]):
    """graphql-transport-ws, refusing every operation of a connection the router did not sign."""

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        context = self.context
        if self.connection_acknowledged and context.identity is None:
            context.services.metrics.unauthenticated.labels("websocket").inc()
            error = Unauthenticated(context.auth_error or "Request was not signed by the router")
            await self.send_message({"id": message["id"], "type": "error", "payload": [error.formatted]})
            return
        await super().handle_subscribe(message)


class AiGraphQL(GraphQL[RequestContext, None]):
    graphql_transport_ws_handler_class = SignedTransportWSHandler

    def __init__(self, services_ref: ServicesRef, secret: str) -> None:
        super().__init__(
            schema,
            graphql_ide=None,  # every request must be signed by the router, so an IDE here could not work
            allow_queries_via_get=False,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
        )
        self._services = services_ref
        self._secret = secret

    def verify(self, identity: str | None, signature: str | None) -> Identity:
        return verify_identity(identity, signature, self._secret)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = Request(scope).headers
            try:
                scope.setdefault("state", {})["identity"] = self.verify(
                    headers.get(IDENTITY_HEADER), headers.get(SIGNATURE_HEADER)
                )
            except IdentityVerificationError as why:
                self._services.get().metrics.unauthenticated.labels("http").inc()
                await unauthenticated_response(str(why))(scope, receive, send)
                return
        await super().__call__(scope, receive, send)

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> RequestContext:
        services = self._services.get()
        context = RequestContext(services=services, loaders=Loaders(services), request=request, response=response)
        identity = request.scope.get("state", {}).get("identity")
        if identity is not None:  # HTTP: verified in __call__
            context.authenticate(identity)
        elif isinstance(request, WebSocket) and IDENTITY_HEADER in request.headers:
            self._try_authenticate(context, request.headers)
        return context

    async def on_ws_connect(self, context: RequestContext) -> UnsetType:
        # Always acknowledged: an unauthenticated connection learns why on its first operation, as a
        # GraphQL error with a code, rather than from a bare close code.
        if context.identity is None:
            params = context.connection_params or {}
            nested = params.get("headers")
            for candidate in (params, nested if isinstance(nested, Mapping) else {}):
                if IDENTITY_HEADER in candidate or SIGNATURE_HEADER in candidate:
                    self._try_authenticate(context, candidate)
                    break
        return UnsetType()  # the UNSET singleton, as its type rather than Any

    def _try_authenticate(self, context: RequestContext, source: Mapping[str, Any]) -> None:
        identity, signature = source.get(IDENTITY_HEADER), source.get(SIGNATURE_HEADER)
        try:
            context.authenticate(self.verify(_str_or_none(identity), _str_or_none(signature)))
        except IdentityVerificationError as why:
            context.auth_error = str(why)


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


def unauthenticated_response(reason: str) -> JSONResponse:
    return JSONResponse(
        {"data": None, "errors": [{"message": reason, "extensions": {"code": ErrorCode.UNAUTHENTICATED.value}}]},
        status_code=401,
    )


class ServicesRef:
    """The services, set by the lifespan once loaded (the app object exists before they do)."""

    def __init__(self, services: Services | None = None) -> None:
        self._services = services

    def set(self, services: Services | None) -> None:
        self._services = services

    def get(self) -> Services:
        if self._services is None:
            raise RuntimeError("AI services are not started")
        return self._services


def create_app(settings: Settings, services: Services | None = None) -> Starlette:
    """The application. Pass `services` to share already-loaded models (tests); otherwise the lifespan
    loads them at start-up and closes them at shutdown."""
    if not settings.signing_secret:
        raise ConfigError("ROUTER_SIGNING_SECRET is required: every request must be signed by the router")
    ref = ServicesRef(services)
    graphql_app = AiGraphQL(ref, settings.signing_secret)

    async def health(_: Request) -> Response:
        try:
            live = ref.get()
        except RuntimeError:
            return JSONResponse({"status": "starting"}, status_code=503)
        return JSONResponse(
            {
                "status": "ok",
                "embeddings": live.embeddings.model_id,
                "llm": {"provider": live.llm.name, "model": live.llm.model},
                "models": [live.lead_scorer.version, live.fraud_scorer.version],
                "cache": live.cache.backend,
            }
        )

    async def metrics(request: Request) -> Response:
        token = settings.metrics_token
        bearer = request.headers.get("authorization", "")
        if not (token and hmac.compare_digest(bearer.encode(), f"Bearer {token}".encode())):
            try:
                graphql_app.verify(request.headers.get(IDENTITY_HEADER), request.headers.get(SIGNATURE_HEADER))
            except IdentityVerificationError as why:
                return unauthenticated_response(str(why))
        live = ref.get()
        return Response(live.metrics.render(), media_type=live.metrics.content_type)

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        if services is not None:
            yield
            return
        started = await Services.start(settings)
        ref.set(started)
        try:
            yield
        finally:
            ref.set(None)
            await started.aclose()

    return Starlette(
        routes=[
            Route("/health", health, methods=["GET"]),
            Route("/metrics", metrics, methods=["GET"]),
            Route("/graphql", graphql_app, methods=["POST"]),
            WebSocketRoute("/graphql", graphql_app),
        ],
        middleware=[Middleware(TracingMiddleware)],
        lifespan=lifespan,
    )
