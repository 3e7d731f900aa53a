"""Prometheus metrics of the subgraph, served at /metrics.

One registry per application (not the process-global one) so that tests can build several apps in one
process, and so /metrics shows exactly this subgraph's series.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256)
QUALITY_FIGURES = ("auc", "precision", "recall", "mae", "mape", "coverage", "accuracy")


class Metrics:
    content_type = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.inference_latency = Histogram(
            "ai_inference_latency_seconds",
            "Wall time of one model call (one batch), by model and operation",
            ["model", "operation"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.batch_size = Histogram(
            "ai_inference_batch_size",
            "Items sent to the model in one call",
            ["model", "operation"],
            buckets=BATCH_BUCKETS,
            registry=self.registry,
        )
        self.items = Counter(
            "ai_inference_items",
            "Items processed by the models (throughput: rate() of this counter)",
            ["model", "operation"],
            registry=self.registry,
        )
        self.generation_tokens = Counter(
            "ai_generation_tokens",
            "Tokens produced by generation, by provider",
            ["provider", "model"],
            registry=self.registry,
        )
        self.generation_latency = Histogram(
            "ai_generation_latency_seconds",
            "Wall time of a whole generation, by provider and mode (complete or stream)",
            ["provider", "model", "mode"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.time_to_first_token = Histogram(
            "ai_generation_time_to_first_token_seconds",
            "Wall time until the first streamed token",
            ["provider", "model"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.cache_lookups = Counter(
            "ai_embedding_cache_lookups",
            "Embedding cache lookups by result (hit or miss)",
            ["result"],
            registry=self.registry,
        )
        self.vector_searches = Counter(
            "ai_vector_searches",
            "Calls into the project vector index (each may carry many queries), by operation",
            ["operation"],
            registry=self.registry,
        )
        self.indexed_projects = Gauge(
            "ai_indexed_projects",
            "Projects in the live vector index",
            registry=self.registry,
        )
        self.provider_errors = Counter(
            "ai_provider_errors",
            "Generations that failed, by provider and error code "
            "(PROVIDER_ERROR, MODEL_UNAVAILABLE, GENERATION_TIMEOUT)",
            ["provider", "code"],
            registry=self.registry,
        )
        self.model_quality = Gauge(
            "ai_model_quality",
            "Validation figures of each served model from its training (held-out data): auc, precision, recall, "
            "by model version and evaluation (the threshold they were measured at: hot, warm_or_hot, flagged; "
            "outside_clusters: the fraud model's payerCluster reason as a detector); "
            "for the price forecaster mae, mape (percent) and coverage of its interval, by evaluation "
            "(validation_<member> in log returns, backtest_<member>[_h<months>] in the series' unit); "
            "for the language detector its accuracy on the shipped labelled sample (labelled_sample[_short])",
            ["model", "evaluation", "metric"],
            registry=self.registry,
        )
        self.unauthenticated = Counter(
            "ai_unauthenticated_requests",
            "Requests refused because the router's signature was missing, wrong or expired",
            ["transport"],
            registry=self.registry,
        )

        self.job_runs = Counter(
            "ai_job_runs",
            "AI job runs started, by kind: one per job attempt, however often its workers ask",
            ["kind"],
            registry=self.registry,
        )
        self.job_seconds = Histogram(
            "ai_job_duration_seconds",
            "Wall time of an AI job run, by kind and outcome (SUCCEEDED or FAILED)",
            ["kind", "status"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )

        self.analytics_records = Counter(
            "ai_analytics_records",
            "Events the analytics pipeline received, by channel and outcome: stored (passed validation), "
            "quarantined (with its reason), duplicate (a replayed event id, which changes nothing)",
            ["channel", "outcome"],
            registry=self.registry,
        )
        self.analytics_pass_rate = Gauge(
            "ai_analytics_validation_pass_rate",
            "Share of the distinct records the analytics store ever received that passed validation",
            registry=self.registry,
        )

    def observe_batch(self, model: str, operation: str, size: int, seconds: float) -> None:
        self.inference_latency.labels(model, operation).observe(seconds)
        self.batch_size.labels(model, operation).observe(size)
        self.items.labels(model, operation).inc(size)

    def record_training(self, model: str, validation: Mapping[str, object]) -> None:
        """Publishes a model's training figures: its metadata's `metrics`, evaluation -> {auc, precision, recall…}."""
        for evaluation, metric, value in _quality_figures(validation):
            self.model_quality.labels(model, evaluation, metric).set(value)

    def forget_training(self, model: str, validation: Mapping[str, object]) -> None:
        """Withdraws what record_training published for a model no longer served (replaced by a retrained one)."""
        for evaluation, metric, _ in _quality_figures(validation):
            self.model_quality.remove(model, evaluation, metric)

    def render(self) -> bytes:
        return generate_latest(self.registry)


def _quality_figures(validation: Mapping[str, object]) -> Iterator[tuple[str, str, float]]:
    for evaluation, figures in validation.items():
        if isinstance(figures, Mapping):
            for metric in QUALITY_FIGURES:
                value = figures.get(metric)
                if isinstance(value, int | float):
                    yield evaluation, metric, value
