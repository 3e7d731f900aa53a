"""The provider-neutral generation interface.

A provider only has to stream: `complete` is the stream folded into one result, so a blocking call and
a subscription share one code path and cannot disagree.
"""

from __future__ import annotations

import abc
from collections.abc import AsyncIterator
from dataclasses import dataclass
from enum import StrEnum

from ...validation import GenerationParams


class FinishReason(StrEnum):
    STOP = "STOP"  # the model ended its answer or hit a stop sequence
    LENGTH = "LENGTH"  # maxTokens reached
    CONTENT_FILTER = "CONTENT_FILTER"
    OTHER = "OTHER"


@dataclass(frozen=True)
class GenerationRequest:
    prompt: str
    params: GenerationParams


@dataclass(frozen=True)
class TextDelta:
    text: str


@dataclass(frozen=True)
class Finished:
    reason: FinishReason
    prompt_tokens: int | None = None
    completion_tokens: int | None = None


StreamEvent = TextDelta | Finished


@dataclass(frozen=True)
class Completion:
    text: str
    finish_reason: FinishReason
    prompt_tokens: int | None
    completion_tokens: int | None


class LlmProvider(abc.ABC):
    name: str
    model: str

    @abc.abstractmethod
    def stream(self, request: GenerationRequest) -> AsyncIterator[StreamEvent]:
        """Text deltas in order, then exactly one `Finished`. Raises ProviderError on failure."""

    async def complete(self, request: GenerationRequest) -> Completion:
        parts: list[str] = []
        finished = Finished(FinishReason.OTHER)
        async for event in self.stream(request):
            if isinstance(event, TextDelta):
                parts.append(event.text)
            else:
                finished = event
        return Completion("".join(parts), finished.reason, finished.prompt_tokens, finished.completion_tokens)

    async def aclose(self) -> None:  # noqa: B027 — optional hook
        """Release clients or model memory."""


def status_error(status: int, body: object, default: str) -> str:
    """`HTTP <status>: <message>` for a hosted API's error answer: the message of an OpenAI- or
    Anthropic-style body (`{"error": {"message": ...}}` or `{"message": ...}`), else `default` (the SDK's)."""
    message = default
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and isinstance(inner.get("message"), str):
            message = inner["message"]
    return f"HTTP {status}: {message}"


def chat_messages(request: GenerationRequest) -> list[dict[str, str]]:
    """OpenAI-style messages (system first when given); Anthropic takes `system` separately."""
    messages = [] if request.params.system is None else [{"role": "system", "content": request.params.system}]
    messages.append({"role": "user", "content": request.prompt})
    return messages
