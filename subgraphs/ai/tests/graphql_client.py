"""Tiny helpers to post GraphQL to the app under test."""

from __future__ import annotations

from typing import Any

import httpx

from supergraph_ai.identity import Identity

from .helpers import ADMIN, headers_for


async def gql(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    identity: Identity | None = ADMIN,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, Any]]:
    sent = dict(headers or {})
    if identity is not None:
        sent.update(headers_for(identity))
    response = await client.post("/graphql", json={"query": query, "variables": variables or {}}, headers=sent)
    return response.status_code, response.json()


def error_codes(body: dict[str, Any]) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors", [])]
