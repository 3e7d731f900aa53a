from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from supergraph_ai.app import create_app
from supergraph_ai.config import Settings
from supergraph_ai.inference.embedder import EmbedderFiles, SentenceEmbedder
from supergraph_ai.models.fraud import FraudScorer
from supergraph_ai.models.lead_scoring import LeadScorer
from supergraph_ai.services import Services
from supergraph_ai.training.train import load_or_train_fraud, load_or_train_lead

from .helpers import SECRET, CountingEmbedder, ScriptedProvider, make_services


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(signing_secret=SECRET, data_dir=tmp_path_factory.mktemp("ai-data"))


@pytest.fixture(scope="session")
def models_dir(settings: Settings) -> Path:
    return settings.models_dir


@pytest.fixture(scope="session")
def embedder() -> SentenceEmbedder:
    return SentenceEmbedder(EmbedderFiles.from_packages())


@pytest.fixture(scope="session")
def lead_scorer(models_dir: Path) -> LeadScorer:
    return load_or_train_lead(models_dir)


@pytest.fixture(scope="session")
def fraud_scorer(models_dir: Path) -> FraudScorer:
    return load_or_train_fraud(models_dir)


@pytest.fixture
def provider() -> ScriptedProvider:
    return ScriptedProvider()


@pytest.fixture
def counting_embedder(embedder: SentenceEmbedder) -> CountingEmbedder:
    return CountingEmbedder(embedder)


@pytest.fixture
def services(
    settings: Settings,
    counting_embedder: CountingEmbedder,
    lead_scorer: LeadScorer,
    fraud_scorer: FraudScorer,
    provider: ScriptedProvider,
) -> Services:
    return make_services(settings, embedder=counting_embedder, lead=lead_scorer, fraud=fraud_scorer, llm=provider)


@pytest.fixture
async def client(settings: Settings, services: Services) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, services)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://ai") as http:
        yield http
    await services.embeddings.aclose()
