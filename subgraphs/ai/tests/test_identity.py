from __future__ import annotations

import base64
import json
import time

import pytest

from supergraph_ai.identity import (
    IDENTITY_HEADER,
    SIGNATURE_HEADER,
    AnonymousIdentity,
    IdentityVerificationError,
    ServiceIdentity,
    UserIdentity,
    _hmac_hex,
    sign_identity,
    verify_identity,
)

from .helpers import SECRET, USER


def forge(payload: dict[str, object], secret: str = SECRET) -> tuple[str, str]:
    """Headers for an arbitrary payload, correctly signed."""
    value = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    return value, "v1=" + _hmac_hex(secret, value)


@pytest.mark.parametrize("identity", [AnonymousIdentity(), ServiceIdentity(), USER])
def test_round_trip(identity: object) -> None:
    headers = sign_identity(identity, SECRET)  # type: ignore[arg-type]
    assert verify_identity(headers[IDENTITY_HEADER], headers[SIGNATURE_HEADER], SECRET) == identity


def test_header_is_unpadded_base64url_of_compact_json_with_exp() -> None:
    headers = sign_identity(USER, SECRET, now=1_700_000_000, ttl_seconds=60)
    value = headers[IDENTITY_HEADER]
    assert "=" not in value
    assert "+" not in value
    assert "/" not in value
    decoded = json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
    assert decoded == {
        "kind": "user",
        "userId": "u-1",
        "roles": ["USER"],
        "tier": "FREE",
        "scopes": ["*"],
        "via": "jwt",
        "exp": 1_700_000_060,
    }
    assert headers[SIGNATURE_HEADER] == "v1=" + _hmac_hex(SECRET, value)


@pytest.mark.parametrize(
    ("identity", "signature", "reason"),
    [
        (None, "v1=00", "Request was not signed by the router"),
        ("abc", None, "Request was not signed by the router"),
        ("", "", "Request was not signed by the router"),
        ("abc", "v2=00", "Unsupported router signature version"),
        ("abc", "v1=zz", "Router signature does not match"),
        ("abc", "v1=" + "0" * 64, "Router signature does not match"),
    ],
)
def test_rejects_malformed(identity: str | None, signature: str | None, reason: str) -> None:
    with pytest.raises(IdentityVerificationError, match=reason):
        verify_identity(identity, signature, SECRET)


def test_rejects_wrong_secret_and_tampering() -> None:
    headers = sign_identity(USER, "another-secret")
    with pytest.raises(IdentityVerificationError, match="does not match"):
        verify_identity(headers[IDENTITY_HEADER], headers[SIGNATURE_HEADER], SECRET)
    good = sign_identity(USER, SECRET)
    admin, _ = forge(
        {
            "kind": "user",
            "userId": "u-1",
            "roles": ["ADMIN"],
            "tier": "FREE",
            "scopes": ["*"],
            "via": "jwt",
            "exp": 2**40,
        }
    )
    with pytest.raises(IdentityVerificationError, match="does not match"):
        verify_identity(admin, good[SIGNATURE_HEADER], SECRET)


def test_signature_hex_is_case_insensitive_like_node() -> None:
    headers = sign_identity(USER, SECRET)
    assert verify_identity(headers[IDENTITY_HEADER], headers[SIGNATURE_HEADER].upper().replace("V1=", "v1="), SECRET)


def test_rejects_expired() -> None:
    headers = sign_identity(USER, SECRET, now=time.time() - 120, ttl_seconds=60)
    with pytest.raises(IdentityVerificationError, match="expired"):
        verify_identity(headers[IDENTITY_HEADER], headers[SIGNATURE_HEADER], SECRET)
    # exp exactly now is still valid, as in the TypeScript module (exp * 1000 < now rejects).
    headers = sign_identity(USER, SECRET, now=1000.0, ttl_seconds=0)
    assert verify_identity(headers[IDENTITY_HEADER], headers[SIGNATURE_HEADER], SECRET, now=1000.0) == USER


@pytest.mark.parametrize("exp", [None, "9999999999", True, [1]])
def test_rejects_missing_or_non_numeric_exp(exp: object) -> None:
    payload: dict[str, object] = {"kind": "anonymous"}
    if exp is not None:
        payload["exp"] = exp
    value, signature = forge(payload)
    with pytest.raises(IdentityVerificationError, match="expired"):
        verify_identity(value, signature, SECRET)


@pytest.mark.parametrize(
    "payload",
    [
        {"kind": "robot", "exp": 2**40},
        {"kind": "user", "userId": 7, "roles": [], "tier": "FREE", "scopes": [], "via": "jwt", "exp": 2**40},
        {"kind": "user", "userId": "u", "roles": [], "tier": "FREE", "scopes": [], "via": "cookie", "exp": 2**40},
        {"kind": "user", "userId": "u", "tier": "FREE", "scopes": [], "via": "jwt", "exp": 2**40},
    ],
)
def test_rejects_unknown_shapes(payload: dict[str, object]) -> None:
    value, signature = forge(payload)
    with pytest.raises(IdentityVerificationError, match="unknown shape"):
        verify_identity(value, signature, SECRET)


def test_rejects_signed_garbage() -> None:
    value = "not-json-at-all"
    with pytest.raises(IdentityVerificationError, match="not valid JSON"):
        verify_identity(value, "v1=" + _hmac_hex(SECRET, value), SECRET)
    value, signature = forge([1, 2])  # type: ignore[arg-type]
    with pytest.raises(IdentityVerificationError, match="unknown shape"):
        verify_identity(value, signature, SECRET)


def test_api_key_identity() -> None:
    identity = UserIdentity(user_id="u", roles=("USER",), tier="PRO", scopes=("embed",), via="apiKey")
    headers = sign_identity(identity, SECRET)
    assert verify_identity(headers[IDENTITY_HEADER], headers[SIGNATURE_HEADER], SECRET) == identity
