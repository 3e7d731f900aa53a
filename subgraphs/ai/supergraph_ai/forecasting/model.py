"""The saved forecasting model: the fitted price ensemble and the daily activity models, each together
with the series it was fitted on, so a forecast always starts from the last values the model saw."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..models.registry import ArtifactId
from .ensemble import ForecastEnsemble
from .intermittent import IntermittentModel
from .series import Series

ARTIFACT = ArtifactId("price-forecast", 2)  # v2: with the platform's daily $FORGE activity
SEED = 20_251_205


@dataclass(frozen=True)
class DailyModel:
    series: Series
    model: IntermittentModel


@dataclass
class ForecastModel:
    ensemble: ForecastEnsemble
    series: dict[str, Series]  # monthly prices, by asset
    daily: dict[str, DailyModel] = field(
        default_factory=dict
    )  # daily activity, by asset; empty while the chain has none
