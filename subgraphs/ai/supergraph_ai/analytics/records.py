"""The declared schema of every event the analytics take, and the business rules a record must keep.

Each channel of the event bus the pipeline reads has one schema here: the envelope (the outbox relay's
`{id, channel, createdAt, payload}`, or the chain follower's bare transfer) and the payload's fields,
each with its type and its rules. `validate` turns a message into a `Record`, or raises `Invalid`
naming the first rule it breaks — the reason a quarantined record keeps. Nothing is dropped silently.

Every record has an event id, what makes replays idempotent: `<channel>:<outbox id>` for outbox events
(payments, tasks and sign-ins: each channel belongs to one subgraph, whose outbox numbers its events
once, and a row the relay publishes again keeps its id), and `<channel>:<txHash>:<logIndex>:<status>`
for transfers (the chain follower publishes a transfer again only when its status changes).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

PAYMENT_UPDATED = "payments.paymentUpdated"
TASK_UPDATED = "projects.taskUpdated"
TOKEN_TRANSFER = "blockchain.tokenTransfer"
SIGNED_IN = "users.signedIn"
CHANNELS = (PAYMENT_UPDATED, TASK_UPDATED, TOKEN_TRANSFER, SIGNED_IN)

PAYMENT_STATUSES = ("PENDING", "REVIEW", "SUCCEEDED", "FAILED", "REFUNDED")
# As the payments subgraph accepts them: card currencies, and FORGE by token.
CURRENCIES_BY_METHOD = {"FIAT": ("USD", "EUR", "GBP", "JPY"), "TOKEN": ("FORGE",)}
MAX_FIAT_AMOUNT = 99_999_999  # Stripe's limit in minor units, which payments enforces
MAX_TOKEN_AMOUNT = 2**256 - 1
TASK_STATUSES = ("QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED")
TIERS = ("FREE", "PRO", "ENTERPRISE")
TRANSFER_STATUSES = ("PENDING", "CONFIRMED", "REMOVED")
SIGN_IN_METHODS = ("password", "register", "siwe")

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_TX_HASH = re.compile(r"^0x[0-9a-fA-F]{64}$")
_ADDRESS = re.compile(r"^0x[0-9a-f]{40}$")
_DIGITS = re.compile(r"^(0|[1-9][0-9]{0,77})$")
_OUTBOX_ID = re.compile(r"^[1-9][0-9]{0,18}$")
# Services' clocks differ a little; an event stamped further ahead than this was not made by one of them.
CLOCK_SKEW = timedelta(minutes=5)


class Invalid(ValueError):
    """A record that breaks its schema or a rule; `event_id` when the envelope was readable."""

    def __init__(self, reason: str, event_id: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.event_id = event_id


@dataclass(frozen=True)
class Record:
    event_id: str
    channel: str
    occurred_at: datetime
    fields: Mapping[str, Any]


Check = Callable[[Any], bool]


@dataclass(frozen=True)
class Field:
    name: str
    check: Check
    expected: str  # said in the reason when the check fails
    optional: bool = False  # may be null


def _one_of(*allowed: str) -> Check:
    return lambda v: v in allowed


def _text(pattern: re.Pattern[str]) -> Check:
    return lambda v: isinstance(v, str) and pattern.match(v) is not None


def _count(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and v >= 0


def _share(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and 0 <= v <= 1


SCHEMAS: dict[str, tuple[Field, ...]] = {
    PAYMENT_UPDATED: (
        Field("id", _text(_UUID), "a UUID"),
        Field("userId", _text(_UUID), "a UUID"),
        Field("status", _one_of(*PAYMENT_STATUSES), " | ".join(PAYMENT_STATUSES)),
        Field("method", _one_of(*CURRENCIES_BY_METHOD), "FIAT | TOKEN"),
        Field("amount", _text(_DIGITS), "integer minor units as a decimal string"),
        Field(
            "currency", _one_of(*(c for cs in CURRENCIES_BY_METHOD.values() for c in cs)), "USD, EUR, GBP, JPY or FORGE"
        ),
    ),
    TASK_UPDATED: (
        Field("taskId", _text(_UUID), "a UUID"),
        Field("projectId", _text(_UUID), "a UUID or null", optional=True),
        Field("ownerId", _text(_UUID), "a UUID"),
        Field("tier", _one_of(*TIERS), " | ".join(TIERS)),
        Field("status", _one_of(*TASK_STATUSES), " | ".join(TASK_STATUSES)),
        Field("attempts", _count, "a count"),
        Field("progress", _share, "a share from 0 to 1 or null", optional=True),
    ),
    TOKEN_TRANSFER: (
        Field("txHash", _text(_TX_HASH), "a 32-byte 0x hash"),
        Field("logIndex", _count, "a count"),
        Field("from", _text(_ADDRESS), "a lower-case 0x address"),
        Field("to", _text(_ADDRESS), "a lower-case 0x address"),
        Field("value", _text(_DIGITS), "base units as a decimal string"),
        Field("blockNumber", _count, "a count"),
        Field("status", _one_of(*TRANSFER_STATUSES), " | ".join(TRANSFER_STATUSES)),
    ),
    SIGNED_IN: (
        Field("userId", _text(_UUID), "a UUID"),
        Field("method", _one_of(*SIGN_IN_METHODS), " | ".join(SIGN_IN_METHODS)),
    ),
}


def _payment_rules(p: Mapping[str, Any]) -> str | None:
    if p["currency"] not in CURRENCIES_BY_METHOD[p["method"]]:
        return f"currency {p['currency']} is not paid by {p['method']}"
    amount = int(p["amount"])
    if amount == 0:
        return "amount must be positive"
    limit = MAX_FIAT_AMOUNT if p["method"] == "FIAT" else MAX_TOKEN_AMOUNT
    if amount > limit:
        return f"amount {amount} exceeds the {p['method']} limit {limit}"
    if p["method"] == "TOKEN" and p["status"] in ("REVIEW", "REFUNDED"):
        return f"a TOKEN payment is never {p['status']}"
    return None


def _task_rules(t: Mapping[str, Any]) -> str | None:
    if t["status"] != "QUEUED" and t["attempts"] == 0:
        return f"a {t['status']} task has been attempted at least once"
    return None


def _transfer_rules(t: Mapping[str, Any]) -> str | None:
    if t["from"] == t["to"]:
        return "a transfer's sender and recipient differ"
    return None


RULES: dict[str, Callable[[Mapping[str, Any]], str | None]] = {
    PAYMENT_UPDATED: _payment_rules,
    TASK_UPDATED: _task_rules,
    TOKEN_TRANSFER: _transfer_rules,
    SIGNED_IN: lambda _sign_in: None,  # its schema says all there is to check
}


def validate(channel: str, message: Any, received_at: datetime) -> Record:
    """The message as a Record, or `Invalid` with the first rule it breaks."""
    if channel not in SCHEMAS:
        raise Invalid(f"no schema for channel {channel}")
    if not isinstance(message, dict):
        raise Invalid("the message is not a JSON object")
    payload: Any
    event_id: str | None
    if channel == TOKEN_TRANSFER:
        payload, occurred_at = message, received_at
        event_id = _transfer_id(message)
    else:
        raw_id = message.get("id")
        outbox_id = str(raw_id) if isinstance(raw_id, int | str) and not isinstance(raw_id, bool) else ""
        if not _OUTBOX_ID.match(outbox_id):
            raise Invalid("envelope id must be a positive integer (the outbox id)")
        event_id = f"{channel}:{outbox_id}"
        if message.get("channel") != channel:
            raise Invalid(f"envelope channel {message.get('channel')!r} is not {channel}", event_id)
        occurred_at = _instant(message.get("createdAt"), event_id, "envelope createdAt")
        if occurred_at > received_at + CLOCK_SKEW:
            raise Invalid("createdAt is in the future", event_id)
        payload = message.get("payload")
        if not isinstance(payload, dict):
            raise Invalid("payload is not a JSON object", event_id)
    for field in SCHEMAS[channel]:
        value = payload.get(field.name)
        if value is None and field.optional:
            continue
        if field.name not in payload:
            raise Invalid(f"payload.{field.name} is missing", event_id)
        if not field.check(value):
            raise Invalid(f"payload.{field.name} must be {field.expected}, not {value!r:.80}", event_id)
    broken = RULES[channel](payload)
    if broken is not None:
        raise Invalid(broken, event_id)
    if event_id is None:  # every field it is made of was checked above
        raise Invalid("no event id", None)
    return Record(event_id, channel, occurred_at, {f.name: payload.get(f.name) for f in SCHEMAS[channel]})


def _transfer_id(message: Mapping[str, Any]) -> str | None:
    parts = (message.get("txHash"), message.get("logIndex"), message.get("status"))
    if not all(isinstance(p, str | int) and not isinstance(p, bool) for p in parts):
        return None
    return f"{TOKEN_TRANSFER}:{str(parts[0]).lower()}:{parts[1]}:{parts[2]}"


def _instant(raw: Any, event_id: str | None, name: str) -> datetime:
    if not isinstance(raw, str):
        raise Invalid(f"{name} must be an ISO date-time", event_id)
    try:
        instant = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise Invalid(f"{name} {raw!r:.40} is not an ISO date-time", event_id) from None
    if instant.tzinfo is None:
        raise Invalid(f"{name} has no time zone", event_id)
    return instant.astimezone(UTC)
