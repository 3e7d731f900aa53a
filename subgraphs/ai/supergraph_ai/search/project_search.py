"""The searches the schema asks of the project index, each one index call for many queries.

- `search`: query vectors against the projects a scope admits.
- `similar`: the nearest PUBLIC projects of each given project, itself left out.
- `recommendations`: for each user, the PUBLIC projects of others nearest the centroid (normalised mean)
  of the user's own indexed projects; nothing for a user with none.

Every call counts in `ai_vector_searches_total{operation}`, which is how the tests see that one
`_entities` call makes one index search.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np

from ..metrics import Metrics
from .documents import PUBLIC_ONLY, IndexedProject, Scope
from .vector_index import IndexSlot, Match


class ProjectSearch:
    def __init__(self, slot: IndexSlot, metrics: Metrics) -> None:
        self.slot = slot
        self._metrics = metrics
        metrics.indexed_projects.set_function(lambda: len(self.slot.current))

    def get(self, project_id: str) -> IndexedProject | None:
        return self.slot.current.get(project_id)

    def search(
        self,
        operation: str,
        queries: np.ndarray,
        k: int,
        scope: Scope,
        exclude: Sequence[Collection[str]] | None = None,
    ) -> list[list[Match]]:
        self._metrics.vector_searches.labels(operation).inc()
        return self.slot.current.search(queries, k, scope, exclude)

    def similar(self, project_ids: Sequence[str], k: int) -> list[list[Match]]:
        index = self.slot.current  # one index for the whole batch, even if a reindex swaps meanwhile
        known = [pid for pid in dict.fromkeys(project_ids) if index.get(pid) is not None]
        found: dict[str, list[Match]] = {}
        if known:
            self._metrics.vector_searches.labels("similar_projects").inc()
            rows = index.search(index.vectors(known), k, PUBLIC_ONLY, [{pid} for pid in known])
            found = dict(zip(known, rows, strict=True))
        return [found.get(pid, []) for pid in project_ids]

    def recommendations(self, user_ids: Sequence[str], k: int) -> list[list[Match]]:
        index = self.slot.current
        owned = {uid: [p.id for p in index.owned_by(uid)] for uid in dict.fromkeys(user_ids)}
        users = [uid for uid, ids in owned.items() if ids]
        found: dict[str, list[Match]] = {}
        if users:
            centroids = np.vstack([index.vectors(owned[uid]).mean(axis=0) for uid in users])
            centroids /= np.maximum(np.linalg.norm(centroids, axis=1, keepdims=True), 1e-12)
            self._metrics.vector_searches.labels("recommendations").inc()
            rows = index.search(centroids, k, PUBLIC_ONLY, [set(owned[uid]) for uid in users])
            found = dict(zip(users, rows, strict=True))
        return [found.get(uid, []) for uid in user_ids]
