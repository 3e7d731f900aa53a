"""Limits on every argument, checked before any model runs.

The limits are part of the API (the SDL's descriptions quote them): they bound the work one request
can ask of a 2-core CPU, and a violation is a BAD_USER_INPUT error that names the argument.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .errors import BadUserInput

MAX_EMBED_TEXTS = 128
MAX_TEXT_CHARS = 4_000
MAX_QUERY_CHARS = 1_000
MAX_SEARCH_DOCUMENTS = 200
MAX_SEARCH_RESULTS = 50
MAX_PROMPT_CHARS = 8_000
MAX_SYSTEM_CHARS = 4_000
MAX_OUTPUT_TOKENS = 1_024
MAX_STOP_SEQUENCES = 4
MAX_STOP_CHARS = 32


def check_text(value: str, argument: str, max_chars: int) -> str:
    if not value.strip():
        raise BadUserInput(f"{argument} must not be empty", argument)
    if len(value) > max_chars:
        raise BadUserInput(f"{argument} is {len(value)} characters long; the limit is {max_chars}", argument)
    return value


def check_texts(values: Sequence[str], argument: str, max_items: int, max_chars: int) -> list[str]:
    if not values:
        raise BadUserInput(f"{argument} must hold at least one text", argument)
    if len(values) > max_items:
        raise BadUserInput(f"{argument} holds {len(values)} texts; the limit is {max_items}", argument)
    for index, value in enumerate(values):
        check_text(value, f"{argument}[{index}]", max_chars)
    return list(values)


def check_range(value: float, argument: str, low: float, high: float) -> float:
    # `not (low <= value <= high)` is also true for NaN, which must not slip through.
    if not (low <= value <= high):
        raise BadUserInput(f"{argument} must be between {low} and {high}, got {value}", argument)
    return value


def check_first(value: int, argument: str = "first", high: int = MAX_SEARCH_RESULTS) -> int:
    return int(check_range(value, argument, 1, high))


@dataclass(frozen=True)
class GenerationParams:
    """Validated generation options, provider-neutral."""

    max_tokens: int = 256
    temperature: float = 0.7
    top_p: float = 1.0
    system: str | None = None
    stop: tuple[str, ...] = ()


def check_generation(
    prompt: str,
    *,
    max_tokens: int | None,
    temperature: float | None,
    top_p: float | None,
    system: str | None,
    stop: Sequence[str] | None,
) -> GenerationParams:
    check_text(prompt, "prompt", MAX_PROMPT_CHARS)
    defaults = GenerationParams()
    if system is not None:
        check_text(system, "options.system", MAX_SYSTEM_CHARS)
    stops = tuple(stop or ())
    if len(stops) > MAX_STOP_SEQUENCES:
        raise BadUserInput(
            f"options.stop holds {len(stops)} sequences; the limit is {MAX_STOP_SEQUENCES}", "options.stop"
        )
    for index, sequence in enumerate(stops):
        if not sequence or len(sequence) > MAX_STOP_CHARS:
            raise BadUserInput(
                f"options.stop[{index}] must be 1 to {MAX_STOP_CHARS} characters", f"options.stop[{index}]"
            )
    return GenerationParams(
        max_tokens=int(check_range(max_tokens, "options.maxTokens", 1, MAX_OUTPUT_TOKENS))
        if max_tokens is not None
        else defaults.max_tokens,
        temperature=check_range(temperature, "options.temperature", 0.0, 2.0)
        if temperature is not None
        else defaults.temperature,
        top_p=check_range(top_p, "options.topP", 0.01, 1.0) if top_p is not None else defaults.top_p,
        system=system,
        stop=stops,
    )
