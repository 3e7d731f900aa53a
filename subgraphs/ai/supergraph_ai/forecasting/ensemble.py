"""The forecasting ensemble: gradient boosting and a small neural network over windows of log returns,
weighted per horizon by their validation error, with prediction intervals from validation residuals.

Every series is turned into samples: the last LAGS monthly log returns as features, and the log return
from the last price to each of the next MAX_HORIZON prices as targets. One model is fitted across all
series (about 500 samples; one series alone is too short to learn from). The members:

- `gradient_boosting`: scikit-learn's HistGradientBoostingRegressor, one per horizon;
- `mlp`: a multi-layer perceptron over the whole window (standardised), all horizons at once: the small
  sequence model, in scikit-learn so nothing needs torch.

The last VALIDATION_FRACTION of each series' samples (in time) is held out: each member's mean absolute
error there sets its weight (1/MAE, per horizon), and the ensemble's residuals there give the interval
(their 10th and 90th percentiles, per horizon: an 80% interval if the future errs like the recent past).
The members are then refitted on every sample, keeping those weights and residuals.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

LAGS = 12
MAX_HORIZON = 6
VALIDATION_FRACTION = 0.25
INTERVAL = (0.1, 0.9)  # quantiles of the validation residuals: an 80% prediction interval
MEMBERS = ("gradient_boosting", "mlp")


def windows(values: np.ndarray, *, lags: int = LAGS, horizon: int = MAX_HORIZON) -> tuple[np.ndarray, np.ndarray]:
    """Features (the last `lags` log returns up to each origin) and targets (log return to each step ahead)."""
    log_prices = np.log(values)
    returns = np.diff(log_prices)
    origins = range(lags, len(values) - horizon)
    x = np.array([returns[t - lags : t] for t in origins]).reshape(-1, lags)
    y = np.array([log_prices[t + 1 : t + 1 + horizon] - log_prices[t] for t in origins]).reshape(-1, horizon)
    return x, y


def last_window(values: np.ndarray, lags: int = LAGS) -> np.ndarray:
    window: np.ndarray = np.diff(np.log(values[-(lags + 1) :])).reshape(1, lags)
    return window


@dataclass(frozen=True)
class Prediction:
    """Log returns from the last price, one per step ahead."""

    point: np.ndarray
    lower: np.ndarray
    upper: np.ndarray


@dataclass
class ForecastEnsemble:
    boosting: list[HistGradientBoostingRegressor]  # one per horizon
    mlp: Pipeline
    weights: np.ndarray  # (len(MEMBERS), MAX_HORIZON), columns sum to 1
    residual_bounds: np.ndarray  # (2, MAX_HORIZON): the INTERVAL quantiles of validation residuals
    validation_mae: np.ndarray  # (len(MEMBERS) + 1, MAX_HORIZON): members, then the ensemble (log returns)

    def member_predictions(self, x: np.ndarray) -> np.ndarray:
        """(len(MEMBERS), n, MAX_HORIZON)."""
        boosting = np.column_stack([model.predict(x) for model in self.boosting])
        return np.stack([boosting, self.mlp.predict(x).reshape(len(x), -1)])

    def predict(self, x: np.ndarray) -> Prediction:
        point = np.einsum("mnh,mh->nh", self.member_predictions(x), self.weights)
        return Prediction(point, point + self.residual_bounds[0], point + self.residual_bounds[1])


def _fit_members(x: np.ndarray, y: np.ndarray, seed: int) -> tuple[list[HistGradientBoostingRegressor], Pipeline]:
    boosting = [
        HistGradientBoostingRegressor(
            max_iter=100, learning_rate=0.05, max_leaf_nodes=8, min_samples_leaf=20, random_state=seed
        ).fit(x, y[:, h])
        for h in range(y.shape[1])
    ]
    mlp = make_pipeline(
        StandardScaler(),
        MLPRegressor(hidden_layer_sizes=(32, 16), alpha=1e-2, max_iter=1000, early_stopping=True, random_state=seed),
    ).fit(x, y)
    return boosting, mlp


def _split(values: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per series, the earlier samples to fit and the later VALIDATION_FRACTION to validate, pooled."""
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
    for series in values:
        x, y = windows(series)
        cut = int(len(x) * (1 - VALIDATION_FRACTION))
        parts.append((x[:cut], y[:cut], x[cut:], y[cut:]))
    return tuple(np.concatenate([part[i] for part in parts]) for i in range(4))  # type: ignore[return-value]


def fit_ensemble(values: Sequence[np.ndarray], seed: int) -> ForecastEnsemble:
    """Fits on the given price series (each long enough for LAGS + MAX_HORIZON + a few samples)."""
    # One thread: on a few hundred samples OpenMP's threads cost more than they give, and on a busy
    # 2-core machine they made a fit ten times slower.
    with threadpool_limits(1):
        return _fit_ensemble(values, seed)


def _fit_ensemble(values: Sequence[np.ndarray], seed: int) -> ForecastEnsemble:
    x_fit, y_fit, x_val, y_val = _split(values)
    boosting, mlp = _fit_members(x_fit, y_fit, seed)
    unweighted = ForecastEnsemble(boosting, mlp, np.zeros(0), np.zeros(0), np.zeros(0))
    members = unweighted.member_predictions(x_val)
    member_mae = np.abs(members - y_val).mean(axis=1)  # (members, horizon)
    inverse = 1.0 / np.maximum(member_mae, 1e-9)
    weights = inverse / inverse.sum(axis=0)
    ensemble = np.einsum("mnh,mh->nh", members, weights)
    residuals = y_val - ensemble
    bounds = np.quantile(residuals, INTERVAL, axis=0)
    validation_mae = np.vstack([member_mae, np.abs(residuals).mean(axis=0)])
    boosting, mlp = _fit_members(np.concatenate([x_fit, x_val]), np.concatenate([y_fit, y_val]), seed)
    return ForecastEnsemble(boosting, mlp, weights, bounds, validation_mae)
