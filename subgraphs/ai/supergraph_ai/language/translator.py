"""Translation through the generation providers' fallback chain: the configured hosted one first, the
local model last.

A hosted provider (OpenAI, Anthropic) serves every language the API knows; the local SmolLM2-135M only
English, French, German and Spanish, the languages its training data holds most of (its scores in the
README are low even there). A pair no provider serves is refused with LANGUAGE_PAIR_UNSUPPORTED before
any model runs; when one that serves it fails, the next one is tried, and the last failure is the answer.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from lingua import Language

from ..cache import ByteCache
from ..errors import LanguagePairUnsupported
from ..inference.llm.base import GenerationRequest, LlmProvider
from ..inference.llm.fallback import ProviderFallback
from ..metrics import Metrics
from ..validation import MAX_OUTPUT_TOKENS, GenerationParams
from .languages import code_of, name_of

MAX_TRANSLATE_CHARS = 2_000
CACHE_TTL_SECONDS = 7 * 24 * 3600
LOCAL_LANGUAGES = frozenset({Language.ENGLISH, Language.FRENCH, Language.GERMAN, Language.SPANISH})


@dataclass(frozen=True)
class TranslationResult:
    text: str
    source: Language
    target: Language
    provider: str
    model: str


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
        self, providers: ProviderFallback, metrics: Metrics, deadline_seconds: float, cache: ByteCache
    ) -> None:
        self._providers = providers
        self._metrics = metrics
        self._deadline = deadline_seconds
        self._cache = cache

    def _serves(self, provider: LlmProvider, source: Language, target: Language) -> bool:
        return provider is not self._providers.local or (source in LOCAL_LANGUAGES and target in LOCAL_LANGUAGES)

    async def translate(self, text: str, source: Language, target: Language) -> TranslationResult:
        if source == target:
            return TranslationResult(text, source, target, "identity", "none")
        every = self._providers.providers
        providers = [provider for provider in every if self._serves(provider, source, target)]
        if not providers:
            raise LanguagePairUnsupported(code_of(source), code_of(target), [p.name for p in every])
        keys = [_cache_key(provider, source, target, text) for provider in providers]
        for provider, cached in zip(providers, await self._cache.get_many(keys), strict=True):
            if cached is not None:  # the first provider that answered before, in preference order
                return TranslationResult(cached.decode(), source, target, provider.name, provider.model)
        started = time.perf_counter()
        answer = await self._providers.complete(translation_request(text, source, target), providers, self._deadline)
        provider = answer.provider
        self._metrics.observe_batch(f"{provider.name}/{provider.model}", "translate", 1, time.perf_counter() - started)
        translated = answer.completion.text.strip()
        await self._cache.set_many({keys[providers.index(provider)]: translated.encode()}, CACHE_TTL_SECONDS)
        return TranslationResult(translated, source, target, provider.name, provider.model)
