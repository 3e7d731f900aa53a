"""Fraud scores for payments: an IsolationForest anomaly score with human-readable reasons.

Unsupervised on purpose: real fraud labels arrive late and rarely, and new fraud patterns look like
none of the old ones. The forest says *how* unusual a payment is; the reasons say *what* is unusual,
as each feature's robust deviation (distance from the training median in units of the scaled median
absolute deviation) on the same transformed scale the forest sees.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.ensemble import IsolationForest

from .registry import ArtifactId

# v2: "distinctPayees24h" became "failedPaymentsLast24h" — payments here all go to the platform, so
# "distinct payees" has no counterpart in our data; failed payments (declines) are the real signal.
ARTIFACT = ArtifactId("fraud-iforest", 2)
FEATURES = ("amount", "hourOfDay", "accountAgeDays", "paymentsLast24h", "failedPaymentsLast24h")
# Heavy-tailed features are compared on a log scale, so "$40 vs $4,000" is a large deviation but
# "$4,000 vs $4,400" is not.
_LOG_FEATURES = (0, 2, 3, 4)
REASON_MIN_DEVIATION = 3.0
MAX_REASONS = 3
EXPECTED_CONTAMINATION = 0.02


@dataclass(frozen=True)
class PaymentFeatures:
    payment_id: str
    amount: float  # major units of the payment's currency (not converted between currencies)
    hour_of_day: int  # UTC
    account_age_days: float  # the payer's account age when the payment was made
    payments_last_24h: int  # the payer's payments in the 24 h before this one
    failed_payments_last_24h: int  # of those, the ones that failed

    def row(self) -> list[float]:
        return [
            self.amount,
            float(self.hour_of_day),
            self.account_age_days,
            float(self.payments_last_24h),
            float(self.failed_payments_last_24h),
        ]


@dataclass(frozen=True)
class FraudReason:
    feature: str
    value: float
    typical: float  # the training median, in the feature's own units
    deviation: float  # robust z-score on the model's scale; sign says above or below typical


@dataclass(frozen=True)
class FraudScoreResult:
    score: float  # 0..1, about 0.5 for ordinary payments, higher is more anomalous
    is_anomaly: bool
    reasons: tuple[FraudReason, ...]
    model_version: str


def transform(raw: np.ndarray) -> np.ndarray:
    x = np.array(raw, dtype=float, copy=True)
    x[:, _LOG_FEATURES] = np.log1p(np.maximum(x[:, _LOG_FEATURES], 0.0))
    return x


@dataclass
class FraudModel:
    """What is saved: the forest plus the statistics the reasons and the threshold need."""

    forest: IsolationForest
    median: np.ndarray  # transformed scale
    spread: np.ndarray  # 1.4826 * MAD, transformed scale
    raw_median: np.ndarray  # feature units
    threshold: float


def fit(raw: np.ndarray, seed: int) -> FraudModel:
    x = transform(raw)
    forest = IsolationForest(n_estimators=200, max_samples=256, contamination="auto", random_state=seed)
    forest.fit(x)
    median = np.median(x, axis=0)
    spread = 1.4826 * np.median(np.abs(x - median), axis=0)
    spread = np.where(spread > 1e-9, spread, np.std(x, axis=0) + 1e-9)  # a feature that is mostly one value
    scores = -forest.score_samples(x)
    threshold = float(np.quantile(scores, 1.0 - EXPECTED_CONTAMINATION))
    return FraudModel(forest, median, spread, np.median(raw, axis=0), threshold)


class FraudScorer:
    def __init__(self, model: FraudModel, metadata: dict[str, Any]) -> None:
        self._model = model
        self.metadata = metadata
        self.version = ARTIFACT.label

    def anomaly_scores(self, raw: np.ndarray) -> np.ndarray:
        scores: np.ndarray = -self._model.forest.score_samples(transform(raw))
        return scores

    def score(self, payments: Sequence[PaymentFeatures]) -> list[FraudScoreResult]:
        """One forest call for the whole batch."""
        if not payments:
            return []
        raw = np.array([p.row() for p in payments], dtype=float)
        if not np.isfinite(raw).all():
            raise ValueError("payment features must be finite numbers")
        scores = self.anomaly_scores(raw)
        deviations = (transform(raw) - self._model.median) / self._model.spread
        results = []
        for row, _payment in enumerate(payments):
            order = np.argsort(-np.abs(deviations[row]))
            reasons = tuple(
                FraudReason(
                    FEATURES[i],
                    float(raw[row, i]),
                    round(float(self._model.raw_median[i]), 2),
                    round(float(deviations[row, i]), 2),
                )
                for i in order[:MAX_REASONS]
                if abs(deviations[row, i]) >= REASON_MIN_DEVIATION
            )
            score = float(scores[row])
            results.append(FraudScoreResult(round(score, 4), score >= self._model.threshold, reasons, self.version))
        return results
