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
from .intermittent import MEMBER, fit_intermittent
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


DAILY_ORIGINS = 30  # the last 30 days that have a week after them
DAILY_HORIZON = 7
DAILY_MIN_HISTORY = 7
DAILY_REPORTED_HORIZONS = (1, 7)


def rolling_origin_daily(series: Series) -> dict[str, dict[str, float]]:
    """The same comparison for a daily volume (Croston SBA against the last day's volume), over up to
    DAILY_ORIGINS origins one day apart, 1..DAILY_HORIZON days ahead. MAPE counts days with volume only
    (a zero day has no percentage error); empty when the series is too short for one origin."""
    values = series.values
    last_origin = len(values) - DAILY_HORIZON
    first_origin = max(DAILY_MIN_HISTORY, last_origin - DAILY_ORIGINS + 1)
    if last_origin < first_origin:
        return {}
    actual, croston, naive, inside = [], [], [], []
    for origin in range(first_origin, last_origin + 1):
        model = fit_intermittent(values[:origin])
        point, low, high = model.predict(DAILY_HORIZON)
        truth = values[origin : origin + DAILY_HORIZON]
        actual.append(truth)
        croston.append(point)
        naive.append(np.full(DAILY_HORIZON, values[origin - 1]))
        inside.append((truth >= low) & (truth <= high))
    truth_all = np.array(actual)
    report: dict[str, dict[str, float]] = {}
    for name, predicted in ((MEMBER, croston), ("naive", naive)):
        predicted_all = np.array(predicted)
        report[f"backtest_daily_{name}"] = _daily_errors(truth_all, predicted_all)
        for h in DAILY_REPORTED_HORIZONS:
            report[f"backtest_daily_{name}_h{h}"] = _daily_errors(truth_all[:, h - 1], predicted_all[:, h - 1])
    report[f"backtest_daily_{MEMBER}"]["coverage"] = round(float(np.mean(inside)), 4)
    report[f"backtest_daily_{MEMBER}"]["points"] = float(truth_all.size)
    return report


def _daily_errors(actual: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    errors = {"mae": round(float(np.mean(np.abs(actual - predicted))), 4)}
    with_volume = actual > 0
    if with_volume.any():
        errors["mape"] = round(float(np.mean(np.abs(actual - predicted)[with_volume] / actual[with_volume]) * 100), 4)
    return errors
