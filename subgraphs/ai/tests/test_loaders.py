"""The fraud loader behind Payment.fraudScore: one forest call per tick."""

from __future__ import annotations

import asyncio
from typing import Any

from supergraph_ai.loaders import Loaders
from supergraph_ai.models.fraud import FraudScorer, PaymentFeatures
from supergraph_ai.services import Services


class CountingFraud:
    def __init__(self, inner: FraudScorer) -> None:
        self.inner = inner
        self.version = inner.version
        self.batches: list[int] = []

    def score(self, payments: list[Any]) -> list[Any]:
        self.batches.append(len(payments))
        return self.inner.score(payments)


async def test_fraud_scores_are_batched_per_tick(services: Services) -> None:
    counting = CountingFraud(services.fraud_scorer)
    services.fraud_scorer = counting  # type: ignore[assignment]
    loaders = Loaders(services)
    payments = [PaymentFeatures(f"p-{i}", 20.0 + i, 12, 300.0, 1, 0) for i in range(10)]
    results = await asyncio.gather(*(loaders.fraud_score.load(p) for p in payments))
    assert counting.batches == [10]
    assert [r.model_version for r in results] == ["fraud-iforest-v3"] * 10
    rendered = services.metrics.render().decode()
    assert 'ai_inference_batch_size_sum{model="fraud-iforest-v3",operation="fraud_score"} 10.0' in rendered


async def test_a_bad_batch_fails_each_key(services: Services) -> None:
    loaders = Loaders(services)
    bad = PaymentFeatures("p-bad", float("inf"), 1, 1.0, 1, 1)
    outcome = await asyncio.gather(loaders.fraud_score.load(bad), return_exceptions=True)
    assert isinstance(outcome[0], ValueError)
