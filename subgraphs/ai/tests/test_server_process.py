"""The real entry point, `python -m supergraph_ai`, as the router will reach it: a process on a port."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import websockets

from .helpers import SECRET, USER, free_port, headers_for

AI_ROOT = Path(__file__).parent.parent


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "AI_HOST": "127.0.0.1",
        "AI_PORT": str(port),
        "ROUTER_SIGNING_SECRET": SECRET,
        "AI_DATA_DIR": str(tmp_path_factory.mktemp("server-data")),
        "LLM_PROVIDER": "local",
    }
    env.pop("REDIS_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "supergraph_ai"], cwd=AI_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"server exited: {process.stdout.read().decode() if process.stdout else ''}")
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not become healthy")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_health_reports_the_loaded_models(server: str) -> None:
    health = httpx.get(f"{server}/health").json()
    assert health == {
        "status": "ok",
        "embeddings": "all-MiniLM-L6-v2-onnx-int8",
        "llm": {"provider": "local", "model": "SmolLM2-135M-Instruct-Q4_1"},
        "models": ["lead-score-v1", "fraud-iforest-v3"],
        "cache": "memory",
    }


def test_signed_http_query(server: str) -> None:
    response = httpx.post(
        f"{server}/graphql",
        json={
            "query": '{ embed(texts: ["hello"]) { dimensions } '
            'generateContent(prompt: "Say hi", options: {maxTokens: 4}) { text model } }'
        },
        headers=headers_for(USER),
        timeout=60,
    )
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["embed"]["dimensions"] == 384
    assert data["generateContent"]["model"] == "SmolLM2-135M-Instruct-Q4_1"
    assert data["generateContent"]["text"]


def test_unsigned_http_query(server: str) -> None:
    response = httpx.post(f"{server}/graphql", json={"query": "{ __typename }"})
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_websocket_stream_through_a_real_socket(server: str) -> None:
    import json

    uri = server.replace("http://", "ws://") + "/graphql"
    async with websockets.connect(uri, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init", "payload": headers_for(USER)}))
        assert json.loads(await ws.recv()) == {"type": "connection_ack"}
        query = 'subscription { contentStream(prompt: "Hello", options: {maxTokens: 6}) { delta done } }'
        await ws.send(json.dumps({"id": "s1", "type": "subscribe", "payload": {"query": query}}))
        chunks = []
        while (message := json.loads(await ws.recv()))["type"] == "next":
            chunks.append(message["payload"]["data"]["contentStream"])
        assert message == {"id": "s1", "type": "complete"}
        assert chunks[-1]["done"] is True
        assert len(chunks) >= 2
