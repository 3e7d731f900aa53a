"""The router → subgraph identity protocol, the Python twin of packages/identity/src/signed-headers.ts.

Subgraphs are reachable on the network, so they must not believe an identity header on its own: the
router signs it with a secret only it and the subgraphs share, and adds an expiry so a captured header
cannot be replayed for long.

    x-supergraph-identity:  base64url(JSON { ...identity, exp })   exp in unix seconds, no padding
    x-supergraph-signature: v1=<lowercase hex HMAC-SHA256(secret, identity header value)>

Every check and message below mirrors the TypeScript module, in the same order;
tests/test_identity_parity.py runs that module under Node and verifies its output here, so the two
cannot drift apart silently.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from typing import Literal

IDENTITY_HEADER = "x-supergraph-identity"
SIGNATURE_HEADER = "x-supergraph-signature"
SIGNATURE_VERSION = "v1="
DEFAULT_TTL_SECONDS = 60


@dataclass(frozen=True)
class AnonymousIdentity:
    kind: Literal["anonymous"] = "anonymous"


@dataclass(frozen=True)
class ServiceIdentity:
    """The router itself, for internal calls."""

    kind: Literal["service"] = "service"


@dataclass(frozen=True)
class UserIdentity:
    """A person, signed in with a token or acting through one of their API keys."""

    user_id: str
    roles: tuple[str, ...]
    tier: str
    scopes: tuple[str, ...]
    via: Literal["jwt", "apiKey"]
    kind: Literal["user"] = "user"


Identity = AnonymousIdentity | ServiceIdentity | UserIdentity


class IdentityVerificationError(Exception):
    """The request's identity cannot be trusted; the message says why (safe to show the caller)."""


def identity_to_json(identity: Identity) -> dict[str, object]:
    if isinstance(identity, UserIdentity):
        return {
            "kind": "user",
            "userId": identity.user_id,
            "roles": list(identity.roles),
            "tier": identity.tier,
            "scopes": list(identity.scopes),
            "via": identity.via,
        }
    return {"kind": identity.kind}


def sign_identity(
    identity: Identity,
    secret: str,
    now: float | None = None,
    ttl_seconds: int = DEFAULT_TTL_SECONDS,
) -> dict[str, str]:
    """The two headers the router sends (used by tests and by internal callers)."""
    now = time.time() if now is None else now
    payload = {**identity_to_json(identity), "exp": int(now) + ttl_seconds}
    # JSON.stringify's compact form, so a header signed here is byte-identical to the router's.
    raw = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    value = base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")
    return {IDENTITY_HEADER: value, SIGNATURE_HEADER: SIGNATURE_VERSION + _hmac_hex(secret, value)}


def verify_identity(
    identity_header: str | None,
    signature_header: str | None,
    secret: str,
    now: float | None = None,
) -> Identity:
    """Returns the identity the router vouched for, or raises saying why it cannot be trusted."""
    if not identity_header or not signature_header:
        raise IdentityVerificationError("Request was not signed by the router")
    if not signature_header.startswith(SIGNATURE_VERSION):
        raise IdentityVerificationError("Unsupported router signature version")
    expected = bytes.fromhex(_hmac_hex(secret, identity_header))
    try:
        given = bytes.fromhex(signature_header[len(SIGNATURE_VERSION) :])
    except ValueError:
        given = b""
    # compare_digest is constant-time for equal lengths, like Node's timingSafeEqual.
    if len(given) != len(expected) or not hmac.compare_digest(given, expected):
        raise IdentityVerificationError("Router signature does not match")
    try:
        payload = json.loads(_b64url_decode(identity_header).decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise IdentityVerificationError("Identity header is not valid JSON") from None
    if not isinstance(payload, dict):
        raise IdentityVerificationError("Identity header has an unknown shape")
    exp = payload.pop("exp", None)
    now = time.time() if now is None else now
    # bool is an int in Python but not a number in JSON's sense; the TS side rejects it too.
    if not isinstance(exp, (int, float)) or isinstance(exp, bool) or exp < now:
        raise IdentityVerificationError("Router signature has expired")
    identity = _parse_identity(payload)
    if identity is None:
        raise IdentityVerificationError("Identity header has an unknown shape")
    return identity


def _parse_identity(value: dict[str, object]) -> Identity | None:
    kind = value.get("kind")
    if kind == "anonymous":
        return AnonymousIdentity()
    if kind == "service":
        return ServiceIdentity()
    if kind != "user":
        return None
    user_id, roles, tier, scopes, via = (value.get(k) for k in ("userId", "roles", "tier", "scopes", "via"))
    if not (
        isinstance(user_id, str)
        and isinstance(roles, list)
        and isinstance(tier, str)
        and isinstance(scopes, list)
        and via in ("jwt", "apiKey")
    ):
        return None
    return UserIdentity(
        user_id=user_id,
        roles=tuple(str(r) for r in roles),
        tier=tier,
        scopes=tuple(str(s) for s in scopes),
        via=via,
    )


def _hmac_hex(secret: str, value: str) -> str:
    return hmac.new(secret.encode("utf-8"), value.encode("utf-8"), hashlib.sha256).hexdigest()


def _b64url_decode(value: str) -> bytes:
    # Node's base64url decoder accepts the value with or without padding; so do we.
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        raise ValueError("not base64url") from None
