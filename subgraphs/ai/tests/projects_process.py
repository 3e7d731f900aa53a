"""The real projects subgraph (TypeScript) as a child process on a scratch Postgres database, for the
tests of the index that follows its change feed."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from supergraph_ai.config import REPO_ROOT
from supergraph_ai.identity import Identity, sign_identity

from .helpers import SECRET, free_port

TSX = REPO_ROOT / "node_modules" / ".bin" / "tsx"
ADMIN_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres:postgres@localhost:5432/postgres")
REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379")


@dataclass(frozen=True)
class ProjectsSubgraph:
    url: str
    event_channel_prefix: str

    def call(self, query: str, variables: dict[str, Any], identity: Identity) -> dict[str, Any]:
        response = httpx.post(
            self.url, json={"query": query, "variables": variables}, headers=sign_identity(identity, SECRET), timeout=30
        )
        body: dict[str, Any] = response.json()
        assert "errors" not in body, body
        data: dict[str, Any] = body["data"]
        return data


# Through node and the repository's pg driver (tsx needs both anyway): no psql client on the machine.
_RUN_SQL = (
    "const { Client } = require('pg'); const client = new Client({ connectionString: process.argv[1] });"
    "client.connect().then(() => client.query(process.argv[2])).finally(() => client.end());"
)


def _admin_sql(sql: str) -> None:
    subprocess.run(
        ["node", "-e", _RUN_SQL, ADMIN_DATABASE_URL, sql], cwd=REPO_ROOT, check=True, capture_output=True, timeout=60
    )


@contextmanager
def projects_subgraph() -> Iterator[ProjectsSubgraph]:
    if not TSX.exists() or shutil.which("node") is None:
        message = "needs node and the repository's node_modules (tsx, pg)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    name = f"ai_feed_{secrets.token_hex(4)}"
    _admin_sql(f"CREATE DATABASE {name}")
    port = free_port()
    prefix = f"test-{secrets.token_hex(4)}:"
    data_dir = tempfile.mkdtemp(prefix="ai-projects-")
    env = {
        **os.environ,
        "NODE_ENV": "test",
        "LOG_LEVEL": "error",
        "DATA_DIR": data_dir,
        "PROJECTS_PORT": str(port),
        "PROJECTS_DATABASE_URL": ADMIN_DATABASE_URL.rsplit("/", 1)[0] + "/" + name,
        "ROUTER_SIGNING_SECRET": SECRET,
        "JWT_SECRET": "test-jwt-secret-that-is-long-enough",
        "REDIS_URL": REDIS_URL,
        "EVENT_CHANNEL_PREFIX": prefix,
        "PROJECTS_QUEUE_PREFIX": prefix.rstrip(":"),
    }
    process = subprocess.Popen(
        [str(TSX), "subgraphs/projects/src/main.ts"], cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"projects subgraph exited with {process.returncode}")
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("projects subgraph did not start")
            time.sleep(0.2)
        yield ProjectsSubgraph(f"{base}/graphql", prefix)
    finally:
        process.terminate()
        process.wait(timeout=30)
        _admin_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        shutil.rmtree(data_dir, ignore_errors=True)
