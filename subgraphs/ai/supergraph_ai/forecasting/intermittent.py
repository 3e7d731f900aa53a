"""Croston's method with the Syntetos-Boylan correction (SBA) for a daily volume that is often zero.

The price ensemble does not fit this series: it models log returns, which a zero volume has not, and it
needs years of monthly history where a young platform has days. Croston's method is the standard one for
intermittent demand: it smooths the size of the non-zero days and the number of days between them
separately (exponential smoothing, weight `alpha`) and forecasts their ratio, a flat expected volume per
day; SBA scales it by (1 - alpha/2) to remove the method's known upward bias.

`alpha` is chosen on the series itself (the one-step-ahead error over a grid) once it is long enough,
and the 80% interval comes from those one-step errors' quantiles, widened by the square root of the
steps ahead; with too few errors to take quantiles of, from the spread of the daily volumes seen (stretched
to hold the point: on one day of history the spread is that day alone, above the deflated rate).
Volumes are never negative, so neither is a bound.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .ensemble import INTERVAL

MAX_HORIZON = 14  # days
DEFAULT_ALPHA = 0.1
ALPHAS = (0.05, 0.1, 0.2, 0.3, 0.5)
MIN_DAYS_TO_TUNE = 14  # one-step errors needed before alpha is chosen and the interval taken from them
MEMBER = "croston_sba"


def one_step(values: np.ndarray, alpha: float) -> tuple[np.ndarray, float]:
    """The forecast of each day made the day before (NaN until the first non-zero day), and the next day's."""
    size: float | None = None
    gap = 0.0  # smoothed days between non-zero days
    since = 1  # days since the last non-zero day
    forecasts = np.full(len(values), np.nan)
    for t, value in enumerate(values):
        if size is not None:
            forecasts[t] = (1 - alpha / 2) * size / gap
        if value > 0:
            if size is None:
                size, gap = float(value), float(since)
            else:
                size += alpha * (value - size)
                gap += alpha * (since - gap)
            since = 1
        else:
            since += 1
    following = 0.0 if size is None else (1 - alpha / 2) * size / gap
    return forecasts, following


@dataclass(frozen=True)
class IntermittentModel:
    alpha: float
    level: float  # the flat daily forecast from the last observation
    spread: np.ndarray  # (2,): the INTERVAL quantiles of one-step errors (or of the volumes), one day ahead
    from_errors: bool  # spread from one-step errors (True) or from the volumes seen (False)

    def predict(self, horizon: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Point, lower and upper for 1..horizon days ahead."""
        point = np.full(horizon, self.level)
        if not self.from_errors:  # the days seen, stretched to hold the point (SBA deflates it below them all)
            return (
                point,
                np.full(horizon, min(self.spread[0], self.level)),
                np.full(horizon, max(self.spread[1], self.level)),
            )
        widen = np.sqrt(np.arange(1, horizon + 1))
        return point, np.maximum(0.0, point + self.spread[0] * widen), np.maximum(0.0, point + self.spread[1] * widen)


def fit_intermittent(values: np.ndarray) -> IntermittentModel:
    def errors(alpha: float) -> np.ndarray:
        forecasts, _ = one_step(values, alpha)
        known = ~np.isnan(forecasts)
        return np.asarray(values[known] - forecasts[known])

    if len(errors(DEFAULT_ALPHA)) < MIN_DAYS_TO_TUNE:
        _, level = one_step(values, DEFAULT_ALPHA)
        return IntermittentModel(DEFAULT_ALPHA, level, np.quantile(values, INTERVAL), from_errors=False)
    alpha = min(ALPHAS, key=lambda a: float(np.mean(np.abs(errors(a)))))
    _, level = one_step(values, alpha)
    return IntermittentModel(alpha, level, np.quantile(errors(alpha), INTERVAL), from_errors=True)
