"""Types shared with other subgraphs. They must be declared exactly as the users subgraph declares
them, or composition rejects the supergraph (the @requires fields carry them)."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import NewType

import strawberry

from ..errors import CodedError, ErrorCode

# The Python type resolvers annotate with; schema/__init__.py maps it to the GraphQL scalar below
# (Strawberry's scalar_map, so the annotation stays a plain type for type checkers).
DateTimeISO = NewType("DateTimeISO", datetime)

DATETIME_ISO_SCALAR = strawberry.scalar(
    name="DateTimeISO",
    description="A date-time string in ISO 8601 format (as the users subgraph serves `User.createdAt`).",
    serialize=lambda value: value.isoformat().replace("+00:00", "Z"),
    parse_value=lambda value: parse_datetime_iso(value),
)


def parse_datetime_iso(value: object) -> datetime:
    # A GraphQLError with its code: graphql-core reports it as the caller's mistake, where a plain
    # ValueError would be taken for a bug in this server and masked as an internal error.
    if not isinstance(value, str):
        raise CodedError(f"DateTimeISO must be a string, got {type(value).__name__}", ErrorCode.BAD_USER_INPUT)
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise CodedError(
            f"DateTimeISO must be an ISO 8601 date-time, got {value[:40]!r}", ErrorCode.BAD_USER_INPUT
        ) from None
    if parsed.tzinfo is None:
        raise CodedError(f"DateTimeISO must carry a time zone: {value[:40]!r}", ErrorCode.BAD_USER_INPUT)
    return parsed


@strawberry.enum(name="Tier")
class Tier(Enum):
    FREE = "FREE"
    PRO = "PRO"
    ENTERPRISE = "ENTERPRISE"
