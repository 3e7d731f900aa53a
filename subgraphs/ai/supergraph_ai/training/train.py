"""Trains, validates and saves the lead-scoring, fraud and price-forecast models.

    python -m supergraph_ai.training.train            # into AI_DATA_DIR/models, prints the metrics
    python -m supergraph_ai.training.train --check    # train and print only, save nothing

The price forecaster is also backtested here on a rolling origin (about half a minute of CPU), which the
server skips when it trains a missing artefact at start.

Seeded end to end (data, split, estimators), so two runs on any machine give the same model and the
same numbers. The server calls `load_or_train_*` at start: an artefact that is missing or was written
by another scikit-learn is retrained rather than trusted.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import precision_score, recall_score, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline

from ..config import Settings
from ..forecasting import activity, backtest, ensemble, intermittent, series
from ..forecasting.model import ARTIFACT as FORECAST_ARTIFACT
from ..forecasting.model import SEED as FORECAST_SEED
from ..forecasting.model import DailyModel, ForecastModel
from ..models import fraud, lead_scoring
from ..models.registry import ArtifactId, ArtifactMissing, load_artifact, save_artifact
from ..service_client import ServiceCallFailed
from . import datasets

log = logging.getLogger(__name__)
SPLIT_SEED = 7


@dataclass(frozen=True)
class Validation:
    auc: float
    precision: float
    recall: float
    threshold: float
    positives_rate: float
    n_train: int
    n_test: int


def _fingerprint(*arrays: np.ndarray) -> str:
    digest = hashlib.sha256()
    for array in arrays:
        digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()[:16]


def train_lead() -> tuple[Pipeline, dict[str, object]]:
    rows = datasets.generate_leads()
    x = lead_scoring.feature_matrix(rows.tier, rows.account_age_days, rows.wallet_count)
    y = rows.converted
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.25, random_state=SPLIT_SEED, stratify=y)
    model = lead_scoring.fit(x_train, y_train)
    p = model.predict_proba(x_test)[:, 1]
    hot = p >= lead_scoring.HOT_THRESHOLD
    warm_or_hot = p >= lead_scoring.WARM_THRESHOLD
    # A non-linear reference on the same features: if it were far better, the linear model would be wrong.
    reference = HistGradientBoostingClassifier(random_state=SPLIT_SEED).fit(x_train, y_train)
    metrics = {
        "hot": asdict(_validation(y_test, p, hot, lead_scoring.HOT_THRESHOLD, len(y_train))),
        "warm_or_hot": asdict(_validation(y_test, p, warm_or_hot, lead_scoring.WARM_THRESHOLD, len(y_train))),
        "reference_gradient_boosting_auc": round(
            float(roc_auc_score(y_test, reference.predict_proba(x_test)[:, 1])), 4
        ),
    }
    metadata = {
        "features": list(lead_scoring.FEATURES),
        "seed": datasets.LEAD_SEED,
        "split_seed": SPLIT_SEED,
        "data_fingerprint": _fingerprint(x, y),
        "metrics": metrics,
    }
    return model, metadata


def train_fraud() -> tuple[fraud.FraudModel, dict[str, object]]:
    rows = datasets.generate_payments()
    raw = np.column_stack(
        [rows.amount, rows.hour_of_day, rows.account_age_days, rows.payments_last_24h, rows.failed_payments_last_24h]
    )
    y = rows.is_fraud
    raw_train, raw_test, _y_train, y_test = train_test_split(
        raw, y, test_size=0.25, random_state=SPLIT_SEED, stratify=y
    )
    # Unsupervised: the labels are used only to validate, never to fit.
    model = fraud.fit(raw_train, seed=datasets.FRAUD_SEED)
    scorer = fraud.FraudScorer(model, {})
    scores = scorer.anomaly_scores(raw_test)
    flagged = scores >= model.threshold
    metadata = {
        "features": list(fraud.FEATURES),
        "seed": datasets.FRAUD_SEED,
        "split_seed": SPLIT_SEED,
        "data_fingerprint": _fingerprint(raw, y),
        "clusters": model.clusters.sizes(),
        "metrics": {
            "flagged": asdict(_validation(y_test, scores, flagged, model.threshold, len(raw_train))),
            # The payerCluster reason alone, as a detector: how many frauds it names, and how often it is right.
            "outside_clusters": _detection(y_test, model.outside_clusters(raw_test)),
        },
    }
    return model, metadata


def _detection(y: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    return {
        "precision": round(float(precision_score(y, predicted, zero_division=0)), 4),
        "recall": round(float(recall_score(y, predicted, zero_division=0)), 4),
        "flagged_rate": round(float(np.mean(predicted)), 4),
    }


ActivitySource = Callable[[], "series.Series | None"]


def chain_activity(settings: Settings) -> ActivitySource:
    """The platform's daily $FORGE volume from the blockchain subgraph's feed; None (and a warning) when
    it cannot be read, so the prices are still trained while the chain is down or not deployed."""

    def read() -> series.Series | None:
        if settings.signing_secret is None:
            log.warning("no ROUTER_SIGNING_SECRET: training without the chain's $FORGE activity")
            return None
        try:
            return activity.fetch_daily_volume(settings.blockchain_url, settings.signing_secret)
        except ServiceCallFailed as error:
            log.warning("training without the chain's $FORGE activity: %s", error)
            return None

    return read


def _train_daily(volume: series.Series | None, with_backtest: bool) -> tuple[dict[str, DailyModel], dict[str, Any]]:
    if volume is None:
        return {}, {}
    fitted = DailyModel(volume, intermittent.fit_intermittent(volume.values))
    metrics = backtest.rolling_origin_daily(volume) if with_backtest else {}
    return {volume.asset: fitted}, metrics


def train_forecast(
    activity_source: ActivitySource, *, with_backtest: bool = True, progress: Callable[[float], None] = lambda _: None
) -> tuple[ForecastModel, dict[str, object]]:
    """`progress` hears the share of the training done after each step (the backtest, when run, is most of it)."""
    prices = series.load_stock_prices()
    values = [s.values for s in prices]
    fitted = ensemble.fit_ensemble(values, FORECAST_SEED)
    progress(0.2 if with_backtest else 0.7)
    # Validation error on the held-out end of each series, in log returns (the model's own scale).
    metrics: dict[str, dict[str, float]] = {
        f"validation_{name}": {"mae": round(float(fitted.validation_mae[i].mean()), 4)}
        for i, name in enumerate((*ensemble.MEMBERS, "ensemble"))
    }
    if with_backtest:
        metrics.update(backtest.rolling_origin(prices, FORECAST_SEED))
        progress(0.8)
    daily, daily_metrics = _train_daily(activity_source(), with_backtest)
    metrics.update(daily_metrics)
    progress(1.0)
    metadata = {
        "members": list(ensemble.MEMBERS),
        "seed": FORECAST_SEED,
        "data_fingerprint": _fingerprint(*values),
        "series": {
            s.asset: {"source": s.source, "from": str(s.dates[0]), "to": str(s.dates[-1])}
            for s in [*prices, *(d.series for d in daily.values())]
        },
        "daily_alpha": {asset: d.model.alpha for asset, d in daily.items()},
        "trained_at": datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ"),
        "metrics": metrics,
    }
    return ForecastModel(fitted, {s.asset: s for s in prices}, daily), metadata


def load_or_train_forecast(models_dir: Path, activity_source: ActivitySource) -> tuple[ForecastModel, dict[str, Any]]:
    try:
        return load_artifact(models_dir, FORECAST_ARTIFACT)
    except ArtifactMissing as why:
        log.warning("training %s without its backtest: %s", FORECAST_ARTIFACT.label, why)
        model, metadata = train_forecast(activity_source, with_backtest=False)
        save_artifact(models_dir, FORECAST_ARTIFACT, model, metadata)
        return load_artifact(models_dir, FORECAST_ARTIFACT)


def _validation(y: np.ndarray, score: np.ndarray, predicted: np.ndarray, threshold: float, n_train: int) -> Validation:
    return Validation(
        auc=round(float(roc_auc_score(y, score)), 4),
        precision=round(float(precision_score(y, predicted, zero_division=0)), 4),
        recall=round(float(recall_score(y, predicted, zero_division=0)), 4),
        threshold=round(float(threshold), 4),
        positives_rate=round(float(np.mean(y)), 4),
        n_train=n_train,
        n_test=len(y),
    )


def load_or_train_lead(models_dir: Path) -> lead_scoring.LeadScorer:
    try:
        model, metadata = load_artifact(models_dir, lead_scoring.ARTIFACT)
    except ArtifactMissing as why:
        log.warning("training %s: %s", lead_scoring.ARTIFACT.label, why)
        model, metadata = train_lead()
        save_artifact(models_dir, lead_scoring.ARTIFACT, model, metadata)
        # Serve what was saved, read back, so a fresh start and a restart run the very same artefact.
        model, metadata = load_artifact(models_dir, lead_scoring.ARTIFACT)
    return lead_scoring.LeadScorer(model, metadata)


def load_or_train_fraud(models_dir: Path) -> fraud.FraudScorer:
    try:
        model, metadata = load_artifact(models_dir, fraud.ARTIFACT)
    except ArtifactMissing as why:
        log.warning("training %s: %s", fraud.ARTIFACT.label, why)
        model, metadata = train_fraud()
        save_artifact(models_dir, fraud.ARTIFACT, model, metadata)
        # Serve what was saved, read back, so a fresh start and a restart run the very same artefact.
        model, metadata = load_artifact(models_dir, fraud.ARTIFACT)
    return fraud.FraudScorer(model, metadata)


def _print_metrics(label: str, metadata: dict[str, Any]) -> None:
    print(f"{label}  (data {metadata['data_fingerprint']}, seed {metadata['seed']})")
    metrics: dict[str, Any] = metadata["metrics"]
    for name, value in metrics.items():
        if isinstance(value, dict) and "auc" not in value:  # the forecaster's errors: mae, mape, coverage
            print(f"  {name:<34} " + "  ".join(f"{figure} {number:g}" for figure, number in value.items()))
        elif isinstance(value, dict):
            print(
                f"  {name:<12} AUC {value['auc']:.4f}  precision {value['precision']:.4f}  recall {value['recall']:.4f}"
                f"  at score >= {value['threshold']}  (positives {value['positives_rate']:.2%},"
                f" train {value['n_train']}, test {value['n_test']})"
            )
        else:
            print(f"  {name}: {value}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="train and print the metrics without saving")
    parser.add_argument("--models-dir", type=Path, help="default: AI_DATA_DIR/models")
    parser.add_argument("--only", help="train this model alone (e.g. price-forecast); default: all")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    models_dir = args.models_dir or settings.models_dir
    trainers: tuple[tuple[ArtifactId, Callable[[], tuple[Any, dict[str, object]]]], ...] = (
        (lead_scoring.ARTIFACT, train_lead),
        (fraud.ARTIFACT, train_fraud),
        (FORECAST_ARTIFACT, lambda: train_forecast(chain_activity(settings))),
    )
    if args.only and args.only not in {artifact.name for artifact, _ in trainers}:
        parser.error(f"--only: no model {args.only!r}")
    for artifact, train in trainers:
        if args.only and artifact.name != args.only:
            continue
        model, metadata = train()
        _print_metrics(artifact.label, metadata)
        if not args.check:
            print(f"  saved to {save_artifact(models_dir, artifact, model, metadata)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
