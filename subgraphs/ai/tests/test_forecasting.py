"""priceForecast: the ensemble trained on the shipped price history, served, cached and replaced on retraining."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import date, timedelta
from pathlib import Path

import httpx
import numpy as np
import pytest

from supergraph_ai.forecasting import backtest, intermittent
from supergraph_ai.forecasting.ensemble import LAGS, MAX_HORIZON, windows
from supergraph_ai.forecasting.model import ARTIFACT, DailyModel
from supergraph_ai.forecasting.series import Series, add_months, load_stock_prices
from supergraph_ai.models.registry import METADATA_FILE, load_artifact, save_artifact
from supergraph_ai.services import Services

from .graphql_client import error_codes, gql
from .helpers import ANONYMOUS, USER

FORECAST = """
query ($asset: String!, $horizon: Int!) {
  priceForecast(asset: $asset, horizon: $horizon) {
    asset unit source lastDate lastValue intervalLevel modelVersion
    points { step date value lower upper }
    members { name weight }
  }
}
"""


def test_the_public_price_history_ships_in_a_package() -> None:
    series = {s.asset: s for s in load_stock_prices()}
    assert sorted(series) == ["AAPL", "AMZN", "GOOG", "IBM", "MSFT"]
    msft = series["MSFT"]
    assert (msft.dates[0], msft.values[0]) == (date(2000, 1, 1), 39.81)  # the file's first row
    assert len(msft.values) == 123
    assert msft.dates[-1] == date(2010, 3, 1)
    assert all(b > a for a, b in zip(msft.dates, msft.dates[1:], strict=False))


def test_windows_pair_past_returns_with_the_returns_ahead() -> None:
    prices = np.exp(np.linspace(0.0, 2.0, 30))  # log price rises by the same step every month
    step = 2.0 / 29
    x, y = windows(prices)
    assert x.shape == (30 - LAGS - MAX_HORIZON, LAGS)
    assert y.shape == (len(x), MAX_HORIZON)
    np.testing.assert_allclose(x, step)
    np.testing.assert_allclose(y, np.tile(step * np.arange(1, MAX_HORIZON + 1), (len(x), 1)))


async def test_forecasts_carry_intervals_and_the_model_version(client: httpx.AsyncClient) -> None:
    status, body = await gql(client, FORECAST, {"asset": "aapl", "horizon": 3}, identity=USER)
    assert status == 200
    assert "errors" not in body, body
    forecast = body["data"]["priceForecast"]
    assert forecast["asset"] == "AAPL"
    assert forecast["unit"] == "USD"
    assert "vega-datasets" in forecast["source"]
    assert (forecast["lastDate"], forecast["lastValue"]) == ("2010-03-01", 223.02)
    assert forecast["modelVersion"].startswith("price-forecast-v2@")
    assert [p["step"] for p in forecast["points"]] == [1, 2, 3]
    assert [p["date"] for p in forecast["points"]] == ["2010-04-01", "2010-05-01", "2010-06-01"]
    for point in forecast["points"]:
        assert 0 < point["lower"] < point["value"] < point["upper"]
    # The interval widens with the horizon: the further ahead, the less is known.
    widths = [p["upper"] - p["lower"] for p in forecast["points"]]
    assert widths == sorted(widths)
    assert forecast["intervalLevel"] == 0.8
    assert {m["name"] for m in forecast["members"]} == {"gradient_boosting", "mlp"}
    assert abs(sum(m["weight"] for m in forecast["members"]) - 1) < 1e-3


async def test_a_cached_forecast_is_replaced_when_the_model_is_retrained(
    client: httpx.AsyncClient, services: Services, models_dir: Path
) -> None:
    _, first = await gql(client, FORECAST, {"asset": "MSFT", "horizon": 2}, identity=USER)
    key = f"forecast:{first['data']['priceForecast']['modelVersion']}:MSFT:2"
    assert (await services.cache.get_many([key]))[0] is not None
    _, again = await gql(client, FORECAST, {"asset": "MSFT", "horizon": 2}, identity=USER)
    assert again == first

    # A retraining run replaces the artefact on disk (here: the same model under a new training stamp).
    model, metadata = load_artifact(models_dir, ARTIFACT)
    save_artifact(models_dir, ARTIFACT, model, {**metadata, "trained_at": "20991231T000000.000000Z"})
    _, after = await gql(client, FORECAST, {"asset": "MSFT", "horizon": 2}, identity=USER)
    assert after["data"]["priceForecast"]["modelVersion"] == "price-forecast-v2@20991231T000000.000000Z"
    # Its training figures replace the old model's on /metrics.
    gauges = [line for line in services.metrics.render().decode().splitlines() if line.startswith("ai_model_quality{")]
    versions = {re.search(r'model="([^"]+)"', line)[1] for line in gauges}  # type: ignore[index]
    assert "price-forecast-v2@20991231T000000.000000Z" in versions
    assert first["data"]["priceForecast"]["modelVersion"] not in versions
    stored = json.loads((ARTIFACT.folder(models_dir) / METADATA_FILE).read_text())
    assert stored["trained_at"] == "20991231T000000.000000Z"


async def test_horizon_and_asset_are_checked(client: httpx.AsyncClient) -> None:
    for variables, argument in (
        ({"asset": "AAPL", "horizon": 0}, "horizon"),
        ({"asset": "AAPL", "horizon": MAX_HORIZON + 1}, "horizon"),
        ({"asset": "DOGE", "horizon": 1}, "asset"),
    ):
        _, body = await gql(client, FORECAST, variables, identity=USER)
        assert error_codes(body) == ["BAD_USER_INPUT"]
        assert body["errors"][0]["extensions"]["argument"] == argument
    _, body = await gql(client, FORECAST, {"asset": "AAPL", "horizon": 1}, identity=ANONYMOUS)
    assert error_codes(body) == ["UNAUTHENTICATED"]


async def test_training_figures_and_latency_are_on_metrics(client: httpx.AsyncClient, services: Services) -> None:
    await gql(client, FORECAST, {"asset": "IBM", "horizon": 1}, identity=USER)
    rendered = services.metrics.render().decode()
    assert 'evaluation="validation_ensemble",metric="mae"' in rendered
    assert 'ai_inference_latency_seconds_count{model="price-forecast-v2@' in rendered


def test_the_backtest_scores_the_naive_forecast_exactly_and_the_ensemble_learns_a_trend() -> None:
    # Four series growing by a steady 1-4% a month: the last price is always too low, by a known amount,
    # and a model that learned the trend from earlier months forecasts far better.
    months = 60
    dates = tuple(add_months(date(2000, 1, 1), m) for m in range(months))
    rates = (0.01, 0.02, 0.03, 0.04)
    series = [
        Series(f"S{i}", dates, 100 * np.exp(rate * np.arange(months)), "synthetic", "USD")
        for i, rate in enumerate(rates)
    ]
    report = backtest.rolling_origin(series, seed=1)
    # Naive at h months ahead misses p_t * (e^{rh} - 1), i.e. 1 - e^{-rh} of the true price.
    expected_mape = np.mean([100 * (1 - np.exp(-r * h)) for r in rates for h in range(1, MAX_HORIZON + 1)])
    assert report["backtest_naive"]["mape"] == pytest.approx(expected_mape, abs=1e-3)
    assert report["backtest_ensemble"]["mape"] < report["backtest_naive"]["mape"] / 3
    assert report["backtest_ensemble"]["points"] == len(rates) * backtest.ORIGINS * MAX_HORIZON


def test_croston_forecasts_the_daily_rate_of_a_volume_that_is_mostly_zero() -> None:
    # 6 tokens every third day: a rate of 2 a day, which SBA deflates by (1 - alpha/2) against Croston's bias.
    volume = np.tile([0.0, 0.0, 6.0], 20)
    model = intermittent.fit_intermittent(volume)
    assert model.from_errors
    assert model.level == pytest.approx((1 - model.alpha / 2) * 2.0)
    point, lower, upper = model.predict(intermittent.MAX_HORIZON)
    np.testing.assert_allclose(point, model.level)
    assert (lower >= 0).all()
    assert (lower <= point).all()
    assert (upper >= point).all()
    assert upper[-1] > upper[0]  # the further ahead, the wider

    # Too short to learn from its own errors: the interval is the spread of the days seen.
    young = intermittent.fit_intermittent(np.array([0.0, 3.0, 0.0]))
    assert not young.from_errors
    assert young.level == pytest.approx((1 - intermittent.DEFAULT_ALPHA / 2) * 3.0 / 2.0)
    # One day of history: its volume alone is the spread, and the deflated point lies below it.
    newborn = intermittent.fit_intermittent(np.array([20.0]))
    point, lower, upper = newborn.predict(3)
    assert (lower <= point).all()
    assert (point < upper).all()
    assert upper[0] == 20.0


def test_the_daily_backtest_scores_the_naive_forecast_exactly() -> None:
    # A steady 5 a day: the last day's volume is exact, Croston's deflated rate is off by alpha/2 * 5.
    days = tuple(date(2026, 1, 1) + timedelta(days=d) for d in range(60))
    steady = Series("STEADY", days, np.full(60, 5.0), "test", "FORGE/day", period="day")
    report = backtest.rolling_origin_daily(steady)
    assert report["backtest_daily_naive"] == {"mae": 0.0, "mape": 0.0}
    alpha = intermittent.fit_intermittent(steady.values[:-7]).alpha
    assert report["backtest_daily_croston_sba"]["mae"] == pytest.approx(alpha / 2 * 5.0, abs=1e-3)
    assert report["backtest_daily_croston_sba"]["points"] == 30 * backtest.DAILY_HORIZON
    assert backtest.rolling_origin_daily(Series("YOUNG", days[:10], np.ones(10), "test", "FORGE/day", "day")) == {}


async def test_a_daily_activity_series_is_forecast_day_by_day(
    client: httpx.AsyncClient, services: Services, models_dir: Path
) -> None:
    days = tuple(date(2026, 11, 1) + timedelta(days=d) for d in range(30))
    volume = Series("FORGE_TRANSFER_VOLUME", days, np.tile([0.0, 4.0, 0.0], 10), "test", "FORGE/day", "day")
    await asyncio.to_thread(services.forecaster.store.current)  # trained at first use when missing
    model, metadata = load_artifact(models_dir, ARTIFACT)
    model.daily = {volume.asset: DailyModel(volume, intermittent.fit_intermittent(volume.values))}
    save_artifact(models_dir, ARTIFACT, model, {**metadata, "trained_at": "20991231T000001.000000Z"})

    _, body = await gql(client, FORECAST, {"asset": "forge_transfer_volume", "horizon": 14}, identity=USER)
    forecast = body["data"]["priceForecast"]
    assert (forecast["unit"], forecast["lastDate"], forecast["lastValue"]) == ("FORGE/day", "2026-11-30", 0.0)
    assert forecast["modelVersion"] == "price-forecast-v2@20991231T000001.000000Z"
    assert [p["date"] for p in forecast["points"][:2]] == ["2026-12-01", "2026-12-02"]
    assert all(0 <= p["lower"] <= p["value"] <= p["upper"] for p in forecast["points"])
    assert forecast["members"] == [{"name": "croston_sba", "weight": 1.0}]
    _, body = await gql(client, FORECAST, {"asset": "FORGE_TRANSFER_VOLUME", "horizon": 15}, identity=USER)
    assert body["errors"][0]["extensions"]["argument"] == "horizon"
