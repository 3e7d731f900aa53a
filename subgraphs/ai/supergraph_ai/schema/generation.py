"""Text generation, whole (`generateContent`) or streamed token by token (`contentStream`)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, AsyncIterator

import strawberry
from strawberry.federation.schema_directives import Authenticated
from strawberry.types import Info

from ..context import RequestContext
from ..errors import CodedError, ErrorCode, GenerationTimeout
from ..inference.llm.base import Finished, FinishReason, GenerationRequest, LlmProvider, StreamEvent, TextDelta
from ..services import Services
from ..validation import (
    MAX_OUTPUT_TOKENS,
    MAX_PROMPT_CHARS,
    MAX_STOP_CHARS,
    MAX_STOP_SEQUENCES,
    MAX_SYSTEM_CHARS,
    check_generation,
)
from .directives import NonRetryable
from .permissions import SignedIn

strawberry.enum(FinishReason, name="FinishReason")  # the providers' enum is the GraphQL enum


@strawberry.input(description="Sampling options; every field is optional and validated.")
class GenerationOptions:
    max_tokens: int | None = strawberry.field(default=None, description=f"1 to {MAX_OUTPUT_TOKENS}; default 256")
    temperature: float | None = strawberry.field(default=None, description="0 to 2; default 0.7")
    top_p: float | None = strawberry.field(default=None, description="0.01 to 1; default 1")
    system: str | None = strawberry.field(
        default=None, description=f"System instructions, at most {MAX_SYSTEM_CHARS} characters"
    )
    stop: list[str] | None = strawberry.field(
        default=None, description=f"Up to {MAX_STOP_SEQUENCES} stop sequences of 1 to {MAX_STOP_CHARS} characters"
    )


@strawberry.type
class TokenUsage:
    prompt_tokens: int | None = strawberry.field(description="Null when the provider does not report it")
    completion_tokens: int | None


@strawberry.type
class Generation:
    text: str
    provider: str
    model: str
    finish_reason: FinishReason
    usage: TokenUsage


@strawberry.type(description="One piece of a streamed generation; the last one has done = true.")
class ContentChunk:
    index: int
    delta: str
    done: bool
    finish_reason: FinishReason | None = None
    usage: TokenUsage | None = None


def _request(prompt: str, options: GenerationOptions | None) -> GenerationRequest:
    options = options or GenerationOptions()
    params = check_generation(
        prompt,
        max_tokens=options.max_tokens,
        temperature=options.temperature,
        top_p=options.top_p,
        system=options.system,
        stop=options.stop,
    )
    return GenerationRequest(prompt=prompt, params=params)


@strawberry.type
class GenerationQueries:
    # @authenticated lets the router refuse an anonymous caller before any subgraph is called;
    # SignedIn still guards a direct, router-signed call.
    @strawberry.field(
        permission_classes=[SignedIn],
        directives=[Authenticated(), NonRetryable()],
        description=(
            f"Generates a reply to `prompt` (at most {MAX_PROMPT_CHARS} characters) with the configured provider."
        ),
    )
    async def generate_content(
        self, info: Info[RequestContext, None], prompt: str, options: GenerationOptions | None = None
    ) -> Generation | None:
        request = _request(prompt, options)
        services = info.context.services
        provider = services.llm
        started = time.perf_counter()
        # A query has to answer before the router gives up on it (its deadline for @nonRetryable
        # fetches): past ours the generation is stopped and the caller told so (contentStream has no
        # deadline; it streams).
        deadline = services.settings.generation_deadline_seconds
        try:
            async with asyncio.timeout(deadline):
                completion = await provider.complete(request)
        except TimeoutError:
            services.metrics.provider_errors.labels(provider.name, ErrorCode.GENERATION_TIMEOUT.value).inc()
            raise GenerationTimeout(deadline) from None
        except CodedError as error:
            services.metrics.provider_errors.labels(provider.name, _code(error)).inc()
            raise
        services.metrics.generation_latency.labels(provider.name, provider.model, "complete").observe(
            time.perf_counter() - started
        )
        services.metrics.generation_tokens.labels(provider.name, provider.model).inc(completion.completion_tokens or 0)
        return Generation(
            text=completion.text,
            provider=provider.name,
            model=provider.model,
            finish_reason=completion.finish_reason,
            usage=TokenUsage(prompt_tokens=completion.prompt_tokens, completion_tokens=completion.completion_tokens),
        )


@strawberry.type
class GenerationSubscriptions:
    @strawberry.subscription(
        permission_classes=[SignedIn],
        directives=[Authenticated(), NonRetryable()],
        description="Streams the reply to `prompt` as it is generated; same limits as generateContent.",
    )
    async def content_stream(
        self, info: Info[RequestContext, None], prompt: str, options: GenerationOptions | None = None
    ) -> AsyncGenerator[ContentChunk, None]:
        request = _request(prompt, options)
        services = info.context.services
        provider = services.llm
        try:
            async for chunk in _chunks(provider.stream(request), services, provider, time.perf_counter()):
                yield chunk
        except CodedError as error:
            services.metrics.provider_errors.labels(provider.name, _code(error)).inc()
            raise


async def _chunks(
    events: AsyncIterator[StreamEvent], services: Services, provider: LlmProvider, started: float
) -> AsyncGenerator[ContentChunk, None]:
    """The provider's stream as content chunks, timed and counted."""
    index = 0
    async for event in events:
        if isinstance(event, TextDelta):
            if index == 0:
                services.metrics.time_to_first_token.labels(provider.name, provider.model).observe(
                    time.perf_counter() - started
                )
            services.metrics.generation_tokens.labels(provider.name, provider.model).inc()
            yield ContentChunk(index=index, delta=event.text, done=False)
            index += 1
        elif isinstance(event, Finished):
            services.metrics.generation_latency.labels(provider.name, provider.model, "stream").observe(
                time.perf_counter() - started
            )
            yield ContentChunk(
                index=index,
                delta="",
                done=True,
                finish_reason=event.reason,
                usage=TokenUsage(prompt_tokens=event.prompt_tokens, completion_tokens=event.completion_tokens),
            )


def _code(error: CodedError) -> str:
    return str((error.extensions or {}).get("code", "PROVIDER_ERROR"))
