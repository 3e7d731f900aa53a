"""The projects subgraph's change feed (`projectIndexFeed`), as the index follows it.

Called directly on the projects subgraph, not through the router (the query is @inaccessible there),
with a SERVICE identity signed like the router's (identity.sign_identity).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from ..identity import ServiceIdentity, sign_identity
from ..observability import inject_trace_headers
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
        self._url = url
        self._secret = signing_secret
        self._http = httpx.AsyncClient(timeout=timeout_seconds)

    async def page(self, after: str | None, first: int) -> FeedPage:
        try:
            response = await self._http.post(
                self._url,
                json={"query": FEED_QUERY, "variables": {"after": after, "first": first}},
                # Signed per call: a signature expires after 60 s.
                headers=inject_trace_headers(sign_identity(ServiceIdentity(), self._secret)),
            )
            body: dict[str, Any] = response.json()
        except (httpx.HTTPError, ValueError) as error:
            raise FeedUnavailable(f"projects feed at {self._url}: {error!r}") from error
        if body.get("errors") or not body.get("data"):
            first_error = (body.get("errors") or [{}])[0]
            code = first_error.get("extensions", {}).get("code", response.status_code)
            raise FeedUnavailable(f"projects feed refused ({code}): {first_error.get('message', 'no data')}")
        return parse_page(body["data"]["projectIndexFeed"])

    async def aclose(self) -> None:
        await self._http.aclose()


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
