from __future__ import annotations

from collections.abc import AsyncIterator

import httpx

from supergraph_ai.app import create_app
from supergraph_ai.config import Settings
from supergraph_ai.errors import ProviderError
from supergraph_ai.inference.embedder import SentenceEmbedder
from supergraph_ai.inference.llm.base import GenerationRequest, StreamEvent
from supergraph_ai.models.fraud import FraudScorer
from supergraph_ai.models.lead_scoring import LeadScorer
from supergraph_ai.services import Services

from .graphql_client import error_codes, gql
from .helpers import SERVICE, USER, ScriptedProvider, headers_for, make_services


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


async def test_training_figures_are_gauges(client: httpx.AsyncClient, services: Services) -> None:
    text = (await client.get("/metrics", headers=headers_for(SERVICE))).text
    lead = services.lead_scorer
    hot = lead.metadata["metrics"]["hot"]
    for metric in ("auc", "precision", "recall"):
        assert f'ai_model_quality{{evaluation="hot",metric="{metric}",model="{lead.version}"}} {hot[metric]}' in text
    fraud = services.fraud_scorer
    assert f'ai_model_quality{{evaluation="flagged",metric="auc",model="{fraud.version}"}}' in text


async def test_provider_errors_are_counted_by_code(
    settings: Settings, embedder: SentenceEmbedder, lead_scorer: LeadScorer, fraud_scorer: FraudScorer
) -> None:
    services = make_services(settings, embedder=embedder, lead=lead_scorer, fraud=fraud_scorer, llm=FailingProvider())
    app = create_app(settings, services)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://ai") as client:
        _, body = await gql(client, '{ generateContent(prompt: "hi") { text } }', identity=USER)
        text = (await client.get("/metrics", headers=headers_for(SERVICE))).text
    await services.embeddings.aclose()
    assert error_codes(body) == ["PROVIDER_ERROR"]
    assert 'ai_provider_errors_total{code="PROVIDER_ERROR",provider="failing"} 1.0' in text


class FailingProvider(ScriptedProvider):
    """A provider whose API answers every call with an error."""

    name = "failing"

    async def stream(self, request: GenerationRequest) -> AsyncIterator[StreamEvent]:
        raise ProviderError(self.name, "HTTP 503: overloaded")
        yield  # type: ignore[unreachable]  # the yield only makes this an async generator
