"""`Payment`, the payments subgraph's entity, extended with its fraud score.

Every model input is real data fetched by the router for us (`@requires`), never read from another
subgraph's database: the amount in major units, the payment's time, and the payer's activity in the
24 hours before come from the payments subgraph (fields it keeps `@inaccessible`, out of the public
API); the payer's account creation time comes from the users subgraph through `user { createdAt }`.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import strawberry
from strawberry.types import Info

from ..context import RequestContext
from ..errors import BadUserInput
from ..models import fraud
from .common import DateTimeISO, parse_datetime_iso
from .permissions import AdminOrService
from .user import User

SECONDS_PER_DAY = 86_400.0


@strawberry.type(description="One thing that makes a payment unusual: a feature, or the payer being near no cluster.")
class FraudReason:
    feature: str = strawberry.field(
        description="amount, hourOfDay, accountAgeDays, paymentsLast24h or failedPaymentsLast24h; or "
        f"{fraud.CLUSTER_REASON}: the payer's behaviour is near no cluster of usual payers (HDBSCAN)"
    )
    value: float = strawberry.field(
        description=f"This payment's value of the feature ({fraud.CLUSTER_REASON}: the scaled distance to the "
        "nearest clustered payer)"
    )
    typical: float = strawberry.field(
        description=f"The typical (median) value in the training data ({fraud.CLUSTER_REASON}: how far that "
        "cluster's members reach)"
    )
    deviation: float = strawberry.field(
        description="Robust z-score on the model's scale: how far from typical, positive when above it "
        f"({fraud.CLUSTER_REASON}: value / typical, above 1)"
    )
    cluster: int | None = strawberry.field(
        description=f"{fraud.CLUSTER_REASON} only: the nearest cluster of usual payers; null for a feature"
    )


@strawberry.type(
    description="How anomalous a payment looks to an IsolationForest trained on normal traffic, and whether its "
    "payer resembles any cluster of usual payers (HDBSCAN)."
)
class FraudScore:
    score: float = strawberry.field(description="About 0.5 for ordinary payments; higher is more anomalous")
    is_anomaly: bool = strawberry.field(description="Above the threshold that flags the ~2% most unusual payments")
    reasons: list[FraudReason] = strawberry.field(
        description=f"{fraud.CLUSTER_REASON} first when the payer is near no cluster of usual payers, then up to "
        f"{fraud.MAX_REASONS} features deviating at least {fraud.REASON_MIN_DEVIATION} from typical, largest "
        "first; empty for an ordinary payment"
    )
    model_version: str

    @classmethod
    def from_result(cls, result: fraud.FraudScoreResult) -> FraudScore:
        return cls(
            score=result.score,
            is_anomaly=result.is_anomaly,
            reasons=[
                FraudReason(
                    feature=r.feature, value=r.value, typical=r.typical, deviation=r.deviation, cluster=r.cluster
                )
                for r in result.reasons
            ],
            model_version=result.model_version,
        )


# No description: the payments subgraph, which owns Payment, describes it in the supergraph.
@strawberry.federation.type(keys=["id"])
class Payment:
    id: strawberry.ID
    amount_in_major_units: str = strawberry.federation.field(external=True)
    created_at: DateTimeISO = strawberry.federation.field(external=True)
    payer_payments_last_24h: int = strawberry.federation.field(external=True)
    payer_failed_payments_last_24h: int = strawberry.federation.field(external=True)
    # Optional as the payments subgraph declares it (an @external type must match the owner's).
    user: User | None = strawberry.federation.field(external=True)
    # The one field of `user` the score requires; the payer's key may not even be in the representation.
    payer_created_at: strawberry.Private[object] = None

    @classmethod
    def resolve_reference(cls, info: Info[RequestContext, None], **representation: Any) -> Payment:
        # Only the @key is guaranteed; the @requires fields come when fraudScore is queried.
        payer = representation.get("user")
        payer_created_at = payer.get("createdAt") if isinstance(payer, dict) else None
        return cls(
            id=strawberry.ID(str(representation["id"])),
            amount_in_major_units=representation.get("amountInMajorUnits"),  # type: ignore[arg-type]
            created_at=representation.get("createdAt"),  # type: ignore[arg-type]
            payer_payments_last_24h=representation.get("payerPaymentsLast24h"),  # type: ignore[arg-type]
            payer_failed_payments_last_24h=representation.get("payerFailedPaymentsLast24h"),  # type: ignore[arg-type]
            # Only the payer's createdAt is required; this subgraph never resolves Payment.user itself.
            user=None,
            payer_created_at=payer_created_at,
        )

    @strawberry.federation.field(
        requires=["amountInMajorUnits createdAt payerPaymentsLast24h payerFailedPaymentsLast24h user { createdAt }"],
        permission_classes=[AdminOrService],
        description="Fraud score with the reasons that explain it. Admins and the router only.",
    )
    async def fraud_score(self, info: Info[RequestContext, None]) -> FraudScore | None:
        result = await info.context.loaders.fraud_score.load(self._features())
        return FraudScore.from_result(result)

    def _features(self) -> fraud.PaymentFeatures:
        def bad(what: str) -> BadUserInput:
            return BadUserInput(f"representation of Payment {self.id}: {what}", "representations")

        amount = _major_units(self.amount_in_major_units)
        if amount is None:
            raise bad("amountInMajorUnits must be a non-negative decimal string")
        created = _timestamp(self.created_at)
        payer_created = _timestamp(self.payer_created_at)
        if created is None or payer_created is None:
            raise bad("createdAt and user.createdAt must be ISO date-times with a time zone")
        payments, failed = self.payer_payments_last_24h, self.payer_failed_payments_last_24h
        if not _count(payments) or not _count(failed) or failed > payments:
            raise bad("payerPaymentsLast24h and payerFailedPaymentsLast24h must be counts, failed ones at most all")
        # Two databases' clocks can disagree by a little: a payment cannot predate its payer's account.
        age_days = max(0.0, (created - payer_created).total_seconds() / SECONDS_PER_DAY)
        return fraud.PaymentFeatures(
            payment_id=str(self.id),
            amount=amount,
            hour_of_day=created.astimezone(UTC).hour,
            account_age_days=age_days,
            payments_last_24h=payments,
            failed_payments_last_24h=failed,
        )


def _major_units(raw: object) -> float | None:
    """The exact decimal string from payments, as the float the model takes (money is not computed here)."""
    if not isinstance(raw, str):
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return None
    if not value.is_finite() or value < 0:  # NaN and Infinity parse as Decimals too
        return None
    amount = float(value)
    return amount if math.isfinite(amount) else None


def _timestamp(raw: object) -> datetime | None:
    if isinstance(raw, datetime):
        return raw
    try:
        return parse_datetime_iso(raw)
    except ValueError:
        return None


def _count(raw: object) -> bool:
    return isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0
