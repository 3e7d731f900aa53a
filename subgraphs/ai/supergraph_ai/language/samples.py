"""The labelled samples shipped beside this module, and the detector's accuracy on them.

The accuracy is measured once per process when the detector is first built (112 short texts, a few
milliseconds) and published as the detector's quality gauge, like the trained models' validation figures.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from .detector import LanguageDetector, shared_detector

SAMPLES = Path(__file__).parent / "samples"
SHORT_WORDS = 4  # texts of at most this many words count as short, where detectors err most


def read_samples(name: str) -> list[list[str]]:
    """The tab-separated rows of samples/<name>, comment lines (#) left out."""
    lines = (SAMPLES / name).read_text(encoding="utf-8").splitlines()
    return [line.split("\t") for line in lines if line and not line.startswith("#")]


@dataclass
class DetectionReport:
    hits: dict[str, list[bool]] = field(default_factory=lambda: defaultdict(list))  # by language code
    short: list[bool] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        every = [hit for values in self.hits.values() for hit in values]
        return sum(every) / len(every)

    @property
    def short_accuracy(self) -> float:
        return sum(self.short) / len(self.short)

    def figures(self) -> dict[str, dict[str, float]]:
        """As the models' training metrics: evaluation -> {accuracy}."""
        return {
            "labelled_sample": {"accuracy": round(self.accuracy, 4)},
            "labelled_sample_short": {"accuracy": round(self.short_accuracy, 4)},
        }


def measure_detection(detector: LanguageDetector) -> DetectionReport:
    report = DetectionReport()
    for code, text in read_samples("detection.tsv"):
        best = detector.detect(text).best
        hit = best is not None and best.code == code
        report.hits[code].append(hit)
        if len(text.split()) <= SHORT_WORDS:
            report.short.append(hit)
        if not hit:
            report.misses.append(f"    {code} -> {best.code if best else 'none'}: {text}")
    return report


@cache
def served_detector_figures() -> dict[str, dict[str, float]]:
    """The served detector's figures, measured once per process."""
    return measure_detection(shared_detector()).figures()
