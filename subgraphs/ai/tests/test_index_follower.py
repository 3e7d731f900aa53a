"""The index follows the real projects subgraph's change feed: on start, on Redis pokes, on its poll;
pokes coalesce; a reindex swaps a complete fresh index in while searches keep answering."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import numpy as np
import pytest

from supergraph_ai.identity import UserIdentity
from supergraph_ai.search.documents import EVERYTHING, Visibility
from supergraph_ai.search.faiss_index import FILE_NAME, FaissVectorIndex
from supergraph_ai.search.follower import IndexFollower
from supergraph_ai.search.pokes import PROJECT_CHANGED, listen_for_pokes
from supergraph_ai.search.project_feed import FeedPage, HttpProjectFeed
from supergraph_ai.search.vector_index import IndexSlot
from supergraph_ai.services import Services

from .helpers import SECRET
from .projects_process import REDIS_URL, ProjectsSubgraph, projects_subgraph

ADA = UserIdentity(
    user_id="5b0e8a4e-7d1c-4c55-9d39-1f5f5a0e0a01", roles=("USER",), tier="FREE", scopes=("*",), via="jwt"
)
CREATE = """mutation ($name: String!, $description: String, $visibility: Visibility) {
  createProject(name: $name, description: $description, visibility: $visibility) { id } }"""
UPDATE = "mutation ($id: ID!, $visibility: Visibility) { updateProject(id: $id, visibility: $visibility) { id } }"
WAIT = 30


@pytest.fixture(scope="module")
def projects() -> Iterator[ProjectsSubgraph]:
    with projects_subgraph() as subgraph:
        yield subgraph


def create(projects: ProjectsSubgraph, name: str, description: str = "", visibility: str = "PUBLIC") -> str:
    data = projects.call(CREATE, {"name": name, "description": description, "visibility": visibility}, ADA)
    return str(data["createProject"]["id"])


class GatedFeed(HttpProjectFeed):
    """The real feed, with a gate tests can close to hold a pull in the middle of its first page."""

    def __init__(self, url: str) -> None:
        super().__init__(url, SECRET)
        self.gate = asyncio.Event()
        self.gate.set()
        self.waiting = asyncio.Event()
        self.calls = 0

    async def page(self, after: str | None, first: int) -> FeedPage:
        self.calls += 1
        self.waiting.set()
        await self.gate.wait()
        return await super().page(after, first)


def make_follower(
    projects: ProjectsSubgraph,
    services: Services,
    path: Path,
    poll_seconds: float = 3600,
    feed: GatedFeed | None = None,
) -> IndexFollower:
    embeddings = services.embeddings

    def new_index() -> FaissVectorIndex:
        return FaissVectorIndex(path, embeddings.dimensions, embeddings.model_id)

    slot = IndexSlot(FaissVectorIndex.open(path, embeddings.dimensions, embeddings.model_id))
    return IndexFollower(
        slot, feed or GatedFeed(projects.url), embeddings, new_index=new_index, page_size=2, poll_seconds=poll_seconds
    )


def visibility(follower: IndexFollower, project_id: str) -> Visibility | None:
    project = follower.slot.current.get(project_id)
    return None if project is None else project.visibility


@contextlib.asynccontextmanager
async def running(follower: IndexFollower) -> AsyncIterator[IndexFollower]:
    follower.start()
    try:
        yield follower
    finally:
        await follower.aclose()


async def test_indexes_on_start_then_follows_redis_pokes_and_resumes_from_its_saved_cursor(
    projects: ProjectsSubgraph, services: Services, tmp_path: Path
) -> None:
    path = tmp_path / FILE_NAME
    before = create(projects, "Existing", "made before the index started")
    follower = make_follower(projects, services, path)  # polls hourly: only pokes can make it pull now
    channel = projects.event_channel_prefix + PROJECT_CHANGED
    pokes = asyncio.create_task(listen_for_pokes(REDIS_URL, channel, follower.poke, 1))
    async with running(follower):
        await asyncio.wait_for(follower.wait_for(lambda: follower.slot.current.get(before) is not None), WAIT)
        pulls = follower.pulls
        await asyncio.wait_for(follower.wait_for(lambda: follower.pulls > pulls), WAIT)  # the subscription's own poke

        fresh = create(projects, "Telescope", "Amateur astronomy", "PRIVATE")
        await asyncio.wait_for(follower.wait_for(lambda: follower.slot.current.get(fresh) is not None), WAIT)
        indexed = follower.slot.current.get(fresh)
        assert indexed is not None
        assert (indexed.owner_id, indexed.visibility) == (ADA.user_id, Visibility.PRIVATE)

        projects.call(UPDATE, {"id": fresh, "visibility": "PUBLIC"}, ADA)
        await asyncio.wait_for(follower.wait_for(lambda: visibility(follower, fresh) is Visibility.PUBLIC), WAIT)
        cursor = follower.slot.current.cursor
    pokes.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await pokes

    # A restart reopens the saved index at its cursor: nothing to pull, nothing re-embedded.
    reopened = FaissVectorIndex.open(path, services.embeddings.dimensions, services.embeddings.model_id)
    assert reopened.cursor == cursor
    assert reopened.get(fresh) is not None
    assert reopened.get(before) is not None
    again = make_follower(projects, services, path)
    result = await again.pull()
    assert (result.indexed, result.removed) == (0, 0)
    await again.aclose()


async def test_without_redis_the_poll_alone_picks_up_changes(
    projects: ProjectsSubgraph, services: Services, tmp_path: Path
) -> None:
    follower = make_follower(projects, services, tmp_path / FILE_NAME, poll_seconds=0.1)
    async with running(follower):
        await asyncio.wait_for(follower.wait_for(lambda: follower.pulls > 0), WAIT)
        pid = create(projects, "Polled", "seen by polling")
        await asyncio.wait_for(follower.wait_for(lambda: follower.slot.current.get(pid) is not None), WAIT)


async def test_closing_as_a_poke_arrives_stops_the_follower_at_once(
    projects: ProjectsSubgraph, services: Services, tmp_path: Path
) -> None:
    # Python 3.11's wait_for drops a cancellation that comes just as the awaited event is set.
    follower = make_follower(projects, services, tmp_path / FILE_NAME)  # polls hourly
    follower.start()
    await asyncio.wait_for(follower.wait_for(lambda: follower.pulls > 0), WAIT)
    follower.poke()
    await asyncio.sleep(0)
    closing = asyncio.create_task(follower.aclose())
    done, _ = await asyncio.wait({closing}, timeout=WAIT)  # unlike wait_for, leaves a hung close hung
    if not done:
        closing.cancel()
    assert closing in done, "aclose still waits for a follower asleep for its poll interval"


async def test_pokes_during_a_pull_coalesce_into_one_more_pull(
    projects: ProjectsSubgraph, services: Services, tmp_path: Path
) -> None:
    feed = GatedFeed(projects.url)
    follower = make_follower(projects, services, tmp_path / FILE_NAME, feed=feed)
    feed.gate.clear()
    async with running(follower):
        await asyncio.wait_for(feed.waiting.wait(), WAIT)  # the first pull is held at its first page
        for _ in range(10):
            follower.poke()
        feed.gate.set()
        await asyncio.wait_for(follower.wait_for(lambda: follower.pulls >= 2), WAIT)
        pulls_after_pokes = follower.pulls
        # Nothing more was asked for: no third pull starts (the next one would be the hourly poll).
        await asyncio.sleep(0)
    assert pulls_after_pokes == 2
    assert follower.pulls == 2


async def test_reindex_builds_a_fresh_index_and_swaps_it_in_while_searches_keep_answering(
    projects: ProjectsSubgraph, services: Services, tmp_path: Path
) -> None:
    path = tmp_path / FILE_NAME
    feed = GatedFeed(projects.url)
    follower = make_follower(projects, services, path, feed=feed)
    create(projects, "Reindexed", "rebuilt from cursor zero")
    await follower.pull()
    old = follower.slot.current
    query = (await services.embeddings.embed(["rebuilt from cursor zero"]))[0][None, :]
    before = [m.project.id for m in old.search(query, 50, EVERYTHING)[0]]

    feed.gate.clear()
    feed.waiting.clear()
    reindex = asyncio.create_task(follower.reindex())
    await asyncio.wait_for(feed.waiting.wait(), WAIT)
    # Mid-rebuild: the old index still answers, unchanged.
    assert follower.slot.current is old
    assert [m.project.id for m in follower.slot.current.search(query, 50, EVERYTHING)[0]] == before
    feed.gate.set()
    result = await asyncio.wait_for(reindex, WAIT)

    assert follower.slot.current is not old
    assert result.indexed == len(follower.slot.current) == len(old)
    assert result.pages >= 2
    assert [m.project.id for m in follower.slot.current.search(query, 50, EVERYTHING)[0]] == before
    reopened = FaissVectorIndex.open(path, services.embeddings.dimensions, services.embeddings.model_id)
    assert reopened.cursor == follower.slot.current.cursor
    assert len(reopened) == len(old)
    np.testing.assert_allclose(reopened.vectors(before[:1]), old.vectors(before[:1]), atol=1e-6)
    await follower.aclose()
