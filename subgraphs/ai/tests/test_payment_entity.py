"""Payment.fraudScore resolved through `_entities`: the @requires fields become the model's features,
all payments of one call are scored in one model call, and only admins and the router may read it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from supergraph_ai.models.fraud import FraudScorer, PaymentFeatures
from supergraph_ai.services import Services

from .graphql_client import error_codes, gql
from .helpers import ADMIN, SERVICE, USER

ENTITIES = """
query ($representations: [_Any!]!) {
  _entities(representations: $representations) {
    ... on Payment {
      id fraudScore { score isAnomaly modelVersion reasons { feature value typical deviation cluster } }
    }
  }
}
"""
PAID_AT = datetime(2026, 11, 27, 14, 30, tzinfo=UTC)


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def representation(
    payment_id: str,
    amount: str = "42.5",
    paid_at: datetime = PAID_AT,
    account_age_days: float = 400,
    payments: int = 1,
    failed: int = 0,
) -> dict[str, Any]:
    """What the router sends: the payments subgraph's fields plus the payer's createdAt from users."""
    return {
        "__typename": "Payment",
        "id": payment_id,
        "amountInMajorUnits": amount,
        "createdAt": iso(paid_at),
        "payerPaymentsLast24h": payments,
        "payerFailedPaymentsLast24h": failed,
        "user": {"__typename": "User", "createdAt": iso(paid_at - timedelta(days=account_age_days))},
    }


class RecordingFraudScorer:
    """The real scorer, recording each model call's inputs."""

    def __init__(self, inner: FraudScorer) -> None:
        self.inner = inner
        self.version = inner.version
        self.calls: list[list[PaymentFeatures]] = []

    def score(self, payments: list[PaymentFeatures]) -> list[Any]:
        self.calls.append(list(payments))
        return self.inner.score(payments)


@pytest.fixture
def recording(services: Services) -> RecordingFraudScorer:
    scorer = RecordingFraudScorer(services.fraud_scorer)
    services.fraud_scorer = scorer  # type: ignore[assignment]
    return scorer


async def test_the_required_fields_become_the_model_features(
    client: httpx.AsyncClient, recording: RecordingFraudScorer
) -> None:
    rep = representation("p-1", amount="19.99", account_age_days=2.5, payments=4, failed=3)
    status, body = await gql(client, ENTITIES, {"representations": [rep]}, identity=SERVICE)
    assert status == 200, body
    assert "errors" not in body, body
    assert recording.calls == [
        [
            PaymentFeatures(
                "p-1",
                amount=19.99,
                hour_of_day=14,
                account_age_days=2.5,
                payments_last_24h=4,
                failed_payments_last_24h=3,
            )
        ]
    ]


async def test_all_payments_of_one_call_are_scored_in_one_model_call(
    client: httpx.AsyncClient, services: Services, recording: RecordingFraudScorer
) -> None:
    reps = [representation(f"p-{i}", amount=f"{10 + 7 * i}.25", payments=i % 3) for i in range(30)]
    _, body = await gql(client, ENTITIES, {"representations": reps}, identity=SERVICE)
    assert "errors" not in body, body
    assert [len(call) for call in recording.calls] == [30]
    payments = body["data"]["_entities"]
    assert [p["id"] for p in payments] == [f"p-{i}" for i in range(30)]
    assert all(p["fraudScore"]["modelVersion"] == "fraud-iforest-v3" for p in payments)
    rendered = services.metrics.render().decode()
    assert 'ai_inference_batch_size_count{model="fraud-iforest-v3",operation="fraud_score"} 1.0' in rendered


async def test_an_unusual_payment_scores_higher_with_its_reasons(client: httpx.AsyncClient) -> None:
    ordinary = representation("ordinary", amount="42", account_age_days=400, payments=1, failed=0)
    unusual = representation(
        "unusual", amount="950000", paid_at=PAID_AT.replace(hour=3), account_age_days=0.01, payments=12, failed=9
    )
    _, body = await gql(client, ENTITIES, {"representations": [ordinary, unusual]}, identity=ADMIN)
    normal, odd = (p["fraudScore"] for p in body["data"]["_entities"])
    assert not normal["isAnomaly"]
    assert normal["reasons"] == []
    assert odd["isAnomaly"]
    assert odd["score"] > normal["score"] + 0.1
    reasons = {r["feature"]: r for r in odd["reasons"]}
    assert reasons["amount"]["value"] == 950000
    assert reasons["amount"]["deviation"] > 3
    assert 20 < reasons["amount"]["typical"] < 80
    # The payer's behaviour is near no cluster of usual payers: that comes first, naming the nearest cluster.
    assert odd["reasons"][0]["feature"] == "payerCluster"
    assert isinstance(odd["reasons"][0]["cluster"], int)
    assert odd["reasons"][0]["deviation"] > 1
    assert all(r["cluster"] is None for r in odd["reasons"][1:])
    deviations = [abs(r["deviation"]) for r in odd["reasons"][1:]]
    assert deviations == sorted(deviations, reverse=True)


async def test_a_payment_cannot_predate_its_payers_account(
    client: httpx.AsyncClient, recording: RecordingFraudScorer
) -> None:
    # The users and payments databases keep their own clocks; a skew must not become a negative age.
    await gql(client, ENTITIES, {"representations": [representation("p", account_age_days=-0.001)]}, identity=SERVICE)
    assert recording.calls[0][0].account_age_days == 0.0


async def test_a_bad_representation_fails_alone(client: httpx.AsyncClient, recording: RecordingFraudScorer) -> None:
    no_payer = {k: v for k, v in representation("no-payer").items() if k != "user"}
    reps = [
        representation("ok"),
        no_payer,
        representation("bad-amount", amount="1e400x"),
        representation("negative", amount="-5"),
        representation("not-a-number", amount="NaN"),
        representation("more-failed-than-made", payments=1, failed=2),
    ]
    _, body = await gql(client, ENTITIES, {"representations": reps}, identity=SERVICE)
    entities = body["data"]["_entities"]
    assert entities[0]["fraudScore"]["score"] > 0
    assert [e["fraudScore"] for e in entities[1:]] == [None] * 5
    assert error_codes(body) == ["BAD_USER_INPUT"] * 5
    assert [len(call) for call in recording.calls] == [1]  # the bad ones never reach the model


async def test_only_admins_and_the_router_read_fraud_scores(
    client: httpx.AsyncClient, recording: RecordingFraudScorer
) -> None:
    _, body = await gql(client, ENTITIES, {"representations": [representation("p-1")]}, identity=USER)
    assert body["data"]["_entities"][0]["fraudScore"] is None
    assert error_codes(body) == ["FORBIDDEN"]
    assert recording.calls == []


async def test_entity_without_requested_score_needs_only_the_key(client: httpx.AsyncClient) -> None:
    query = "query ($r: [_Any!]!) { _entities(representations: $r) { ... on Payment { id } } }"
    _, body = await gql(client, query, {"r": [{"__typename": "Payment", "id": "p-9"}]}, identity=SERVICE)
    assert body == {"data": {"_entities": [{"id": "p-9"}]}}
