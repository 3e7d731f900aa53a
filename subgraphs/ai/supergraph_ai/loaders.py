"""Per-request DataLoaders: every entity of one `_entities` call is scored in one model call, or
searched in one vector index call.

Strawberry calls `resolve_reference` once per representation, and each entity's field resolver then
`load`s its key; the DataLoader collects the keys of the whole tick and calls the batch function
once. The loaders live in the request context, so their caches never outlive one request.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from .models.fraud import FraudScoreResult, PaymentFeatures
from .models.lead_scoring import LeadInput, LeadScoreResult
from .search.vector_index import Match
from .services import Services

# (entity id, first): a batch is searched once with the largest `first`, each key then takes its own.
SearchKey = tuple[str, int]


class Loaders:
    def __init__(self, services: Services) -> None:
        self._services = services
        self.lead_score: DataLoader[LeadInput, LeadScoreResult] = DataLoader(load_fn=self._lead_scores)
        self.fraud_score: DataLoader[PaymentFeatures, FraudScoreResult] = DataLoader(load_fn=self._fraud_scores)
        self.similar_projects: DataLoader[SearchKey, list[Match]] = DataLoader(load_fn=self._similar_projects)
        self.recommendations: DataLoader[SearchKey, list[Match]] = DataLoader(load_fn=self._recommendations)

    async def _similar_projects(self, keys: Sequence[SearchKey]) -> list[list[Match]]:
        rows = self._services.project_index.search.similar([pid for pid, _ in keys], max(k for _, k in keys))
        return [row[:k] for row, (_, k) in zip(rows, keys, strict=True)]

    async def _recommendations(self, keys: Sequence[SearchKey]) -> list[list[Match]]:
        rows = self._services.project_index.search.recommendations([uid for uid, _ in keys], max(k for _, k in keys))
        return [row[:k] for row, (_, k) in zip(rows, keys, strict=True)]

    async def _lead_scores(self, keys: Sequence[LeadInput]) -> list[LeadScoreResult | BaseException]:
        # A linear model over a few hundred rows takes microseconds: no thread hop needed.
        scorer = self._services.lead_scorer
        started = time.perf_counter()
        try:
            results: list[LeadScoreResult | BaseException] = list(scorer.score(list(keys)))
        except ValueError as error:
            return [error] * len(keys)
        self._services.metrics.observe_batch(scorer.version, "lead_score", len(keys), time.perf_counter() - started)
        return results

    async def _fraud_scores(self, keys: Sequence[PaymentFeatures]) -> list[FraudScoreResult | BaseException]:
        scorer = self._services.fraud_scorer
        started = time.perf_counter()
        try:
            results: list[FraudScoreResult | BaseException] = list(scorer.score(list(keys)))
        except ValueError as error:
            return [error] * len(keys)
        self._services.metrics.observe_batch(scorer.version, "fraud_score", len(keys), time.perf_counter() - started)
        return results
