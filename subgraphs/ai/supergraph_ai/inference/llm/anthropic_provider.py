"""Anthropic's Messages API through the official `anthropic` SDK (2.x), streaming."""

from __future__ import annotations

from collections.abc import AsyncIterator

import anthropic

from ...errors import ProviderError
from .base import Finished, FinishReason, GenerationRequest, LlmProvider, StreamEvent, TextDelta, status_error

_FINISH = {
    "end_turn": FinishReason.STOP,
    "stop_sequence": FinishReason.STOP,
    "max_tokens": FinishReason.LENGTH,
    "refusal": FinishReason.CONTENT_FILTER,
}


class AnthropicProvider(LlmProvider):
    name = "anthropic"

    def __init__(self, *, model: str, api_key: str, base_url: str | None, timeout: float) -> None:
        self.model = model
        self._client = anthropic.AsyncAnthropic(api_key=api_key, base_url=base_url, timeout=timeout, max_retries=2)

    async def stream(self, request: GenerationRequest) -> AsyncIterator[StreamEvent]:
        params = request.params
        optional: dict[str, object] = {}
        if params.system is not None:
            optional["system"] = params.system
        if params.stop:
            optional["stop_sequences"] = list(params.stop)
        # No temperature or top_p: the Messages API of current Claude models takes no sampling parameters,
        # and the SDK (2.x) no longer accepts them. The options are still validated for every provider.
        try:
            async with self._client.messages.stream(
                model=self.model,
                max_tokens=params.max_tokens,
                messages=[{"role": "user", "content": request.prompt}],
                **optional,  # type: ignore[arg-type]
            ) as stream:
                async for text in stream.text_stream:
                    if text:
                        yield TextDelta(text)
                final = await stream.get_final_message()
        except anthropic.APIStatusError as error:
            raise ProviderError(self.name, status_error(error.status_code, error.body, error.message)) from error
        except anthropic.APIError as error:
            raise ProviderError(self.name, error.__class__.__name__) from error
        yield Finished(
            _FINISH.get(final.stop_reason or "", FinishReason.OTHER),
            final.usage.input_tokens,
            final.usage.output_tokens,
        )

    async def aclose(self) -> None:
        await self._client.close()
