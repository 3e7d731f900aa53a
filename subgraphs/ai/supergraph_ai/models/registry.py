"""Saved model artefacts: one folder per model and version, `<AI_DATA_DIR>/models/<name>-v<version>/`.

Each holds `model.joblib` and `metadata.json` (version, seed, scikit-learn version, training-data
fingerprint, validation metrics). A pickle is only safe to load with the scikit-learn it was written by,
so a mismatch is treated like a missing artefact: the caller retrains (training is seeded, takes
seconds, and reproduces the same model), rather than loading something that may misbehave.
Artefacts are written to a temporary folder and renamed into place, so a reader never sees half a model.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import joblib
import sklearn

MODEL_FILE = "model.joblib"
METADATA_FILE = "metadata.json"


@dataclass(frozen=True)
class ArtifactId:
    name: str
    version: int

    @property
    def label(self) -> str:
        return f"{self.name}-v{self.version}"

    def folder(self, models_dir: Path) -> Path:
        return models_dir / self.label


class ArtifactMissing(Exception):
    """No usable artefact: absent, unreadable, or written by another scikit-learn."""


def save_artifact(models_dir: Path, artifact: ArtifactId, model: Any, metadata: dict[str, Any]) -> Path:
    target = artifact.folder(models_dir)
    models_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{artifact.label}-", dir=models_dir))
    try:
        joblib.dump(model, staging / MODEL_FILE, compress=3)
        full = {"artifact": artifact.label, "sklearn_version": sklearn.__version__, **metadata}
        (staging / METADATA_FILE).write_text(json.dumps(full, indent=2, sort_keys=True) + "\n")
        if target.exists():
            shutil.rmtree(target)
        os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def load_artifact(models_dir: Path, artifact: ArtifactId) -> tuple[Any, dict[str, Any]]:
    folder = artifact.folder(models_dir)
    try:
        metadata = json.loads((folder / METADATA_FILE).read_text())
    except (OSError, ValueError) as error:
        raise ArtifactMissing(f"{folder}: {error}") from None
    if metadata.get("sklearn_version") != sklearn.__version__:
        raise ArtifactMissing(
            f"{folder} was trained with scikit-learn {metadata.get('sklearn_version')}, this is {sklearn.__version__}"
        )
    try:
        model = joblib.load(folder / MODEL_FILE)
    except Exception as error:  # noqa: BLE001 — any unreadable pickle means "retrain"
        raise ArtifactMissing(f"{folder / MODEL_FILE}: {error}") from None
    return model, metadata
