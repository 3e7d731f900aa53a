"""Lead scoring: the probability that a user becomes (or grows as) a paying customer, with its reasons.

A logistic regression over standardised features, chosen over boosted trees because its explanation
is exact: each feature adds coef * (x - mean) / scale to the log-odds, measured against the average
user of the training data, so "the top feature contributions" are the model itself, not an
approximation of it. On this data it loses almost nothing to a gradient-boosted model (the training
script prints both AUCs).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from .registry import ArtifactId

ARTIFACT = ArtifactId("lead-score", 1)
TIERS = ("FREE", "PRO", "ENTERPRISE")
FEATURES = ("tier_pro", "tier_enterprise", "new_account", "log_account_age", "has_wallet", "wallet_count")
# Features shown to people as one factor each (a one-hot tier is one fact about the user, not two).
FACTORS: dict[str, tuple[int, ...]] = {"tier": (0, 1), "accountAge": (2, 3), "wallets": (4, 5)}
NEW_ACCOUNT_DAYS = 14
WALLET_CAP = 10


class LeadBand(StrEnum):
    HOT = "HOT"
    WARM = "WARM"
    COLD = "COLD"


HOT_THRESHOLD = 0.5
WARM_THRESHOLD = 0.25


def band_for(score: float) -> LeadBand:
    if score >= HOT_THRESHOLD:
        return LeadBand.HOT
    return LeadBand.WARM if score >= WARM_THRESHOLD else LeadBand.COLD


@dataclass(frozen=True)
class LeadInput:
    """What the router hands us about a user (the representation's @requires fields)."""

    user_id: str
    tier: str
    created_at: datetime
    wallet_count: int


@dataclass(frozen=True)
class LeadFactor:
    feature: str
    value: str
    contribution: float  # log-odds relative to the average training user


@dataclass(frozen=True)
class LeadScoreResult:
    score: float
    band: LeadBand
    factors: tuple[LeadFactor, ...]
    model_version: str


def feature_matrix(tier: ArrayLike, account_age_days: ArrayLike, wallet_count: ArrayLike) -> np.ndarray:
    tiers = np.asarray(tier)
    unknown = set(np.unique(tiers)) - set(TIERS)
    if unknown:
        raise ValueError(f"unknown tier(s): {sorted(unknown)}")
    age = np.maximum(np.asarray(account_age_days, dtype=float), 0.0)
    wallets = np.minimum(np.asarray(wallet_count, dtype=float), WALLET_CAP)
    return np.column_stack(
        [
            tiers == "PRO",
            tiers == "ENTERPRISE",
            age < NEW_ACCOUNT_DAYS,
            np.log1p(age / 30.0),
            wallets > 0,
            wallets,
        ]
    ).astype(float)


def fit(x: np.ndarray, y: np.ndarray) -> Pipeline:
    model = Pipeline([("scale", StandardScaler()), ("classify", LogisticRegression(C=1.0, max_iter=1000))])
    return model.fit(x, y)


class LeadScorer:
    def __init__(self, model: Pipeline, metadata: dict[str, Any]) -> None:
        scaler: StandardScaler = model.named_steps["scale"]
        classifier: LogisticRegression = model.named_steps["classify"]
        self._model = model
        self._mean = scaler.mean_
        self._scale = scaler.scale_
        self._coef = classifier.coef_[0]
        self.metadata = metadata
        self.version = ARTIFACT.label

    def score(self, inputs: Sequence[LeadInput], now: datetime | None = None) -> list[LeadScoreResult]:
        """Scores a whole batch in one model call (the DataLoader hands us every user of a request)."""
        if not inputs:
            return []
        now = now or datetime.now(UTC)
        ages = [(now - i.created_at).total_seconds() / 86_400 for i in inputs]
        x = feature_matrix([i.tier for i in inputs], ages, [i.wallet_count for i in inputs])
        probabilities = self._model.predict_proba(x)[:, 1]
        contributions = self._coef * (x - self._mean) / self._scale
        results = []
        for row, item in enumerate(inputs):
            values = {
                "tier": item.tier,
                "accountAge": f"{max(ages[row], 0.0):.0f} days",
                "wallets": str(item.wallet_count),
            }
            factors = sorted(
                (
                    LeadFactor(name, values[name], round(float(contributions[row, list(cols)].sum()), 4))
                    for name, cols in FACTORS.items()
                ),
                key=lambda f: -abs(f.contribution),
            )
            score = float(probabilities[row])
            if not math.isfinite(score):  # cannot happen with finite inputs; never serve NaN
                raise ValueError(f"non-finite lead score for user {item.user_id}")
            results.append(LeadScoreResult(round(score, 4), band_for(score), tuple(factors), self.version))
        return results
