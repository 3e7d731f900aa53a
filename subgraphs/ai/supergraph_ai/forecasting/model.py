"""The saved forecasting model: the fitted ensemble together with the series it was fitted on, so a
forecast always starts from the last prices the model saw."""

from __future__ import annotations

from dataclasses import dataclass

from ..models.registry import ArtifactId
from .ensemble import ForecastEnsemble
from .series import Series

ARTIFACT = ArtifactId("price-forecast", 1)
SEED = 20_251_205


@dataclass
class ForecastModel:
    ensemble: ForecastEnsemble
    series: dict[str, Series]  # by asset
