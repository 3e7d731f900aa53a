from __future__ import annotations

import httpx

from supergraph_ai.app import create_app
from supergraph_ai.config import Settings
from supergraph_ai.services import Services

from .graphql_client import gql
from .helpers import SERVICE, USER, headers_for


async def test_inference_metrics_are_exposed(client: httpx.AsyncClient) -> None:
    await gql(client, '{ embed(texts: ["one", "two", "three"]) { dimensions } }', identity=USER)
    await gql(client, '{ generateContent(prompt: "hi") { text } }', identity=USER)
    await client.post("/graphql", json={"query": "{ __typename }"})  # unsigned
    text = (await client.get("/metrics", headers=headers_for(SERVICE))).text
    model = 'model="all-MiniLM-L6-v2-onnx-int8",operation="embed"'
    assert f"ai_inference_batch_size_sum{{{model}}} 3.0" in text
    assert f"ai_inference_items_total{{{model}}} 3.0" in text
    assert f"ai_inference_latency_seconds_count{{{model}}} 1.0" in text
    assert 'ai_generation_tokens_total{model="scripted-1",provider="scripted"}' in text
    assert 'ai_generation_latency_seconds_count{mode="complete",model="scripted-1",provider="scripted"} 1.0' in text
    assert 'ai_unauthenticated_requests_total{transport="http"} 1.0' in text


async def test_metrics_token_lets_prometheus_scrape(settings: Settings, services: Services) -> None:
    from dataclasses import replace

    app = create_app(replace(settings, metrics_token="scrape-me"), services)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://ai") as http:
        assert (await http.get("/metrics", headers={"authorization": "Bearer scrape-me"})).status_code == 200
        assert (await http.get("/metrics", headers={"authorization": "Bearer wrong"})).status_code == 401
