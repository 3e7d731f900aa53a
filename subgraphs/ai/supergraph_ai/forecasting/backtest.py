"""Rolling-origin backtest of the ensemble against the naive last-value forecast.

At each origin (a month), every series is cut there, the ensemble is fitted on what came before only,
and each series is forecast 1..MAX_HORIZON months ahead from its last price; the naive forecast says every
future price equals that last price. Errors are measured against the prices that followed: MAE in the
series' unit, MAPE in percent, and how often the price fell inside the 80% interval (coverage).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from .ensemble import LAGS, MAX_HORIZON, MEMBERS, fit_ensemble, last_window
from .series import Series, add_months

ORIGINS = 8  # origins, one every ORIGIN_STEP months, the last one MAX_HORIZON months before the data ends
ORIGIN_STEP = 3
REPORTED_HORIZONS = (1, 3, 6)


@dataclass(frozen=True)
class Errors:
    mae: float
    mape: float


def _errors(actual: np.ndarray, predicted: np.ndarray) -> Errors:
    return Errors(
        mae=round(float(np.mean(np.abs(actual - predicted))), 4),
        mape=round(float(np.mean(np.abs(actual - predicted) / actual) * 100), 4),
    )


def origins(series: Sequence[Series]) -> list[date]:
    last = max(s.dates[-1] for s in series)
    return [add_months(last, -MAX_HORIZON - ORIGIN_STEP * k) for k in reversed(range(ORIGINS))]


def rolling_origin(series: Sequence[Series], seed: int) -> dict[str, dict[str, float]]:
    """{evaluation: {mae, mape[, coverage]}} for the ensemble, each member and the naive forecast, over all
    horizons and at REPORTED_HORIZONS; plus `points` (forecasts compared: assets x origins x horizons)."""
    actual: list[np.ndarray] = []
    forecasts: dict[str, list[np.ndarray]] = {name: [] for name in ("ensemble", "naive", *MEMBERS)}
    inside: list[np.ndarray] = []
    for origin in origins(series):
        history = [s.values[: s.dates.index(origin) + 1] for s in series if origin in s.dates]
        model = fit_ensemble([h for h in history if len(h) > LAGS + MAX_HORIZON + 4], seed)
        for s, past in zip([s for s in series if origin in s.dates], history, strict=True):
            if len(past) <= LAGS:
                continue
            truth = s.values[len(past) : len(past) + MAX_HORIZON]
            last = past[-1]
            window = last_window(past)
            prediction = model.predict(window)
            members = model.member_predictions(window)[:, 0, :]
            actual.append(truth)
            forecasts["ensemble"].append(last * np.exp(prediction.point[0]))
            forecasts["naive"].append(np.full(MAX_HORIZON, last))
            for name, member in zip(MEMBERS, members, strict=True):
                forecasts[name].append(last * np.exp(member))
            low, high = last * np.exp(prediction.lower[0]), last * np.exp(prediction.upper[0])
            inside.append((truth >= low) & (truth <= high))
    truth_all = np.array(actual)
    report: dict[str, dict[str, float]] = {}
    for name, predicted in forecasts.items():
        predicted_all = np.array(predicted)
        report[f"backtest_{name}"] = vars(_errors(truth_all, predicted_all))
        for h in REPORTED_HORIZONS:
            report[f"backtest_{name}_h{h}"] = vars(_errors(truth_all[:, h - 1], predicted_all[:, h - 1]))
    report["backtest_ensemble"]["coverage"] = round(float(np.mean(inside)), 4)
    report["backtest_ensemble"]["points"] = float(truth_all.size)
    return report
