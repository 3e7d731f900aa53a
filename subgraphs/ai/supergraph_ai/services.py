"""The long-lived objects of one running subgraph: models, providers, cache, metrics.

Built once at start (the app's lifespan) and shared by every request; a request's own state (its
identity and DataLoaders) lives in `context.RequestContext`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from .analytics.pipeline import Analytics
from .cache import ByteCache, create_cache
from .config import Settings
from .forecasting.forecaster import Forecaster, ForecastStore
from .inference.embedding_service import Embedder, EmbeddingService
from .inference.llm.base import LlmProvider
from .inference.llm.fallback import ProviderFallback
from .jobs.runner import JobRunner
from .language.detector import LanguageDetector, shared_detector
from .language.samples import served_detector_figures
from .language.translator import Translator
from .metrics import Metrics
from .models.fraud import FraudScorer
from .models.lead_scoring import LeadScorer
from .search.runtime import ProjectIndex

log = logging.getLogger(__name__)


@dataclass
class Services:
    settings: Settings
    metrics: Metrics
    cache: ByteCache
    embeddings: EmbeddingService
    llm: LlmProvider
    lead_scorer: LeadScorer
    fraud_scorer: FraudScorer
    project_index: ProjectIndex
    llm_loading: asyncio.Task[None] | None = None  # the provider's warm-up, running on after start
    # Built from the fields above (so every way of assembling Services gets them the same way):
    # The configured provider, then the one local model, for callers that would rather fall back than fail
    generation: ProviderFallback = field(init=False)
    language: LanguageDetector = field(init=False)
    translator: Translator = field(init=False)
    forecaster: Forecaster = field(init=False)  # loads (or trains) its model on first use
    jobs: JobRunner = field(init=False)  # AI jobs the projects subgraph's workers hand over
    analytics: Analytics = field(init=False)  # validated platform events and what they add up to

    def __post_init__(self) -> None:
        from .training.train import chain_activity, load_or_train_forecast

        # The served models' validation figures, as gauges: a retrained model that got worse shows on the dashboard.
        for scorer in (self.lead_scorer, self.fraud_scorer):
            self.metrics.record_training(scorer.version, scorer.metadata.get("metrics", {}))
        self.language = shared_detector()
        self.metrics.record_training(self.language.model_id, served_detector_figures())
        self.generation = ProviderFallback.for_settings(self.settings, self.llm, self.metrics)
        self.translator = Translator(
            self.generation,
            self.metrics,
            self.settings.generation_deadline_seconds,
            self.cache,
        )
        activity = chain_activity(self.settings)
        store = ForecastStore(self.settings.models_dir, lambda models_dir: load_or_train_forecast(models_dir, activity))
        self.forecaster = Forecaster(store, self.cache, self.metrics)
        self.jobs = JobRunner(self)
        self.analytics = Analytics(self.settings.data_dir, self.metrics)

    @classmethod
    async def start(
        cls,
        settings: Settings,
        *,
        metrics: Metrics | None = None,
        embedder: Embedder | None = None,
        llm: LlmProvider | None = None,
        cache: ByteCache | None = None,
    ) -> Services:
        """Loads everything before the first request, so no request pays for a cold model."""
        from .inference.llm.factory import create_provider
        from .training.train import load_or_train_fraud, load_or_train_lead

        metrics = metrics or Metrics()
        if embedder is None:
            from .inference.embedder import EmbedderFiles, SentenceEmbedder

            embedder = await asyncio.to_thread(SentenceEmbedder, EmbedderFiles.from_packages())
        lead, fraud = await asyncio.gather(
            asyncio.to_thread(load_or_train_lead, settings.models_dir),
            asyncio.to_thread(load_or_train_fraud, settings.models_dir),
        )
        cache = cache or create_cache(settings.redis_url)
        embeddings = EmbeddingService(
            embedder,
            cache,
            metrics,
            max_batch=settings.embed_max_batch,
            max_wait=settings.embed_max_wait_ms / 1000,
        )
        project_index = await ProjectIndex.open(settings, embeddings, metrics)
        services = cls(
            settings, metrics, cache, embeddings, llm or create_provider(settings), lead, fraud, project_index
        )
        if settings.redis_url:  # without Redis there is no bus to follow: each process has its own events
            services.analytics.listen(settings.redis_url, settings.event_channel_prefix, settings.index_poll_seconds)
        # Before the first request, like the other models (trained here, without its backtest, when missing).
        await asyncio.to_thread(services.forecaster.store.current)
        warm_up = getattr(services.llm, "warm_up", None)
        if warm_up is not None:
            # In the background, so the subgraph serves (and answers /health) seconds sooner; a generation
            # that arrives first waits for this same load, since the provider loads its model once.
            services.llm_loading = asyncio.create_task(_warm_up(warm_up))
        log.info(
            "ai services ready: embeddings %s, llm %s/%s, %s, %s, cache %s",
            embeddings.model_id,
            services.llm.name,
            services.llm.model,
            lead.version,
            fraud.version,
            cache.backend,
        )
        return services

    async def aclose(self) -> None:
        if self.llm_loading is not None:
            await self.llm_loading  # a model still loading is freed only once it has loaded
        await self.jobs.aclose()
        await self.analytics.aclose()
        await self.project_index.aclose()
        await self.embeddings.aclose()
        await self.llm.aclose()
        await self.generation.aclose()
        await self.cache.close()


async def _warm_up(warm_up: Callable[[], Awaitable[None]]) -> None:
    try:
        await warm_up()
    except Exception as error:  # noqa: BLE001 — the rest of the subgraph still serves
        log.warning("local language model unavailable, generation will fail: %s", error)
