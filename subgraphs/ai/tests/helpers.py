"""Test doubles and helpers shared by the suites."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import uvicorn

from supergraph_ai.cache import InMemoryCache
from supergraph_ai.config import Settings
from supergraph_ai.identity import AnonymousIdentity, Identity, ServiceIdentity, UserIdentity, sign_identity
from supergraph_ai.inference.embedding_service import Embedder, EmbeddingService
from supergraph_ai.inference.llm.base import (
    Finished,
    FinishReason,
    GenerationRequest,
    LlmProvider,
    StreamEvent,
    TextDelta,
)
from supergraph_ai.metrics import Metrics
from supergraph_ai.models.fraud import FraudScorer
from supergraph_ai.models.lead_scoring import LeadScorer
from supergraph_ai.search.faiss_index import FILE_NAME, FaissVectorIndex
from supergraph_ai.search.project_search import ProjectSearch
from supergraph_ai.search.runtime import ProjectIndex
from supergraph_ai.search.vector_index import IndexSlot
from supergraph_ai.services import Services

SECRET = "test-signing-secret"
ADMIN = UserIdentity(user_id="u-admin", roles=("USER", "ADMIN"), tier="ENTERPRISE", scopes=("*",), via="jwt")
USER = UserIdentity(user_id="u-1", roles=("USER",), tier="FREE", scopes=("*",), via="jwt")
SERVICE = ServiceIdentity()
ANONYMOUS = AnonymousIdentity()


def headers_for(identity: Identity, secret: str = SECRET, **kwargs: Any) -> dict[str, str]:
    return sign_identity(identity, secret, **kwargs)


class ScriptedProvider(LlmProvider):
    """A provider that streams a fixed reply word by word and records what it was asked."""

    name = "scripted"
    model = "scripted-1"

    def __init__(self, reply: str = "Federation composes subgraphs into one graph.", delay: float = 0.0) -> None:
        self.reply = reply
        self.delay = delay
        self.requests: list[GenerationRequest] = []

    async def stream(self, request: GenerationRequest) -> AsyncIterator[StreamEvent]:
        self.requests.append(request)
        words = self.reply.split(" ")
        limit = request.params.max_tokens
        for i, word in enumerate(words[:limit]):
            if self.delay:
                await asyncio.sleep(self.delay)
            yield TextDelta(word if i == 0 else " " + word)
        reason = FinishReason.LENGTH if len(words) > limit else FinishReason.STOP
        yield Finished(reason, prompt_tokens=len(request.prompt.split()), completion_tokens=min(limit, len(words)))


class CountingEmbedder:
    """Wraps an embedder and records every model call's batch size."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.dimensions = inner.dimensions
        self.calls: list[int] = []

    def embed(self, texts: list[str]) -> np.ndarray:
        self.calls.append(len(texts))
        time.sleep(0.01)  # a model call takes time; lets concurrent requests queue up behind it
        return self.inner.embed(texts)


def make_services(
    settings: Settings,
    *,
    embedder: Embedder,
    lead: LeadScorer,
    fraud: FraudScorer,
    llm: LlmProvider | None = None,
) -> Services:
    """Services built synchronously, so each test app binds its asyncio objects to its own loop."""
    metrics = Metrics()
    cache = InMemoryCache()
    embeddings = EmbeddingService(embedder, cache, metrics, max_batch=settings.embed_max_batch, max_wait=0.005)
    # An empty project index that follows nothing; tests that need projects put them in themselves.
    index = FaissVectorIndex(settings.index_dir / FILE_NAME, embedder.dimensions, embedder.model_id)
    project_index = ProjectIndex(ProjectSearch(IndexSlot(index), metrics), follower=None)
    return Services(settings, metrics, cache, embeddings, llm or ScriptedProvider(), lead, fraud, project_index)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """Runs an ASGI app on a real loopback port in a thread; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
