"""Which language a text is in, with lingua (its n-gram models ship inside the wheel; nothing is downloaded).

Low-accuracy mode (trigrams only) with every model loaded at start: about 100 MB resident and under a
millisecond per sentence. High-accuracy mode is better on texts of a few words but holds about 900 MB
for all 75 languages; the README gives both modes' accuracy on the labelled sample.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from lingua import Language, LanguageDetectorBuilder

from .languages import code_of

MODEL_ID = "lingua-low-accuracy"
ALTERNATIVES = 3  # how many runner-up languages an answer lists


@dataclass(frozen=True)
class LanguageGuess:
    code: str
    language: Language
    confidence: float


@dataclass(frozen=True)
class Detection:
    best: LanguageGuess | None  # None when no language stands out (a number, a name, one short word)
    alternatives: tuple[LanguageGuess, ...]


class LanguageDetector:
    def __init__(self, *, high_accuracy: bool = False) -> None:
        builder = LanguageDetectorBuilder.from_all_languages().with_preloaded_language_models()
        self._detector = (builder if high_accuracy else builder.with_low_accuracy_mode()).build()
        self.model_id = "lingua-high-accuracy" if high_accuracy else MODEL_ID

    def detect(self, text: str) -> Detection:
        values = self._detector.compute_language_confidence_values(text)
        guesses = [LanguageGuess(code_of(v.language), v.language, round(v.value, 4)) for v in values if v.value > 0]
        # lingua's own rule for "undetermined": nothing scored, or the two best tie.
        if not guesses or (len(guesses) > 1 and guesses[0].confidence == guesses[1].confidence):
            return Detection(None, tuple(guesses[:ALTERNATIVES]))
        return Detection(guesses[0], tuple(guesses[1 : 1 + ALTERNATIVES]))


@cache
def shared_detector() -> LanguageDetector:
    """One per process: it is read-only and thread-safe, and loading its models takes a second or two."""
    return LanguageDetector()
