"""Translation through the generation providers: the configured hosted one first, the local model last.

Each route declares the languages it serves. A hosted provider (OpenAI, Anthropic) serves every language
the API knows; the local SmolLM2-135M only English, French, German and Spanish, the languages its
training data holds most of (its scores in the README are low even there). A pair no route serves is
refused with LANGUAGE_PAIR_UNSUPPORTED before any model runs; when a route that serves it fails, the
next one is tried, and the last failure is the answer.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

from lingua import Language

from ..cache import ByteCache
from ..config import LlmProviderName, Settings
from ..errors import CodedError, ErrorCode, GenerationTimeout, LanguagePairUnsupported
from ..inference.llm.base import GenerationRequest, LlmProvider
from ..inference.llm.factory import create_provider
from ..inference.llm.local_provider import LocalLlamaProvider
from ..metrics import Metrics
from ..validation import MAX_OUTPUT_TOKENS, GenerationParams
from .languages import code_of, name_of

MAX_TRANSLATE_CHARS = 2_000
CACHE_TTL_SECONDS = 7 * 24 * 3600
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


def _cache_key(provider: LlmProvider, source: Language, target: Language, text: str) -> str:
    digest = hashlib.sha256(text.encode()).hexdigest()
    return f"translation:{provider.name}/{provider.model}:{code_of(source)}:{code_of(target)}:{digest}"


class Translator:
    """Translations are cached by provider, model, pair and text (greedy decoding gives one answer per
    model): a description shown in a list is translated once, not on every page view."""

    def __init__(
        self, routes: Sequence[TranslationRoute], metrics: Metrics, deadline_seconds: float, cache: ByteCache
    ) -> None:
        self._routes = tuple(routes)
        self._metrics = metrics
        self._deadline = deadline_seconds
        self._cache = cache

    async def translate(self, text: str, source: Language, target: Language) -> TranslationResult:
        if source == target:
            return TranslationResult(text, source, target, "identity", "none")
        routes = [route for route in self._routes if route.serves(source, target)]
        if not routes:
            raise LanguagePairUnsupported(code_of(source), code_of(target), [r.provider.name for r in self._routes])
        keys = [_cache_key(route.provider, source, target, text) for route in routes]
        for route, cached in zip(routes, await self._cache.get_many(keys), strict=True):
            if cached is not None:  # the first route that answered before, in preference order
                return TranslationResult(cached.decode(), source, target, route.provider.name, route.provider.model)
        request = translation_request(text, source, target)
        failure: CodedError | None = None
        # One deadline for all routes together: a fallback must still answer before the router gives up.
        deadline = asyncio.get_running_loop().time() + self._deadline
        for route, key in zip(routes, keys, strict=True):
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
                translated = completion.text.strip()
                await self._cache.set_many({key: translated.encode()}, CACHE_TTL_SECONDS)
                return TranslationResult(translated, source, target, provider.name, provider.model)
            code = str((failure.extensions or {}).get("code", ErrorCode.PROVIDER_ERROR.value))
            self._metrics.provider_errors.labels(provider.name, code).inc()
        assert failure is not None
        raise failure

    async def aclose(self) -> None:
        for route in self._routes:
            if route.owned:
                await route.provider.aclose()
