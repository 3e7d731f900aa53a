"""Inference benchmark of the AI subgraph's models, in process, on this machine's CPU.

    subgraphs/ai/.venv/bin/python bench/inference.py [--texts 256]

Measures what the micro-batcher buys (the same texts embedded one call per text, then as concurrent
requests through the batching service), local generation speed, and batched lead and fraud scoring.
Bounded: a fixed number of items, no network, nothing left running.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "subgraphs" / "ai"))

from supergraph_ai.cache import InMemoryCache  # noqa: E402
from supergraph_ai.inference.embedder import EmbedderFiles, SentenceEmbedder  # noqa: E402
from supergraph_ai.inference.embedding_service import EmbeddingService  # noqa: E402
from supergraph_ai.inference.llm.base import GenerationRequest, TextDelta  # noqa: E402
from supergraph_ai.inference.llm.local_provider import LocalLlamaProvider  # noqa: E402
from supergraph_ai.metrics import Metrics  # noqa: E402
from supergraph_ai.models.fraud import PaymentFeatures  # noqa: E402
from supergraph_ai.models.lead_scoring import LeadInput  # noqa: E402
from supergraph_ai.training.train import load_or_train_fraud, load_or_train_lead  # noqa: E402
from supergraph_ai.validation import GenerationParams  # noqa: E402


def texts(n: int) -> list[str]:
    topics = ["federated graphs", "wallet sign-in", "invoice payments", "project boards", "token streaming"]
    return [f"Request {i}: a user asks about {topics[i % len(topics)]} in their workspace number {i % 17}" for i in range(n)]


async def bench_embeddings(embedder: SentenceEmbedder, n: int) -> None:
    items = texts(n)
    embedder.embed(items[:8])  # warm up
    started = time.perf_counter()
    for text in items:
        embedder.embed([text])
    sequential = time.perf_counter() - started

    metrics = Metrics()
    service = EmbeddingService(embedder, InMemoryCache(), metrics, max_batch=64, max_wait=0.005)
    latencies: list[float] = []

    async def one(text: str) -> None:
        t0 = time.perf_counter()
        await service.embed([text])
        latencies.append(time.perf_counter() - t0)

    started = time.perf_counter()
    await asyncio.gather(*(one(t) for t in items))
    batched = time.perf_counter() - started
    await service.aclose()
    samples = {s.name: s.value for m in metrics.registry.collect() for s in m.samples}
    calls, count = samples["ai_inference_batch_size_sum"], samples["ai_inference_batch_size_count"]
    latencies.sort()
    print(f"embeddings ({embedder.model_id}), {n} single-text requests")
    print(f"  one model call per text : {n / sequential:8.1f} texts/s")
    print(
        f"  concurrent, micro-batched: {n / batched:8.1f} texts/s  ({int(count)} model calls, mean batch {calls / count:.1f};"
        f" request p50 {statistics.median(latencies) * 1000:.0f} ms, p99 {latencies[int(0.99 * (n - 1))] * 1000:.0f} ms)"
    )


async def bench_generation() -> None:
    provider = LocalLlamaProvider(model_path=None, threads=2, context_tokens=1024)
    await provider.warm_up()
    request = GenerationRequest("Explain GraphQL federation in three sentences.", GenerationParams(max_tokens=96, temperature=0))
    started = time.perf_counter()
    first: float | None = None
    tokens = 0
    async for event in provider.stream(request):
        if isinstance(event, TextDelta):
            tokens += 1
            first = first or time.perf_counter() - started
    total = time.perf_counter() - started
    await provider.aclose()
    print(f"local generation ({provider.model}): {tokens} tokens in {total:.2f} s = {tokens / total:.1f} tokens/s, first token {first * 1000:.0f} ms")


def bench_scoring(models_dir: Path) -> None:
    lead, fraud = load_or_train_lead(models_dir), load_or_train_fraud(models_dir)
    now = datetime.now(UTC)
    users = [LeadInput(f"u{i}", ("FREE", "PRO", "ENTERPRISE")[i % 3], now - timedelta(days=i % 900), i % 4) for i in range(100)]
    payments = [PaymentFeatures(f"p{i}", 10.0 + i, i % 24, float(i), i % 5, i % 3) for i in range(100)]
    for label, run in (("lead scores", lambda: lead.score(users)), ("fraud scores", lambda: fraud.score(payments))):
        run()
        samples = []
        for _ in range(20):
            t0 = time.perf_counter()
            run()
            samples.append(time.perf_counter() - t0)
        print(f"{label}: a batch of 100 in {statistics.median(samples) * 1000:.2f} ms (median of 20)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=256)
    args = parser.parse_args()
    embedder = SentenceEmbedder(EmbedderFiles.from_packages())
    asyncio.run(bench_embeddings(embedder, args.texts))
    asyncio.run(bench_generation())
    with tempfile.TemporaryDirectory() as models_dir:
        bench_scoring(Path(models_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main())
