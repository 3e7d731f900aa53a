"""Serves `priceForecast`: the current model from disk, forecasts cached by model version.

The artefact is re-read when its metadata file changes on disk (a `supergraph-ai-train` run or a
RETRAIN_FORECAST job replaces it), so the next request serves the retrained model. Its version names the training run
(`price-forecast-v1@<trained at>`), and the version is part of every cache key: forecasts of an older
model are never served again (they age out of the cache), in this process or any other replica that
shares the Redis cache.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from ..cache import ByteCache
from ..errors import BadUserInput
from ..metrics import Metrics
from ..models.registry import METADATA_FILE
from .ensemble import INTERVAL, MAX_HORIZON, last_window
from .intermittent import MAX_HORIZON as DAILY_MAX_HORIZON
from .intermittent import MEMBER as DAILY_MEMBER
from .model import ARTIFACT, ForecastModel
from .series import Series

CACHE_TTL_SECONDS = 24 * 3600
INTERVAL_LEVEL = round(INTERVAL[1] - INTERVAL[0], 4)


@dataclass(frozen=True)
class ForecastPoint:
    step: int
    date: date
    value: float
    lower: float
    upper: float


@dataclass(frozen=True)
class Forecast:
    asset: str
    unit: str
    source: str
    last_date: date
    last_value: float
    interval_level: float
    points: tuple[ForecastPoint, ...]
    model_version: str
    member_weights: dict[str, float]

    def to_json(self) -> bytes:
        body = {**vars(self), "points": [vars(p) for p in self.points]}
        return json.dumps(body, default=str).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Forecast:
        body = json.loads(raw)
        points = tuple(ForecastPoint(**{**p, "date": date.fromisoformat(p["date"])}) for p in body.pop("points"))
        return cls(**{**body, "last_date": date.fromisoformat(body["last_date"]), "points": points})


@dataclass(frozen=True)
class LoadedModel:
    model: ForecastModel
    metadata: dict[str, Any]

    @property
    def version(self) -> str:
        return f"{ARTIFACT.label}@{self.metadata['trained_at']}"


class ForecastStore:
    """The artefact on disk, loaded (or trained, when missing) on first use and again whenever it changes."""

    def __init__(self, models_dir: Path, load: Callable[[Path], tuple[ForecastModel, dict[str, Any]]]) -> None:
        self._metadata_file = ARTIFACT.folder(models_dir) / METADATA_FILE
        self._models_dir = models_dir
        self._load = load
        self._lock = threading.Lock()
        self._current: LoadedModel | None = None
        self._stamp: float | None = None
        self.on_load: Callable[[LoadedModel], None] = lambda _: None

    def _disk_stamp(self) -> float | None:
        try:
            return self._metadata_file.stat().st_mtime_ns
        except OSError:
            return None

    def current(self, *, reload: bool = False) -> LoadedModel:
        """Blocking (it may read or train a model): call it from a worker thread. `reload` reads the artefact
        again even when its stamp looks unchanged (a retraining that just replaced it within the clock's grain)."""
        with self._lock:
            if reload or self._current is None or self._disk_stamp() != self._stamp:
                model, metadata = self._load(self._models_dir)
                self._current = LoadedModel(model, metadata)
                self._stamp = self._disk_stamp()
                self.on_load(self._current)
            return self._current


class Forecaster:
    def __init__(self, store: ForecastStore, cache: ByteCache, metrics: Metrics) -> None:
        self.store = store
        self._cache = cache
        self._metrics = metrics
        self._served: LoadedModel | None = None
        store.on_load = self._publish_training

    def _publish_training(self, loaded: LoadedModel) -> None:
        """The served model's training figures as gauges; a replaced model's are withdrawn, not left stale."""
        if self._served is not None:
            self._metrics.forget_training(self._served.version, self._served.metadata.get("metrics", {}))
        self._metrics.record_training(loaded.version, loaded.metadata.get("metrics", {}))
        self._served = loaded

    async def forecast(self, asset: str, horizon: int) -> Forecast:
        loaded = await asyncio.to_thread(self.store.current)
        model = loaded.model
        daily = model.daily.get(asset.upper())
        series = daily.series if daily is not None else model.series.get(asset.upper())
        if series is None:
            known = ", ".join(sorted([*model.series, *model.daily]))
            raise BadUserInput(f"no series for asset {asset!r}; known: {known}", "asset")
        limit = DAILY_MAX_HORIZON if daily is not None else MAX_HORIZON
        if not 1 <= horizon <= limit:
            raise BadUserInput(
                f"horizon must be between 1 and {limit} {series.period}s for {series.asset}, got {horizon}", "horizon"
            )
        key = f"forecast:{loaded.version}:{series.asset}:{horizon}"
        cached = (await self._cache.get_many([key]))[0]
        if cached is not None:
            return Forecast.from_json(cached)
        started = time.perf_counter()
        if daily is not None:
            point, lower, upper = daily.model.predict(horizon)
            weights = {DAILY_MEMBER: 1.0}
        else:
            point, lower, upper, weights = _price_forecast(loaded, series, horizon)
        self._metrics.observe_batch(loaded.version, "forecast", 1, time.perf_counter() - started)
        points = tuple(
            ForecastPoint(
                step=h,
                date=series.date_after(h),
                value=round(float(point[h - 1]), 4),
                lower=round(float(lower[h - 1]), 4),
                upper=round(float(upper[h - 1]), 4),
            )
            for h in range(1, horizon + 1)
        )
        forecast = Forecast(
            asset=series.asset,
            unit=series.unit,
            source=series.source,
            last_date=series.dates[-1],
            last_value=float(series.values[-1]),
            interval_level=INTERVAL_LEVEL,
            points=points,
            model_version=loaded.version,
            member_weights=weights,
        )
        await self._cache.set_many({key: forecast.to_json()}, CACHE_TTL_SECONDS)
        return forecast


def _price_forecast(
    loaded: LoadedModel, series: Series, horizon: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, float]]:
    """Prices 1..horizon months ahead (point, lower, upper) and the members' weights at `horizon`."""
    prediction = loaded.model.ensemble.predict(last_window(series.values))
    last = float(series.values[-1])
    point, lower, upper = (
        last * np.exp(bound[0, :horizon]) for bound in (prediction.point, prediction.lower, prediction.upper)
    )
    weights = zip(loaded.metadata["members"], loaded.model.ensemble.weights[:, horizon - 1], strict=True)
    return point, lower, upper, {name: round(float(weight), 4) for name, weight in weights}
