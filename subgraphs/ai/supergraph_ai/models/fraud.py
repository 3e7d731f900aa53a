"""Fraud scores for payments: an IsolationForest anomaly score, payer clusters, human-readable reasons.

Unsupervised on purpose: real fraud labels arrive late and rarely, and new fraud patterns look like
none of the old ones. The forest says *how* unusual a payment is; the reasons say *what* is unusual,
as each feature's robust deviation (distance from the training median in units of the scaled median
absolute deviation) on the same transformed scale the forest sees.

The clusters say *whom* a payer resembles. HDBSCAN (scikit-learn) groups the training payers by their
behaviour — the five features, robustly scaled — into dense clusters of usual customers and leaves the
rest as noise. A new payment belongs to the cluster of its nearest clustered payer when it is as close
to that payer as the cluster's members are to each other (within the 99th percentile of their core
distances: HDBSCAN's own density measure); a payment that is near no cluster is reported as the
`payerCluster` reason. HDBSCAN has no prediction step of its own, so this nearest-member rule stands in
for it; on the held-out split it flags a few in a thousand ordinary payments and about half the frauds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.cluster import HDBSCAN
from sklearn.ensemble import IsolationForest
from sklearn.neighbors import NearestNeighbors

from .registry import ArtifactId

# v2: "distinctPayees24h" became "failedPaymentsLast24h" — payments here all go to the platform, so
# "distinct payees" has no counterpart in our data; failed payments (declines) are the real signal.
# v3: payer clusters (HDBSCAN) beside the forest.
ARTIFACT = ArtifactId("fraud-iforest", 3)
FEATURES = ("amount", "hourOfDay", "accountAgeDays", "paymentsLast24h", "failedPaymentsLast24h")
# Heavy-tailed features are compared on a log scale, so "$40 vs $4,000" is a large deviation but
# "$4,000 vs $4,400" is not.
_LOG_FEATURES = (0, 2, 3, 4)
REASON_MIN_DEVIATION = 3.0
MAX_REASONS = 3
EXPECTED_CONTAMINATION = 0.02
CLUSTER_REASON = "payerCluster"
# HDBSCAN's cost grows faster than linearly: it is fitted on a seeded sample of the training payers.
CLUSTER_SAMPLE = 4000
MIN_CLUSTER_SIZE = 40
CORE_NEIGHBOURS = 5  # HDBSCAN's min_samples default is min_cluster_size; the core distance here is local
CLUSTER_REACH_QUANTILE = 0.99


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
    cluster: int | None = None  # payerCluster only: the nearest cluster of usual payers


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
class PayerClusters:
    """The clustered training payers (scaled), their cluster, and how far each cluster's members reach."""

    members: np.ndarray  # scaled feature rows of the payers HDBSCAN put in a cluster
    labels: np.ndarray  # their cluster
    reach: np.ndarray  # per cluster: the 99th percentile of its members' core distances
    neighbours: NearestNeighbors  # over `members`

    @classmethod
    def fit(cls, scaled: np.ndarray, seed: int) -> PayerClusters:
        rng = np.random.default_rng(seed)
        sample = scaled[rng.choice(len(scaled), min(CLUSTER_SAMPLE, len(scaled)), replace=False)]
        labels = HDBSCAN(min_cluster_size=MIN_CLUSTER_SIZE, copy=True).fit(sample).labels_
        members, labels = sample[labels >= 0], labels[labels >= 0]
        if len(members) == 0:
            raise ValueError("HDBSCAN found no cluster in the training payers")
        neighbours = NearestNeighbors(n_neighbors=CORE_NEIGHBOURS + 1).fit(members)
        core = neighbours.kneighbors(members)[0][:, CORE_NEIGHBOURS]  # the first neighbour is the member itself
        reach = np.array([np.quantile(core[labels == k], CLUSTER_REACH_QUANTILE) for k in range(labels.max() + 1)])
        return cls(members, labels, reach, neighbours)

    def nearest(self, scaled: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per row: the nearest cluster, the distance to its nearest member, and that cluster's reach."""
        distance, index = self.neighbours.kneighbors(scaled, n_neighbors=1)
        cluster = self.labels[index[:, 0]]
        return cluster, distance[:, 0], self.reach[cluster]

    def sizes(self) -> list[int]:
        return [int(n) for n in np.bincount(self.labels)]


@dataclass
class FraudModel:
    """What is saved: the forest and the payer clusters, plus the statistics the reasons and the threshold need."""

    forest: IsolationForest
    median: np.ndarray  # transformed scale
    spread: np.ndarray  # 1.4826 * MAD, transformed scale
    raw_median: np.ndarray  # feature units
    threshold: float
    clusters: PayerClusters

    def scaled(self, raw: np.ndarray) -> np.ndarray:
        scaled: np.ndarray = (transform(raw) - self.median) / self.spread
        return scaled

    def outside_clusters(self, raw: np.ndarray) -> np.ndarray:
        _, distance, reach = self.clusters.nearest(self.scaled(raw))
        outside: np.ndarray = distance > reach
        return outside


def fit(raw: np.ndarray, seed: int) -> FraudModel:
    x = transform(raw)
    forest = IsolationForest(n_estimators=200, max_samples=256, contamination="auto", random_state=seed)
    forest.fit(x)
    median = np.median(x, axis=0)
    spread = 1.4826 * np.median(np.abs(x - median), axis=0)
    spread = np.where(spread > 1e-9, spread, np.std(x, axis=0) + 1e-9)  # a feature that is mostly one value
    scores = -forest.score_samples(x)
    threshold = float(np.quantile(scores, 1.0 - EXPECTED_CONTAMINATION))
    clusters = PayerClusters.fit((x - median) / spread, seed)
    return FraudModel(forest, median, spread, np.median(raw, axis=0), threshold, clusters)


class FraudScorer:
    def __init__(self, model: FraudModel, metadata: dict[str, Any]) -> None:
        self._model = model
        self.metadata = metadata
        self.version = ARTIFACT.label

    def anomaly_scores(self, raw: np.ndarray) -> np.ndarray:
        scores: np.ndarray = -self._model.forest.score_samples(transform(raw))
        return scores

    def score(self, payments: Sequence[PaymentFeatures]) -> list[FraudScoreResult]:
        """One forest call and one nearest-payer search for the whole batch."""
        if not payments:
            return []
        raw = np.array([p.row() for p in payments], dtype=float)
        if not np.isfinite(raw).all():
            raise ValueError("payment features must be finite numbers")
        scores = self.anomaly_scores(raw)
        deviations = self._model.scaled(raw)
        cluster, distance, reach = self._model.clusters.nearest(deviations)
        results = []
        for row, _payment in enumerate(payments):
            order = np.argsort(-np.abs(deviations[row]))
            # Near no cluster of usual payers: said first, as how many times the cluster's reach away it lies.
            outlier = (
                (
                    FraudReason(
                        CLUSTER_REASON,
                        round(float(distance[row]), 2),
                        round(float(reach[row]), 2),
                        round(float(distance[row] / reach[row]), 2),
                        int(cluster[row]),
                    ),
                )
                if distance[row] > reach[row]
                else ()
            )
            reasons = outlier + tuple(
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
