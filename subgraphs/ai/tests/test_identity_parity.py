"""The Python verifier against the TypeScript reference, run for real under Node.

packages/identity/src/signed-headers.ts signs, Python verifies; Python signs, TypeScript verifies.
If either side changes its encoding, this fails. Node and the repository's node_modules (tsx) are
required in CI; on a machine without them the test is skipped, never silently passed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from supergraph_ai.config import REPO_ROOT
from supergraph_ai.identity import (
    IDENTITY_HEADER,
    SIGNATURE_HEADER,
    ServiceIdentity,
    UserIdentity,
    sign_identity,
    verify_identity,
)

from .helpers import SECRET

MODULE = REPO_ROOT / "packages" / "identity" / "src" / "signed-headers.ts"
TSX = REPO_ROOT / "node_modules" / ".bin" / "tsx"


def run_typescript(script: str) -> object:
    missing = [str(p) for p in (MODULE, TSX) if not p.exists()]
    if shutil.which("node") is None or missing:
        message = f"needs node and {missing or 'tsx'} (npm install at the repository root)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    program = f"import * as signed from {json.dumps(str(MODULE))};\n{script}"
    result = subprocess.run(
        [str(TSX), "--eval", program], capture_output=True, text=True, timeout=60, cwd=REPO_ROOT, check=False
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_typescript_signed_headers_verify_in_python() -> None:
    cases = run_typescript(
        f"""
const secret = {json.dumps(SECRET)};
const identities = [
  {{ kind: 'anonymous' }},
  {{ kind: 'service' }},
  {{ kind: 'user', userId: 'ü-42', roles: ['USER', 'ADMIN'], tier: 'ENTERPRISE', scopes: ['*'], via: 'jwt' }},
  {{ kind: 'user', userId: 'u-7', roles: ['USER'], tier: 'FREE', scopes: ['embed'], via: 'apiKey' }},
];
const signedIdentities = identities.map((identity) => ({{ identity, headers: signed.signIdentity(identity, secret) }}));
console.log(JSON.stringify(signedIdentities));
"""
    )
    assert isinstance(cases, list)
    assert len(cases) == 4
    for case in cases:
        headers = case["headers"]
        verified = verify_identity(headers[IDENTITY_HEADER], headers[SIGNATURE_HEADER], SECRET)
        expected = case["identity"]
        assert verified.kind == expected["kind"]
        if isinstance(verified, UserIdentity):
            assert verified.user_id == expected["userId"]
            assert list(verified.roles) == expected["roles"]
            assert list(verified.scopes) == expected["scopes"]
            assert (verified.tier, verified.via) == (expected["tier"], expected["via"])


def test_typescript_expired_header_is_rejected_in_python_too() -> None:
    headers = run_typescript(
        "const expired = Date.now() - 120000;"
        f"console.log(JSON.stringify(signed.signIdentity({{ kind: 'service' }}, {json.dumps(SECRET)}, expired, 60)));"
    )
    with pytest.raises(Exception, match="expired"):
        verify_identity(headers[IDENTITY_HEADER], headers[SIGNATURE_HEADER], SECRET)  # type: ignore[index]


def test_python_signed_headers_verify_in_typescript() -> None:
    identity = UserIdentity(user_id="ü-42", roles=("USER",), tier="PRO", scopes=("*",), via="jwt")
    headers = sign_identity(identity, SECRET)
    verified = run_typescript(
        f"console.log(JSON.stringify(signed.verifyIdentity({json.dumps(headers[IDENTITY_HEADER])}, "
        f"{json.dumps(headers[SIGNATURE_HEADER])}, {json.dumps(SECRET)})));"
    )
    assert verified == {
        "kind": "user",
        "userId": "ü-42",
        "roles": ["USER"],
        "tier": "PRO",
        "scopes": ["*"],
        "via": "jwt",
    }


def test_python_signed_service_identity_verifies_in_typescript() -> None:
    """The project index calls the projects subgraph's service-only feed with exactly this."""
    headers = sign_identity(ServiceIdentity(), SECRET)
    verified = run_typescript(
        f"console.log(JSON.stringify(signed.verifyIdentity({json.dumps(headers[IDENTITY_HEADER])}, "
        f"{json.dumps(headers[SIGNATURE_HEADER])}, {json.dumps(SECRET)})));"
    )
    assert verified == {"kind": "service"}
