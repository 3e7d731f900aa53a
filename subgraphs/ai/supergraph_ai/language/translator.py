"""Translation through the generation providers: the configured hosted one first, the local model last.

Each route declares the languages it serves. A hosted provider (OpenAI, Anthropic) serves every language
the API knows; the local SmolLM2-135M only English, French, German and Spanish, the languages its
training data holds most of (its scores in the README are low even there). A pair no route serves is
refused with LANGUAGE_PAIR_UNSUPPORTED before any model runs; when a route that serves it fails, the
next one is tried, and the last failure is the answer.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

from lingua import Language

from ..config import LlmProviderName, Settings
from ..errors import CodedError, ErrorCode, GenerationTimeout, LanguagePairUnsupported
from ..inference.llm.base import GenerationRequest, LlmProvider
from ..inference.llm.factory import create_provider
from ..inference.llm.local_provider import LocalLlamaProvider
from ..metrics import Metrics
from ..validation import MAX_OUTPUT_TOKENS, GenerationParams
from .languages import code_of, name_of

MAX_TRANSLATE_CHARS = 2_000
LOCAL_LANGUAGES = frozenset({Language.ENGLISH, Language.FRENCH, Language.GERMAN, Language.SPANISH})


@dataclass(frozen=True)
class TranslationRoute:
    provider: LlmProvider
    languages: frozenset[Language] | None = None  # None: every language
    owned: bool = False  # created for translation alone, so closed with the translator

    def serves(self, source: Language, target: Language) -> bool:
        return self.languages is None or (source in self.languages and target in self.languages)


@dataclass(frozen=True)
class TranslationResult:
    text: str
    source: Language
    target: Language
    provider: str
    model: str


def translation_routes(settings: Settings, configured: LlmProvider) -> list[TranslationRoute]:
    """The configured provider, then the local model as the offline fallback (loaded only if ever used)."""
    if isinstance(configured, LocalLlamaProvider):
        return [TranslationRoute(configured, LOCAL_LANGUAGES)]
    local = create_provider(replace(settings, llm_provider=LlmProviderName.LOCAL))
    return [TranslationRoute(configured), TranslationRoute(local, LOCAL_LANGUAGES, owned=True)]


def translation_request(text: str, source: Language, target: Language) -> GenerationRequest:
    # Greedy decoding: a translation has one best answer. Room for the text to grow (German runs long).
    max_tokens = min(MAX_OUTPUT_TOKENS, 32 + len(text) // 2)
    system = (
        f"You are a translator. Translate the user's text from {name_of(source)} to {name_of(target)}. "
        "Reply with the translation only: no notes, no quotes, no explanation."
    )
    return GenerationRequest(text, GenerationParams(max_tokens=max_tokens, temperature=0.0, system=system))


class Translator:
    def __init__(self, routes: Sequence[TranslationRoute], metrics: Metrics, deadline_seconds: float) -> None:
        self._routes = tuple(routes)
        self._metrics = metrics
        self._deadline = deadline_seconds

    async def translate(self, text: str, source: Language, target: Language) -> TranslationResult:
        if source == target:
            return TranslationResult(text, source, target, "identity", "none")
        routes = [route for route in self._routes if route.serves(source, target)]
        if not routes:
            raise LanguagePairUnsupported(code_of(source), code_of(target), [r.provider.name for r in self._routes])
        request = translation_request(text, source, target)
        failure: CodedError | None = None
        # One deadline for all routes together: a fallback must still answer before the router gives up.
        deadline = asyncio.get_running_loop().time() + self._deadline
        for route in routes:
            provider = route.provider
            started = time.perf_counter()
            try:
                async with asyncio.timeout_at(deadline):
                    completion = await provider.complete(request)
            except TimeoutError:
                failure = GenerationTimeout(self._deadline)
            except CodedError as error:
                failure = error
            else:
                seconds = time.perf_counter() - started
                self._metrics.observe_batch(f"{provider.name}/{provider.model}", "translate", 1, seconds)
                return TranslationResult(completion.text.strip(), source, target, provider.name, provider.model)
            code = str((failure.extensions or {}).get("code", ErrorCode.PROVIDER_ERROR.value))
            self._metrics.provider_errors.labels(provider.name, code).inc()
        assert failure is not None
        raise failure

    async def aclose(self) -> None:
        for route in self._routes:
            if route.owned:
                await route.provider.aclose()
