"""User entity fields resolved through `_entities`, batched by a DataLoader."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from supergraph_ai.models.lead_scoring import LeadScorer
from supergraph_ai.services import Services

from .graphql_client import error_codes, gql
from .helpers import ADMIN, SERVICE, USER

ENTITIES = """
query ($representations: [_Any!]!) {
  _entities(representations: $representations) {
    ... on User { id leadScore { score band modelVersion factors { feature value contribution } } }
  }
}
"""


def representation(user_id: str, tier: str = "PRO", age_days: float = 30, wallets: int = 1) -> dict[str, Any]:
    created = (datetime.now(UTC) - timedelta(days=age_days)).isoformat().replace("+00:00", "Z")
    return {
        "__typename": "User",
        "id": user_id,
        "tier": tier,
        "createdAt": created,
        "walletAddresses": [f"0x{i:040x}" for i in range(wallets)],
    }


class CountingScorer:
    def __init__(self, inner: LeadScorer) -> None:
        self.inner = inner
        self.version = inner.version
        self.batches: list[int] = []

    def score(self, inputs: list[Any], now: datetime | None = None) -> list[Any]:
        self.batches.append(len(inputs))
        return self.inner.score(inputs, now)


@pytest.fixture
def counting_scorer(services: Services) -> CountingScorer:
    scorer = CountingScorer(services.lead_scorer)
    services.lead_scorer = scorer  # type: ignore[assignment]
    return scorer


async def test_all_representations_are_scored_in_one_model_call(
    client: httpx.AsyncClient, counting_scorer: CountingScorer
) -> None:
    reps = [representation(f"u-{i}", tier=("FREE", "PRO", "ENTERPRISE")[i % 3], age_days=3 + 40 * i) for i in range(25)]
    status, body = await gql(client, ENTITIES, {"representations": reps}, identity=SERVICE)
    assert status == 200, body
    assert "errors" not in body, body
    assert counting_scorer.batches == [25]
    users = body["data"]["_entities"]
    assert [u["id"] for u in users] == [f"u-{i}" for i in range(25)]
    for user in users:
        score = user["leadScore"]
        assert 0 < score["score"] < 1
        assert score["modelVersion"] == "lead-score-v1"
        assert {f["feature"] for f in score["factors"]} == {"tier", "accountAge", "wallets"}
        contributions = [abs(f["contribution"]) for f in score["factors"]]
        assert contributions == sorted(contributions, reverse=True)


async def test_scores_follow_the_features(client: httpx.AsyncClient) -> None:
    reps = [
        representation("cold", tier="FREE", age_days=900, wallets=0),
        representation("hot", tier="ENTERPRISE", age_days=5, wallets=3),
    ]
    _, body = await gql(client, ENTITIES, {"representations": reps}, identity=ADMIN)
    cold, hot = (u["leadScore"] for u in body["data"]["_entities"])
    assert cold["band"] == "COLD"
    assert hot["band"] == "HOT"
    assert hot["score"] > 0.5 > 0.25 > cold["score"]
    tier = next(f for f in hot["factors"] if f["feature"] == "tier")
    assert tier["value"] == "ENTERPRISE"
    assert tier["contribution"] > 0
    assert next(f for f in cold["factors"] if f["feature"] == "wallets")["value"] == "0"


async def test_a_bad_representation_fails_alone(client: httpx.AsyncClient) -> None:
    reps = [representation("ok"), {"__typename": "User", "id": "no-fields"}, representation("bad-tier", tier="GOLD")]
    _, body = await gql(client, ENTITIES, {"representations": reps}, identity=SERVICE)
    entities = body["data"]["_entities"]
    assert entities[0]["leadScore"]["score"] > 0
    assert entities[1]["leadScore"] is None
    assert entities[2]["leadScore"] is None
    assert error_codes(body) == ["BAD_USER_INPUT", "BAD_USER_INPUT"]
    assert [e["path"] for e in body["errors"]] == [["_entities", 1, "leadScore"], ["_entities", 2, "leadScore"]]


async def test_only_admins_and_the_router_read_lead_scores(client: httpx.AsyncClient) -> None:
    _, body = await gql(client, ENTITIES, {"representations": [representation("u-1")]}, identity=USER)
    assert body["data"]["_entities"][0]["leadScore"] is None
    assert error_codes(body) == ["FORBIDDEN"]


async def test_entity_without_requested_score_needs_only_the_key(client: httpx.AsyncClient) -> None:
    query = "query ($r: [_Any!]!) { _entities(representations: $r) { ... on User { id } } }"
    _, body = await gql(client, query, {"r": [{"__typename": "User", "id": "u-9"}]}, identity=SERVICE)
    assert body == {"data": {"_entities": [{"id": "u-9"}]}}
