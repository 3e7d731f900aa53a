"""GraphQL errors with stable `extensions.code` values, the contract clients and the router match on."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from graphql import GraphQLError


class ErrorCode(StrEnum):
    BAD_USER_INPUT = "BAD_USER_INPUT"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    # A model or provider failed or is not configured: the request was fine, retrying later may work.
    MODEL_UNAVAILABLE = "MODEL_UNAVAILABLE"
    PROVIDER_ERROR = "PROVIDER_ERROR"
    # generateContent did not finish within AI_GENERATION_DEADLINE_SECONDS (queueing for the model included).
    GENERATION_TIMEOUT = "GENERATION_TIMEOUT"
    FORBIDDEN = "FORBIDDEN"
    # The projects feed could not be read, so the project index cannot be rebuilt now.
    INDEX_UNAVAILABLE = "INDEX_UNAVAILABLE"
    # No configured translation provider serves this pair of languages (`from`, `to`, `providers`).
    LANGUAGE_PAIR_UNSUPPORTED = "LANGUAGE_PAIR_UNSUPPORTED"


class CodedError(GraphQLError):
    def __init__(self, message: str, code: ErrorCode, **extensions: Any) -> None:
        super().__init__(message, extensions={"code": code.value, **extensions})


class BadUserInput(CodedError):
    """An argument breaks a documented limit; `argument` names it so a client can point at the field."""

    def __init__(self, message: str, argument: str) -> None:
        super().__init__(message, ErrorCode.BAD_USER_INPUT, argument=argument)


class Unauthenticated(CodedError):
    def __init__(self, reason: str) -> None:
        super().__init__(reason, ErrorCode.UNAUTHENTICATED)


class Forbidden(CodedError):
    def __init__(self, message: str) -> None:
        super().__init__(message, ErrorCode.FORBIDDEN)


class ModelUnavailable(CodedError):
    def __init__(self, message: str) -> None:
        super().__init__(message, ErrorCode.MODEL_UNAVAILABLE)


class GenerationTimeout(CodedError):
    def __init__(self, deadline_seconds: float) -> None:
        super().__init__(
            f"The generation did not finish within {deadline_seconds:g} s: ask for fewer maxTokens, "
            "or stream it with contentStream",
            ErrorCode.GENERATION_TIMEOUT,
            deadlineSeconds=deadline_seconds,
        )


class ProviderError(CodedError):
    def __init__(self, provider: str, message: str) -> None:
        super().__init__(f"{provider} provider failed: {message}", ErrorCode.PROVIDER_ERROR, provider=provider)


class LanguagePairUnsupported(CodedError):
    def __init__(self, source: str, target: str, providers: list[str]) -> None:
        super().__init__(
            f"No configured provider translates {source} to {target} (providers: {', '.join(providers) or 'none'})",
            ErrorCode.LANGUAGE_PAIR_UNSUPPORTED,
            **{"from": source, "to": target, "providers": providers},
        )
