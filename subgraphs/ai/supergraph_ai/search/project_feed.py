"""The projects subgraph's change feed (`projectIndexFeed`), as the index follows it.

Called directly on the projects subgraph, not through the router (the query is @inaccessible there),
through the signed service client.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from ..service_client import ServiceCallFailed, ServiceClient
from .documents import IndexedProject, Visibility

FEED_QUERY = """query ($after: String, $first: Int) {
  projectIndexFeed(after: $after, first: $first) {
    projects { id removed ownerId name description visibility version }
    cursor
    hasMore
  }
}"""


@dataclass(frozen=True)
class FeedPage:
    upserts: list[IndexedProject]
    removals: list[str]
    cursor: str
    has_more: bool


class FeedUnavailable(Exception):
    """The feed could not be read (network, refusal, unexpected shape); the message says which."""


class ProjectFeed(Protocol):
    async def page(self, after: str | None, first: int) -> FeedPage: ...

    async def aclose(self) -> None: ...


class HttpProjectFeed:
    def __init__(self, url: str, signing_secret: str, timeout_seconds: float = 10.0) -> None:
        self._client = ServiceClient("projects feed", url, signing_secret, timeout_seconds)

    async def page(self, after: str | None, first: int) -> FeedPage:
        try:
            data = await self._client.query(FEED_QUERY, {"after": after, "first": first})
        except ServiceCallFailed as error:
            raise FeedUnavailable(str(error)) from error
        return parse_page(data["projectIndexFeed"])

    async def aclose(self) -> None:
        await self._client.aclose()


def parse_page(data: dict[str, Any]) -> FeedPage:
    upserts: list[IndexedProject] = []
    removals: list[str] = []
    for entry in data["projects"]:
        if entry["removed"]:
            removals.append(entry["id"])
            continue
        upserts.append(
            IndexedProject(
                id=entry["id"],
                owner_id=entry["ownerId"],
                name=entry["name"],
                description=entry["description"],
                visibility=Visibility(entry["visibility"]),
                version=int(entry["version"]),
            )
        )
    return FeedPage(upserts, removals, str(data["cursor"]), bool(data["hasMore"]))
