"""Wires the project index for a running subgraph: open the saved index, follow the feed, listen for pokes."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass

from ..config import Settings
from ..errors import CodedError, ErrorCode
from ..inference.embedding_service import EmbeddingService
from ..metrics import Metrics
from .faiss_index import FILE_NAME, FaissVectorIndex
from .follower import IndexFollower, PullResult
from .pokes import PROJECT_CHANGED, listen_for_pokes
from .project_feed import FeedUnavailable, HttpProjectFeed
from .project_search import ProjectSearch
from .vector_index import IndexSlot


@dataclass
class ProjectIndex:
    search: ProjectSearch
    follower: IndexFollower | None
    pokes: asyncio.Task[None] | None = None

    @classmethod
    async def open(cls, settings: Settings, embeddings: EmbeddingService, metrics: Metrics) -> ProjectIndex:
        path = settings.index_dir / FILE_NAME

        def new_index() -> FaissVectorIndex:
            return FaissVectorIndex(path, embeddings.dimensions, embeddings.model_id)

        index = await asyncio.to_thread(FaissVectorIndex.open, path, embeddings.dimensions, embeddings.model_id)
        slot = IndexSlot(index)
        search = ProjectSearch(slot, metrics)
        if not settings.signing_secret:  # cannot sign feed calls: serve what is saved, follow nothing
            return cls(search, None)
        follower = IndexFollower(
            slot,
            HttpProjectFeed(settings.projects_url, settings.signing_secret),
            embeddings,
            new_index=new_index,
            page_size=settings.index_page_size,
            poll_seconds=settings.index_poll_seconds,
        )
        follower.start()
        pokes = None
        if settings.redis_url:
            channel = settings.event_channel_prefix + PROJECT_CHANGED
            pokes = asyncio.create_task(
                listen_for_pokes(settings.redis_url, channel, follower.poke, settings.index_poll_seconds),
                name="project-index-pokes",
            )
        return cls(search, follower, pokes)

    async def reindex(self) -> PullResult:
        """Rebuilds the index from the start of the feed (see IndexFollower.reindex); INDEX_UNAVAILABLE when
        this instance follows no feed or the feed cannot be read."""
        if self.follower is None:
            raise CodedError("This instance does not follow the projects feed", ErrorCode.INDEX_UNAVAILABLE)
        try:
            return await self.follower.reindex()
        except FeedUnavailable as error:
            raise CodedError(f"Could not read the projects feed: {error}", ErrorCode.INDEX_UNAVAILABLE) from None

    async def aclose(self) -> None:
        if self.pokes is not None:
            self.pokes.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.pokes
        if self.follower is not None:
            await self.follower.aclose()
