"""Keeps the project index current with the projects subgraph's change feed.

It pulls from the index's persisted cursor on start, whenever a `projects.projectChanged` poke
arrives (pokes.py), and every `poll_seconds` (the only path when there is no Redis, since each
process then has its own event bus). Pulls run one at a time: pokes that arrive during a pull are
coalesced into one more pull after it. A missed poke costs at most one poll interval, never a change,
because the feed, not the poke, says what changed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from .project_feed import ProjectFeed
from .vector_index import IndexSlot, VectorIndex

log = logging.getLogger(__name__)


class TextEmbedder(Protocol):
    async def embed(self, texts: Sequence[str]) -> np.ndarray: ...


@dataclass(frozen=True)
class PullResult:
    indexed: int  # projects embedded and upserted
    removed: int
    pages: int


class IndexFollower:
    def __init__(
        self,
        slot: IndexSlot,
        feed: ProjectFeed,
        embeddings: TextEmbedder,
        *,
        new_index: Callable[[], VectorIndex],
        page_size: int,
        poll_seconds: float,
    ) -> None:
        self.slot = slot
        self._feed = feed
        self._embeddings = embeddings
        self._new_index = new_index
        self._page_size = page_size
        self._poll_seconds = poll_seconds
        self._lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self._pulled = asyncio.Condition()
        self.pulls = 0  # completed pulls

    def poke(self) -> None:
        """Something changed: pull soon. Many pokes before the next pull make one pull."""
        self._wake.set()

    async def pull(self) -> PullResult:
        """Applies every page after the live index's cursor, saving after each page."""
        async with self._lock:
            result = await self._drain(self.slot.current, save_each_page=True)
        self.pulls += 1
        async with self._pulled:
            self._pulled.notify_all()
        return result

    async def wait_for(self, condition: Callable[[], bool]) -> None:
        """Returns once `condition` holds, checking after every completed pull (for tests and tools)."""
        async with self._pulled:
            await self._pulled.wait_for(condition)

    async def reindex(self) -> PullResult:
        """Rebuilds from cursor zero into a fresh index, then swaps it in. Searches keep using the old
        index meanwhile; pulls wait, and resume from the fresh index's cursor."""
        async with self._lock:
            fresh = self._new_index()
            result = await self._drain(fresh, save_each_page=False)
            await fresh.save()
            self.slot.swap(fresh)
            log.info("project index rebuilt: %d projects from %d pages", len(fresh), result.pages)
            return result

    async def _drain(self, index: VectorIndex, *, save_each_page: bool) -> PullResult:
        indexed = removed = pages = 0
        while True:
            page = await self._feed.page(index.cursor, self._page_size)
            vectors = await self._embeddings.embed([p.text for p in page.upserts]) if page.upserts else np.zeros((0, 0))
            index.apply(list(zip(page.upserts, vectors, strict=True)), page.removals, page.cursor)
            if save_each_page:
                await index.save()
            indexed, removed, pages = indexed + len(page.upserts), removed + len(page.removals), pages + 1
            if not page.has_more:
                return PullResult(indexed, removed, pages)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="project-index-follower")

    async def _run(self) -> None:
        # The flag, not only the cancellation, ends the loop: Python 3.11's asyncio.wait_for drops a
        # cancellation that arrives as the event it waits on is set (a poke racing aclose), and the
        # loop would then sleep a whole poll interval with aclose waiting on it.
        while not self._closing:
            # Cleared before pulling: a poke during the pull wakes the next iteration at once.
            self._wake.clear()
            try:
                await self.pull()
            except Exception as error:  # noqa: BLE001 — the feed may be down; retry at the next poll
                log.warning("project index pull failed, retrying in %ss: %s", self._poll_seconds, error)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._poll_seconds)

    async def aclose(self) -> None:
        self._closing = True
        self._wake.set()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._feed.aclose()
