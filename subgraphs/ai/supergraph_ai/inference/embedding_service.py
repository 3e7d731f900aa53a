"""Embeddings as the API serves them: cached, micro-batched, measured.

Repeated texts (a product description embedded on every page view) are answered from the cache, keyed
by model id and the text's sha256 so a new model never reads an old model's vectors; the rest go
through the micro-batcher, so concurrent requests share one model call.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from ..cache import ByteCache
from ..metrics import Metrics
from .batcher import MicroBatcher

CACHE_TTL_SECONDS = 7 * 24 * 3600


class Embedder(Protocol):
    model_id: str
    dimensions: int

    def embed(self, texts: list[str]) -> np.ndarray: ...


class EmbeddingService:
    def __init__(
        self, embedder: Embedder, cache: ByteCache, metrics: Metrics, *, max_batch: int, max_wait: float
    ) -> None:
        self.model_id = embedder.model_id
        self.dimensions = embedder.dimensions
        self._embedder = embedder
        self._cache = cache
        self._metrics = metrics
        self._batcher: MicroBatcher[str, np.ndarray] = MicroBatcher(
            self._run_batch,
            max_batch=max_batch,
            max_wait=max_wait,
            on_batch=lambda size, seconds: metrics.observe_batch(self.model_id, "embed", size, seconds),
        )

    def _run_batch(self, texts: list[str]) -> list[np.ndarray]:
        return list(self._embedder.embed(texts))

    def _key(self, text: str) -> str:
        return f"emb:{self.model_id}:{hashlib.sha256(text.encode('utf-8')).hexdigest()}"

    async def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors (float32), one row per text, in order."""
        keys = [self._key(t) for t in texts]
        cached = await self._cache.get_many(keys)
        vectors: list[np.ndarray | None] = [
            None if blob is None else np.frombuffer(blob, dtype=np.float32) for blob in cached
        ]
        # Within one request the same text is embedded once.
        missing = list(dict.fromkeys(t for t, v in zip(texts, vectors, strict=True) if v is None))
        hits = len(texts) - sum(v is None for v in vectors)
        self._metrics.cache_lookups.labels("hit").inc(hits)
        self._metrics.cache_lookups.labels("miss").inc(len(texts) - hits)
        if missing:
            computed = dict(zip(missing, await self._batcher.submit(missing), strict=True))
            await self._cache.set_many(
                {self._key(t): v.astype(np.float32).tobytes() for t, v in computed.items()}, CACHE_TTL_SECONDS
            )
            vectors = [computed[t] if v is None else v for t, v in zip(texts, vectors, strict=True)]
        return np.vstack([v for v in vectors if v is not None]).astype(np.float32)

    async def aclose(self) -> None:
        await self._batcher.close()
