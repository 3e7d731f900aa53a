from __future__ import annotations

import time

import httpx
import pytest

from supergraph_ai.identity import IDENTITY_HEADER, SIGNATURE_HEADER

from .graphql_client import error_codes, gql
from .helpers import ANONYMOUS, SERVICE, USER, headers_for

QUERY = '{ embed(texts: ["hello"]) { dimensions } }'


async def test_unsigned_request_is_refused_with_unauthenticated(client: httpx.AsyncClient) -> None:
    status, body = await gql(client, QUERY, identity=None)
    assert status == 401
    assert body["data"] is None
    assert error_codes(body) == ["UNAUTHENTICATED"]
    assert body["errors"][0]["message"] == "Request was not signed by the router"


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        (headers_for(USER, secret="wrong-secret"), "Router signature does not match"),
        (headers_for(USER, now=time.time() - 3600), "Router signature has expired"),
        ({**headers_for(USER), SIGNATURE_HEADER: "v0=abc"}, "Unsupported router signature version"),
        ({IDENTITY_HEADER: headers_for(USER)[IDENTITY_HEADER]}, "Request was not signed by the router"),
    ],
)
async def test_bad_signatures_are_refused(client: httpx.AsyncClient, headers: dict[str, str], reason: str) -> None:
    status, body = await gql(client, QUERY, identity=None, headers=headers)
    assert (status, body["data"], error_codes(body)) == (401, None, ["UNAUTHENTICATED"])
    assert body["errors"][0]["message"] == reason


async def test_garbage_from_an_unsigned_caller_is_not_parsed(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 401
    assert error_codes(response.json()) == ["UNAUTHENTICATED"]


async def test_signed_request_runs(client: httpx.AsyncClient) -> None:
    status, body = await gql(client, QUERY, identity=USER)
    assert status == 200, body
    assert body["data"] == {"embed": {"dimensions": 384}}


async def test_anonymous_identity_may_not_spend_compute(client: httpx.AsyncClient) -> None:
    status, body = await gql(client, QUERY, identity=ANONYMOUS)
    assert status == 200
    assert body["data"] == {"embed": None}
    assert error_codes(body) == ["UNAUTHENTICATED"]
    assert body["errors"][0]["message"] == "Sign in to use this field"


async def test_health_is_open(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["embeddings"] == "all-MiniLM-L6-v2-onnx-int8"


async def test_metrics_need_a_signature(client: httpx.AsyncClient) -> None:
    refused = await client.get("/metrics")
    assert refused.status_code == 401
    assert error_codes(refused.json()) == ["UNAUTHENTICATED"]
    allowed = await client.get("/metrics", headers=headers_for(SERVICE))
    assert allowed.status_code == 200
    assert "ai_inference_batch_size" in allowed.text


async def test_graphql_ide_and_get_are_off(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", headers=headers_for(USER))
    assert response.status_code == 405
