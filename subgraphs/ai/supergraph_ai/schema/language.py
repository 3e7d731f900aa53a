"""`detectLanguage` and `translate`; `Project.descriptionIn` (schema/project.py) uses the same `translate_text`."""

from __future__ import annotations

import time
from typing import Annotated

import strawberry
from lingua import Language
from strawberry.types import Info

from ..context import RequestContext
from ..errors import BadUserInput
from ..language.detector import Detection, LanguageGuess
from ..language.languages import code_of, name_of, parse_language
from ..language.translator import MAX_TRANSLATE_CHARS, TranslationResult, Translator
from ..validation import MAX_TEXT_CHARS, check_text
from .directives import NonRetryable
from .permissions import SignedIn


@strawberry.type(name="LanguageGuess", description="A language and how sure the detector is of it.")
class LanguageGuessType:
    code: str = strawberry.field(description="ISO 639-1 code, lower case")
    name: str = strawberry.field(description="English name")
    confidence: float = strawberry.field(description="0 to 1; all guesses of one text add up to at most 1")

    @classmethod
    def of(cls, guess: LanguageGuess) -> LanguageGuessType:
        return cls(code=guess.code, name=name_of(guess.language), confidence=guess.confidence)


@strawberry.type(name="LanguageDetection")
class LanguageDetectionType:
    language: LanguageGuessType | None = strawberry.field(
        description="The most likely language; null when none stands out (a number, a name, a single short word)"
    )
    alternatives: list[LanguageGuessType] = strawberry.field(description="The next most likely, best first")
    model: str

    @classmethod
    def of(cls, detection: Detection, model: str) -> LanguageDetectionType:
        best = None if detection.best is None else LanguageGuessType.of(detection.best)
        return cls(language=best, alternatives=[LanguageGuessType.of(g) for g in detection.alternatives], model=model)


@strawberry.type
class Translation:
    text: str
    source_language: str = strawberry.field(name="from", description="ISO 639-1 code: as given, or detected")
    target_language: str = strawberry.field(name="to", description="ISO 639-1 code")
    provider: str = strawberry.field(description="Which provider translated it (`identity` when from = to)")
    model: str

    @classmethod
    def of(cls, result: TranslationResult) -> Translation:
        return cls(
            text=result.text,
            source_language=code_of(result.source),
            target_language=code_of(result.target),
            provider=result.provider,
            model=result.model,
        )


async def translate_text(
    info: Info[RequestContext, None], text: str, to: str, source: str | None, text_argument: str = "text"
) -> Translation:
    """Validates the languages, detects the source when not given, and translates."""
    target = parse_language(to, "to")
    services = info.context.services
    check_text(text, text_argument, MAX_TRANSLATE_CHARS)
    source_language: Language
    if source is not None:
        source_language = parse_language(source, "from")
    else:
        detected = services.language.detect(text).best
        if detected is None:
            raise BadUserInput(f"the language of {text_argument} cannot be told: give `from`", "from")
        source_language = detected.language
    translator: Translator = services.translator
    return Translation.of(await translator.translate(text, source_language, target))


@strawberry.type
class LanguageQueries:
    @strawberry.field(
        permission_classes=[SignedIn],
        description=f"The language `text` (at most {MAX_TEXT_CHARS} characters) is written in, with alternatives.",
    )
    def detect_language(self, info: Info[RequestContext, None], text: str) -> LanguageDetectionType | None:
        check_text(text, "text", MAX_TEXT_CHARS)
        services = info.context.services
        detector = services.language
        started = time.perf_counter()
        detection = detector.detect(text)
        services.metrics.observe_batch(detector.model_id, "detect_language", 1, time.perf_counter() - started)
        return LanguageDetectionType.of(detection, detector.model_id)

    # A model generation: the router must not run it twice (see directives.py).
    @strawberry.field(
        permission_classes=[SignedIn],
        directives=[NonRetryable()],
        description=f"Translates `text` (at most {MAX_TRANSLATE_CHARS} characters) into `to` (ISO 639-1), from `from` "
        "or the detected language, with the configured provider and the local model as fallback. "
        "LANGUAGE_PAIR_UNSUPPORTED when no configured provider serves the pair.",
    )
    async def translate(
        self,
        info: Info[RequestContext, None],
        text: str,
        to: str,
        from_: Annotated[str | None, strawberry.argument(name="from")] = None,
    ) -> Translation | None:
        return await translate_text(info, text, to, from_)
