"""Calls another subgraph directly, not through the router, with a SERVICE identity signed like the
router's (identity.sign_identity): how this subgraph reads other subgraphs' service-only (@inaccessible)
feeds, such as the projects change feed and the blockchain's transfer feed.
"""

from __future__ import annotations

from typing import Any

import httpx

from .identity import ServiceIdentity, sign_identity
from .observability import inject_trace_headers


class ServiceCallFailed(Exception):
    """The call could not be made or was refused (network, an error answer, no data); the message says which."""


class ServiceClient:
    def __init__(self, name: str, url: str, signing_secret: str, timeout_seconds: float = 10.0) -> None:
        self._name = name  # for messages: "projects feed", "blockchain transfer feed"
        self._url = url
        self._secret = signing_secret
        self._http = httpx.AsyncClient(timeout=timeout_seconds)

    async def query(self, document: str, variables: dict[str, Any]) -> dict[str, Any]:
        """The answer's `data`; raises ServiceCallFailed on anything else."""
        try:
            response = await self._http.post(
                self._url,
                json={"query": document, "variables": variables},
                # Signed per call: a signature expires after 60 s.
                headers=inject_trace_headers(sign_identity(ServiceIdentity(), self._secret)),
            )
            body: dict[str, Any] = response.json()
        except (httpx.HTTPError, ValueError) as error:
            raise ServiceCallFailed(f"{self._name} at {self._url}: {error!r}") from error
        if body.get("errors") or not body.get("data"):
            first_error = (body.get("errors") or [{}])[0]
            code = first_error.get("extensions", {}).get("code", response.status_code)
            raise ServiceCallFailed(f"{self._name} refused ({code}): {first_error.get('message', 'no data')}")
        data: dict[str, Any] = body["data"]
        return data

    async def aclose(self) -> None:
        await self._http.aclose()
