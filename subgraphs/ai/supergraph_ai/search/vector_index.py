"""The interface every vector index implements (today: faiss_index.FaissVectorIndex)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from .documents import IndexedProject, Scope


@dataclass(frozen=True)
class Match:
    project: IndexedProject
    score: float  # cosine similarity, -1 to 1


class VectorIndex(Protocol):
    """Unit vectors of projects with their metadata and the feed cursor they are current as of.

    `apply` changes vectors, metadata and cursor together: after a crash the index is as of some
    cursor, never half of a page, so pulling again from that cursor repairs everything.
    """

    @property
    def cursor(self) -> str | None: ...

    def __len__(self) -> int: ...

    def get(self, project_id: str) -> IndexedProject | None: ...

    def owned_by(self, owner_id: str) -> list[IndexedProject]: ...

    def vectors(self, project_ids: Sequence[str]) -> np.ndarray:
        """The stored vectors of indexed projects, one row per id, in order."""
        ...

    def apply(
        self, upserts: Sequence[tuple[IndexedProject, np.ndarray]], removals: Collection[str], cursor: str | None
    ) -> None: ...

    def search(
        self, queries: np.ndarray, k: int, scope: Scope, exclude: Sequence[Collection[str]] | None = None
    ) -> list[list[Match]]:
        """The k best matches of every query row (one index call for the whole matrix), limited to
        `scope`, leaving out `exclude[i]` for query i."""
        ...

    async def save(self) -> None:
        """Persists the current state atomically (a reader sees the old file or the new, never a mix)."""
        ...


class IndexSlot:
    """The index searches read now. A reindex builds a fresh index aside and swaps it in here in one
    assignment, so searches keep answering from the old one until the new one is complete."""

    def __init__(self, index: VectorIndex) -> None:
        self.current = index

    def swap(self, index: VectorIndex) -> None:
        self.current = index
