"""The configured generation provider, then the local model as the offline fallback: one chain for every
caller that may take the slower path rather than fail (translation, AI jobs' batch generation).

One chain per process, built with the services, so the local model behind it is one object: loaded once
(on first use; hundreds of MB resident) whichever caller needs it first, and closed once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, replace

from ...config import LlmProviderName, Settings
from ...errors import CodedError, ErrorCode, GenerationTimeout
from ...metrics import Metrics
from .base import Completion, GenerationRequest, LlmProvider
from .factory import create_provider


@dataclass(frozen=True)
class Answer:
    completion: Completion
    provider: LlmProvider
    fallback: bool  # a provider after the first one asked answered


class ProviderFallback:
    def __init__(
        self, configured: LlmProvider, local: LlmProvider | None, metrics: Metrics, *, owns_local: bool
    ) -> None:
        self.configured = configured
        self.local = local  # None: no fallback (a caller measuring one provider alone)
        self._metrics = metrics
        self._owns_local = owns_local

    @classmethod
    def for_settings(cls, settings: Settings, configured: LlmProvider, metrics: Metrics) -> ProviderFallback:
        if configured.name == LlmProviderName.LOCAL.value:
            return cls(configured, configured, metrics, owns_local=False)
        # Created, not loaded: the model loads on its first generation, so a hosted setup that never falls
        # back never holds it.
        local = create_provider(replace(settings, llm_provider=LlmProviderName.LOCAL))
        return cls(configured, local, metrics, owns_local=True)

    @property
    def providers(self) -> tuple[LlmProvider, ...]:
        """In the order they are tried."""
        if self.local is None or self.local is self.configured:
            return (self.configured,)
        return (self.configured, self.local)

    async def complete(
        self,
        request: GenerationRequest,
        providers: Sequence[LlmProvider] | None = None,
        deadline_seconds: float | None = None,
    ) -> Answer:
        """The first of `providers` (default: all, in order) that answers. `deadline_seconds` bounds them all
        together (a fallback must still answer before its caller gives up); the last failure is raised."""
        chain = self.providers if providers is None else tuple(providers)
        deadline = None if deadline_seconds is None else asyncio.get_running_loop().time() + deadline_seconds
        failure: CodedError = CodedError("no generation provider serves this request", ErrorCode.PROVIDER_ERROR)
        for index, provider in enumerate(chain):
            try:
                async with asyncio.timeout_at(deadline):
                    completion = await provider.complete(request)
            except TimeoutError:
                failure = GenerationTimeout(deadline_seconds or 0.0)
            except CodedError as error:
                failure = error
            else:
                return Answer(completion, provider, fallback=index > 0)
            code = str((failure.extensions or {}).get("code", ErrorCode.PROVIDER_ERROR.value))
            self._metrics.provider_errors.labels(provider.name, code).inc()
        raise failure

    async def aclose(self) -> None:
        if self._owns_local and self.local is not None:
            await self.local.aclose()
