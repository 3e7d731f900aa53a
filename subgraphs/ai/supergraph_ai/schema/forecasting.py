"""`priceForecast(asset, horizon)`: monthly price and daily $FORGE activity forecasts with 80% prediction intervals."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from ..context import RequestContext
from ..forecasting.activity import VOLUME_ASSET
from ..forecasting.ensemble import MAX_HORIZON
from ..forecasting.forecaster import Forecast
from ..forecasting.intermittent import MAX_HORIZON as DAILY_MAX_HORIZON
from .permissions import SignedIn


@strawberry.type(description="One period (a month for prices, a day for activity) ahead of the last observation.")
class ForecastPoint:
    step: int = strawberry.field(description="Periods after the last observation, from 1")
    date: str = strawberry.field(description="The day, or the first day of the month, forecast: YYYY-MM-DD")
    value: float = strawberry.field(description="Point forecast")
    lower: float = strawberry.field(description="Lower bound of the prediction interval")
    upper: float = strawberry.field(description="Upper bound of the prediction interval")


@strawberry.type(description="A model of the ensemble and its weight (from its validation error) at this horizon.")
class EnsembleMember:
    name: str
    weight: float


@strawberry.type
class PriceForecast:
    asset: str
    unit: str
    source: str = strawberry.field(description="Where the series comes from")
    last_date: str = strawberry.field(description="Month of the last observation the forecast starts from")
    last_value: float
    interval_level: float = strawberry.field(description="Nominal coverage of lower..upper, e.g. 0.8")
    points: list[ForecastPoint]
    model_version: str = strawberry.field(description="The trained model that answered; changes on retraining")
    members: list[EnsembleMember]

    @classmethod
    def of(cls, forecast: Forecast) -> PriceForecast:
        return cls(
            asset=forecast.asset,
            unit=forecast.unit,
            source=forecast.source,
            last_date=forecast.last_date.isoformat(),
            last_value=forecast.last_value,
            interval_level=forecast.interval_level,
            points=[
                ForecastPoint(step=p.step, date=p.date.isoformat(), value=p.value, lower=p.lower, upper=p.upper)
                for p in forecast.points
            ],
            model_version=forecast.model_version,
            members=[EnsembleMember(name=n, weight=w) for n, w in forecast.member_weights.items()],
        )


@strawberry.type
class ForecastingQueries:
    @strawberry.field(
        permission_classes=[SignedIn],
        description=f"Forecasts `asset`'s monthly price 1 to `horizon` (at most {MAX_HORIZON}) months past its last "
        f"observation; for `{VOLUME_ASSET}`, the platform's $FORGE moved per day, 1 to `horizon` (at most "
        f"{DAILY_MAX_HORIZON}) days. Backtested against the last-value forecast in the AI subgraph's README.",
    )
    async def price_forecast(self, info: Info[RequestContext, None], asset: str, horizon: int) -> PriceForecast | None:
        return PriceForecast.of(await info.context.services.forecaster.forecast(asset, horizon))
