"""Computed findings over a window: what changed against the previous window of the same length, and
which days were anomalous against the days before them. Each finding carries the numbers behind it."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from .store import AnalyticsStore, Ratio

# A change is worth saying when a count or sum moves by at least this share of its previous value...
RELATIVE_CHANGE = 0.2
# ...or a rate by at least this many points.
RATE_CHANGE = 0.05
# A day is anomalous when it lies this many standard deviations from the days before it...
ANOMALY_Z = 3.0
# ...judged against this many days, of which at least MIN_HISTORY_DAYS must have data.
HISTORY_DAYS = 14
MIN_HISTORY_DAYS = 5


@dataclass(frozen=True)
class Insight:
    kind: Literal["CHANGE", "ANOMALY"]
    metric: str
    message: str
    value: float  # the window's (or the day's) figure
    baseline: float  # the previous window's figure, or the days-before mean
    change: float  # relative change (CHANGE: rates in points), or the z-score (ANOMALY)


def insights(store: AnalyticsStore, start: datetime, end: datetime) -> list[Insight]:
    previous_start = start - (end - start)
    found: list[Insight] = []

    def net_by_currency(a: datetime, b: datetime) -> dict[str, int]:
        totals: dict[str, int] = {}
        for row in store.revenue("DAY", a, b):
            totals[row.currency] = totals.get(row.currency, 0) + row.net
        return totals

    now, before = net_by_currency(start, end), net_by_currency(previous_start, start)
    for currency in sorted(now.keys() | before.keys()):
        found += _change(f"revenue {currency}", now.get(currency, 0), before.get(currency, 0))
    found += _change("activeUsers", store.active_users(start, end), store.active_users(previous_start, start))
    found += _rate_change("fraudRate", store.fraud_rate(start, end), store.fraud_rate(previous_start, start))
    found += _rate_change(
        "validationPassRate", store.validation_pass_rate(start, end), store.validation_pass_rate(previous_start, start)
    )
    found += _daily_revenue_anomalies(store, start, end)
    return found


def _change(metric: str, value: int, baseline: int) -> list[Insight]:
    if baseline == 0:
        if value == 0:
            return []
        return [Insight("CHANGE", metric, f"{metric}: {value}, up from none in the previous period", value, 0, 1.0)]
    change = (value - baseline) / baseline
    if abs(change) < RELATIVE_CHANGE:
        return []
    direction = "up" if change > 0 else "down"
    message = f"{metric}: {value}, {direction} {abs(change):.0%} from {baseline} in the previous period"
    return [Insight("CHANGE", metric, message, value, baseline, round(change, 4))]


def _rate_change(metric: str, now: Ratio, before: Ratio) -> list[Insight]:
    if now.rate is None or before.rate is None:
        return []
    change = now.rate - before.rate
    if abs(change) < RATE_CHANGE:
        return []
    message = (
        f"{metric}: {now.rate:.1%} ({now.part} of {now.whole}), {'up' if change > 0 else 'down'} "
        f"{abs(change) * 100:.1f} points from {before.rate:.1%} ({before.part} of {before.whole})"
    )
    return [Insight("CHANGE", metric, message, round(now.rate, 4), round(before.rate, 4), round(change, 4))]


def _daily_revenue_anomalies(store: AnalyticsStore, start: datetime, end: datetime) -> list[Insight]:
    daily: dict[str, dict[datetime, int]] = {}
    for row in store.revenue("DAY", start - timedelta(days=HISTORY_DAYS), end):
        daily.setdefault(row.currency, {})[row.period] = row.net
    found = []
    for currency, days in sorted(daily.items()):
        for day, net in sorted(days.items()):
            if day < start:
                continue
            # Days without a payment count as zero, once the currency has any history at all.
            history = [days.get(day - timedelta(days=i), 0) for i in range(1, HISTORY_DAYS + 1)]
            if sum(1 for i in range(1, HISTORY_DAYS + 1) if day - timedelta(days=i) in days) < MIN_HISTORY_DAYS:
                continue
            mean, spread = statistics.fmean(history), statistics.pstdev(history)
            if spread == 0:
                continue
            z = (net - mean) / spread
            if abs(z) >= ANOMALY_Z:
                message = (
                    f"revenue {currency} on {day.date()}: {net}, {z:+.1f} standard deviations from the "
                    f"{HISTORY_DAYS} days before (mean {mean:.0f})"
                )
                found.append(Insight("ANOMALY", f"revenue {currency}", message, net, round(mean, 2), round(z, 2)))
    return found
