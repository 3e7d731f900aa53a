"""What every resolver receives as `info.context`: who is asking, the shared services, the loaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from .identity import Identity, ServiceIdentity, UserIdentity
from .loaders import Loaders
from .services import Services

ADMIN_ROLE = "ADMIN"
FULL_ACCESS_SCOPE = "*"


@dataclass
class RequestContext:
    services: Services
    loaders: Loaders
    request: Request | WebSocket
    response: Response | WebSocket | None
    # Set once the router's signature checked out; otherwise `auth_error` says why not.
    identity: Identity | None = None
    auth_error: str | None = "Request was not signed by the router"
    # graphql-transport-ws connection_init payload (Strawberry fills it in).
    connection_params: dict[str, Any] | None = field(default=None)

    def authenticate(self, identity: Identity) -> None:
        self.identity = identity
        self.auth_error = None


def has_scope(identity: Identity | None, scope: str) -> bool:
    return isinstance(identity, UserIdentity) and (FULL_ACCESS_SCOPE in identity.scopes or scope in identity.scopes)


def is_admin(identity: Identity | None) -> bool:
    """Mirrors isAdmin in packages/identity: the ADMIN role, acting with the admin scope."""
    return isinstance(identity, UserIdentity) and ADMIN_ROLE in identity.roles and has_scope(identity, "admin")


def is_signed_in_or_service(identity: Identity | None) -> bool:
    return isinstance(identity, (UserIdentity, ServiceIdentity))
