"""The series the forecaster learns from and answers for.

The public price history is the `stocks` data set of the PyPI package vega-datasets (0.9.0, read as a
file; its code, which wants pandas, is never imported): monthly closing prices in USD of AAPL, AMZN, IBM
and MSFT from January 2000 and GOOG from its listing in August 2004, all to March 2010. The vega-datasets
package credits the Vega project's example data (github.com/vega/vega-datasets, BSD-3-Clause).
"""

from __future__ import annotations

import csv
import importlib.util
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Literal

import numpy as np

VEGA_PACKAGE = "vega_datasets"
STOCKS_FILE = "_data/stocks.csv"
STOCKS_SOURCE = "vega-datasets 0.9.0 stocks.csv (monthly closes, USD)"


@dataclass(frozen=True)
class Series:
    asset: str
    dates: tuple[date, ...]  # one per observation, ascending, one period apart
    values: np.ndarray  # float64: prices > 0, daily volumes >= 0
    source: str
    unit: str
    period: Literal["month", "day"] = "month"

    def date_after(self, steps: int) -> date:
        """The date `steps` periods after the last observation."""
        if self.period == "day":
            return self.dates[-1] + timedelta(days=steps)
        return add_months(self.dates[-1], steps)


class SeriesMissing(Exception):
    """The data file is not installed (setup.sh installs vega-datasets)."""


def stocks_file() -> Path:
    spec = importlib.util.find_spec(VEGA_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise SeriesMissing("vega-datasets is not installed: rerun subgraphs/ai/setup.sh")
    path = Path(next(iter(spec.submodule_search_locations))) / STOCKS_FILE
    if not path.is_file():
        raise SeriesMissing(f"{path} is missing")
    return path


def load_stock_prices(path: Path | None = None) -> list[Series]:
    rows: dict[str, list[tuple[date, float]]] = {}
    with (path or stocks_file()).open(newline="") as handle:
        for row in csv.DictReader(handle):
            day = datetime.strptime(row["date"], "%b %d %Y").date()
            rows.setdefault(row["symbol"], []).append((day, float(row["price"])))
    series = []
    for asset, points in sorted(rows.items()):
        points.sort()
        series.append(
            Series(
                asset=asset,
                dates=tuple(day for day, _ in points),
                values=np.array([value for _, value in points], dtype=np.float64),
                source=STOCKS_SOURCE,
                unit="USD",
            )
        )
    return series


def add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    return date(day.year + index // 12, index % 12 + 1, 1)
