"""Any OpenAI-compatible chat completions endpoint (OpenAI, vLLM, Ollama, llama.cpp server, LiteLLM...)
through the official `openai` SDK, streaming."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, cast

import openai

from ...errors import ProviderError
from .base import (
    Finished,
    FinishReason,
    GenerationRequest,
    LlmProvider,
    StreamEvent,
    TextDelta,
    chat_messages,
    status_error,
)

_FINISH = {"stop": FinishReason.STOP, "length": FinishReason.LENGTH, "content_filter": FinishReason.CONTENT_FILTER}


class OpenAIProvider(LlmProvider):
    name = "openai"

    def __init__(self, *, model: str, api_key: str, base_url: str | None, timeout: float) -> None:
        self.model = model
        # Retries stay with the SDK (it retries connection errors, 429 and 5xx with backoff).
        self._client = openai.AsyncOpenAI(api_key=api_key, base_url=base_url, timeout=timeout, max_retries=2)

    async def stream(self, request: GenerationRequest) -> AsyncIterator[StreamEvent]:
        params = request.params
        try:
            stream = await self._client.chat.completions.create(
                model=self.model,
                messages=cast(Any, chat_messages(request)),  # plain role/content dicts, as the API takes them
                max_tokens=params.max_tokens,
                temperature=params.temperature,
                top_p=params.top_p,
                stop=list(params.stop) or None,
                stream=True,
                stream_options={"include_usage": True},
            )
            reason = FinishReason.OTHER
            prompt_tokens: int | None = None
            completion_tokens: int | None = None
            async with stream:
                async for chunk in stream:
                    if chunk.usage is not None:  # the last chunk, with no choices, when include_usage is on
                        prompt_tokens = chunk.usage.prompt_tokens
                        completion_tokens = chunk.usage.completion_tokens
                    for choice in chunk.choices:
                        if choice.delta is not None and choice.delta.content:
                            yield TextDelta(choice.delta.content)
                        if choice.finish_reason is not None:
                            reason = _FINISH.get(choice.finish_reason, FinishReason.OTHER)
        except openai.APIStatusError as error:
            raise ProviderError(self.name, status_error(error.status_code, error.body, error.message)) from error
        except openai.APIError as error:
            raise ProviderError(self.name, error.__class__.__name__) from error
        yield Finished(reason, prompt_tokens, completion_tokens)

    async def aclose(self) -> None:
        await self._client.close()
