"""Builds the provider LLM_PROVIDER names, refusing a configuration that cannot work."""

from __future__ import annotations

from ...config import ConfigError, LlmProviderName, Settings
from .base import LlmProvider


def create_provider(settings: Settings) -> LlmProvider:
    match settings.llm_provider:
        case LlmProviderName.LOCAL:
            from .local_provider import LocalLlamaProvider

            return LocalLlamaProvider(
                model_path=settings.local_llm_model_path,
                threads=settings.local_llm_threads,
                context_tokens=settings.local_llm_context,
            )
        case LlmProviderName.OPENAI:
            from .openai_provider import OpenAIProvider

            # Self-hosted OpenAI-compatible servers often need no key, but the SDK insists on one.
            if not settings.openai_api_key and not settings.openai_base_url:
                raise ConfigError("LLM_PROVIDER=openai needs OPENAI_API_KEY (or OPENAI_BASE_URL for a keyless server)")
            return OpenAIProvider(
                model=settings.openai_model,
                api_key=settings.openai_api_key or "unused",
                base_url=settings.openai_base_url,
                timeout=settings.llm_timeout_seconds,
            )
        case LlmProviderName.ANTHROPIC:
            from .anthropic_provider import AnthropicProvider

            if not settings.anthropic_api_key:
                raise ConfigError("LLM_PROVIDER=anthropic needs ANTHROPIC_API_KEY")
            return AnthropicProvider(
                model=settings.anthropic_model,
                api_key=settings.anthropic_api_key,
                base_url=settings.anthropic_base_url,
                timeout=settings.llm_timeout_seconds,
            )
