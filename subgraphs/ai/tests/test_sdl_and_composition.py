"""The SDL command, and composition of that SDL with the users subgraph's contract under the
repository's own @apollo/composition (the library the router composes with)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from supergraph_ai.config import REPO_ROOT

HERE = Path(__file__).parent
AI_ROOT = HERE.parent


def sdl_from_command() -> str:
    result = subprocess.run(
        [sys.executable, "-m", "supergraph_ai.sdl"],
        capture_output=True,
        text=True,
        cwd=AI_ROOT,
        check=True,
        timeout=120,
    )
    return result.stdout


def test_sdl_command_prints_federation_2_schema_without_loading_models() -> None:
    sdl = sdl_from_command()
    schema_definition = sdl[sdl.index("\nschema @") :].split("{", 1)[0]
    assert '@link(url: "https://specs.apollo.dev/federation/v2.7"' in schema_definition
    # The router reads which fields it must never retry from the supergraph: the directive is composed into it.
    assert '@composeDirective(name: "@nonRetryable")' in schema_definition
    assert 'type User @key(fields: "id")' in sdl
    assert "tier: Tier! @external" in sdl
    assert "createdAt: DateTimeISO! @external" in sdl
    assert 'leadScore: LeadScore @requires(fields: "tier createdAt walletAddresses")' in sdl
    assert 'type Payment @key(fields: "id")' in sdl
    assert "user: User @external" in sdl
    assert "contentStream(prompt: String!, options: GenerationOptions = null): ContentChunk!" in sdl
    for name in ("embed(texts: [String!]!)", "semanticSearch(", "generateContent("):
        assert name in sdl
    assert "ContentChunk! @authenticated @nonRetryable" in sdl
    # A query root field is nullable (an outage nulls it alone); a subscription field is not.
    assert "GenerationOptions = null): Generation @authenticated @nonRetryable" in sdl


USERS_CONTRACT = HERE / "fixtures" / "users-contract.graphql"
USERS_REAL = REPO_ROOT / "subgraphs" / "users" / "schema.graphql"
PAYMENTS_CONTRACT = HERE / "fixtures" / "payments-contract.graphql"
PAYMENTS_REAL = REPO_ROOT / "subgraphs" / "payments" / "schema.graphql"
PROJECTS_CONTRACT = HERE / "fixtures" / "projects-contract.graphql"
PROJECTS_REAL = REPO_ROOT / "subgraphs" / "projects" / "schema.graphql"


@pytest.mark.parametrize(
    ("users", "payments", "projects"),
    [(USERS_CONTRACT, PAYMENTS_CONTRACT, PROJECTS_CONTRACT), (USERS_REAL, PAYMENTS_REAL, PROJECTS_REAL)],
    ids=["contract", "real-subgraphs"],
)
def test_composes_with_the_users_payments_and_projects_subgraphs(
    tmp_path: Path, users: Path, payments: Path, projects: Path
) -> None:
    for path in (users, payments, projects):
        if not path.is_file():
            pytest.skip(f"{path} not present")
    composition = REPO_ROOT / "node_modules" / "@apollo" / "composition"
    if shutil.which("node") is None or not composition.is_dir():
        message = "needs node and the repository's node_modules (npm install at the root)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    ai = tmp_path / "ai.graphql"
    ai.write_text(sdl_from_command())
    result = subprocess.run(
        [
            "node",
            str(HERE / "fixtures" / "compose.cjs"),
            *(f"{name}={path}" for name, path in (("users", users), ("payments", payments), ("projects", projects))),
            f"ai={ai}",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NODE_PATH": str(REPO_ROOT / "node_modules")},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    verdict = json.loads(result.stdout)
    assert verdict["ok"], verdict.get("errors")
    supergraph = verdict["supergraphSdl"]
    assert 'leadScore: LeadScore @join__field(graph: AI, requires: "tier createdAt walletAddresses")' in supergraph
    assert "contentStream" in supergraph
    requires = "amountInMajorUnits createdAt payerPaymentsLast24h payerFailedPaymentsLast24h user { createdAt }"
    assert f'fraudScore: FraudScore @join__field(graph: AI, requires: "{requires}")' in supergraph
    assert "amountInMajorUnits: String! @inaccessible" in supergraph
    translated = 'descriptionIn(language: String!): Translation @join__field(graph: AI, requires: "description")'
    assert translated in supergraph
