"""Types shared with other subgraphs. They must be declared exactly as the users subgraph declares
them, or composition rejects the supergraph (the @requires fields carry them)."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import NewType

import strawberry

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
    if not isinstance(value, str):
        raise ValueError(f"DateTimeISO must be a string, got {type(value).__name__}")
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError(f"DateTimeISO must carry a time zone: {value!r}")
    return parsed


@strawberry.enum(name="Tier")
class Tier(Enum):
    FREE = "FREE"
    PRO = "PRO"
    ENTERPRISE = "ENTERPRISE"
