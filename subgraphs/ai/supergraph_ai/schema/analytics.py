"""`Query.analytics`: what the platform's events add up to, for admins only.

Everything here is read from the analytics store (analytics/store.py), which the pipeline fills from
the event bus after validating each record; see analytics/pipeline.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Annotated, TypeVar

import strawberry
from strawberry.types import Info

from ..analytics import insights as findings
from ..analytics import store as analytics_store
from ..context import RequestContext
from ..errors import BadUserInput
from .common import DateTimeISO
from .permissions import AdminOnly

DEFAULT_WINDOW = timedelta(days=7)
MAX_WINDOW = timedelta(days=366)
MAX_QUARANTINED = 200


@strawberry.enum(description="How revenue is bucketed: by UTC day, ISO week (from Monday) or calendar month.")
class RevenuePeriod(Enum):
    DAY = "DAY"
    WEEK = "WEEK"
    MONTH = "MONTH"


@strawberry.type(description="Revenue of one period in one currency, in exact integer minor units (decimal strings).")
class RevenueBucket:
    period: DateTimeISO = strawberry.field(description="Start of the period (UTC)")
    currency: str
    gross: str = strawberry.field(description="Payments that SUCCEEDED in the period")
    refunded: str = strawberry.field(description="Payments REFUNDED in the period")
    net: str = strawberry.field(description="gross minus refunded")
    payments: int = strawberry.field(description="How many payments SUCCEEDED")


@strawberry.type(description="How long tasks of one tier waited from QUEUED to RUNNING (their first attempt).")
class QueueWait:
    tier: str
    tasks: int
    mean_seconds: float
    p95_seconds: float
    max_seconds: float


@strawberry.type(description="A share, with the counts it is computed from.")
class Rate:
    rate: float | None = strawberry.field(description="count / outOf; null when outOf is 0")
    count: int
    out_of: int

    @classmethod
    def of(cls, ratio: analytics_store.Ratio) -> Rate:
        return cls(rate=None if ratio.rate is None else round(ratio.rate, 4), count=ratio.part, out_of=ratio.whole)


@strawberry.enum(
    description="CHANGE: against the previous period of the same length. ANOMALY: a day unlike those before."
)
class InsightKind(Enum):
    CHANGE = "CHANGE"
    ANOMALY = "ANOMALY"


@strawberry.type(description="A computed finding, with the numbers behind it.")
class Insight:
    kind: InsightKind
    metric: str = strawberry.field(description='e.g. "revenue USD", "activeUsers", "fraudRate", "validationPassRate"')
    message: str
    value: float = strawberry.field(description="This period's figure (ANOMALY: the day's)")
    baseline: float = strawberry.field(
        description="The previous period's figure (ANOMALY: the mean of the days before)"
    )
    change: float = strawberry.field(
        description="Relative change (rates: the difference in points, as a fraction); ANOMALY: standard deviations"
    )


@strawberry.type(description="A record that failed validation, kept with the reason instead of being dropped.")
class QuarantinedRecord:
    event_id: str | None = strawberry.field(description="Null when even the envelope was unreadable")
    channel: str
    reason: str
    raw: str = strawberry.field(description="The message exactly as received")
    received_at: DateTimeISO


@strawberry.type(description="The platform's events over a window [from, to), validated and aggregated.")
class Analytics:
    start: DateTimeISO = strawberry.field(name="from")
    end: DateTimeISO = strawberry.field(name="to")

    @strawberry.field(description="Revenue by period and currency; `from`/`to` default to the window's.")
    async def revenue(
        self,
        info: Info[RequestContext, None],
        by: RevenuePeriod = RevenuePeriod.DAY,
        from_: Annotated[DateTimeISO | None, strawberry.argument(name="from")] = None,
        to: DateTimeISO | None = None,
    ) -> list[RevenueBucket]:
        start, end = _window(from_ or self.start, to or self.end)
        rows = await _read(info, lambda s: s.revenue(by.value, start, end))
        return [
            RevenueBucket(
                period=DateTimeISO(r.period),
                currency=r.currency,
                gross=str(r.gross),
                refunded=str(r.refunded),
                net=str(r.net),
                payments=r.payments,
            )
            for r in rows
        ]

    @strawberry.field(description="Distinct users who signed in, paid or had a task in the window.")
    async def active_users(self, info: Info[RequestContext, None]) -> int:
        return await _read(info, lambda s: s.active_users(self.start, self.end))

    @strawberry.field(description="Queue wait of tasks that started in the window, by tier.")
    async def queue_wait_by_tier(self, info: Info[RequestContext, None]) -> list[QueueWait]:
        rows = await _read(info, lambda s: s.queue_wait_by_tier(self.start, self.end))
        return [
            QueueWait(
                tier=r.tier,
                tasks=r.tasks,
                mean_seconds=round(r.mean_seconds, 3),
                p95_seconds=round(r.p95_seconds, 3),
                max_seconds=round(r.max_seconds, 3),
            )
            for r in rows
        ]

    @strawberry.field(description="Card payments first seen in the window that were held for fraud review.")
    async def fraud_rate(self, info: Info[RequestContext, None]) -> Rate:
        return Rate.of(await _read(info, lambda s: s.fraud_rate(self.start, self.end)))

    @strawberry.field(description="Records received in the window that passed validation, of all received.")
    async def validation_pass_rate(self, info: Info[RequestContext, None]) -> Rate:
        return Rate.of(await _read(info, lambda s: s.validation_pass_rate(self.start, self.end)))

    @strawberry.field(description="Findings: changes against the previous window, and anomalous days.")
    async def insights(self, info: Info[RequestContext, None]) -> list[Insight]:
        found = await _read(info, lambda s: findings.insights(s, self.start, self.end))
        return [
            Insight(
                kind=InsightKind(i.kind),
                metric=i.metric,
                message=i.message,
                value=i.value,
                baseline=i.baseline,
                change=i.change,
            )
            for i in found
        ]

    @strawberry.field(
        description=f"The latest quarantined records, newest first (any time; first 1 to {MAX_QUARANTINED})."
    )
    async def quarantined(self, info: Info[RequestContext, None], first: int = 20) -> list[QuarantinedRecord]:
        if not 1 <= first <= MAX_QUARANTINED:
            raise BadUserInput(f"first must be between 1 and {MAX_QUARANTINED}", "first")
        rows = await _read(info, lambda s: s.quarantined(first))
        return [
            QuarantinedRecord(
                event_id=r.event_id,
                channel=r.channel,
                reason=r.reason,
                raw=r.raw,
                received_at=DateTimeISO(r.received_at),
            )
            for r in rows
        ]


T = TypeVar("T")


async def _read(info: Info[RequestContext, None], query: Callable[[analytics_store.AnalyticsStore], T]) -> T:
    """The store is synchronous (DuckDB): its queries run in a worker thread."""
    return await asyncio.to_thread(query, info.context.services.analytics.store)


def _window(start: datetime, end: datetime) -> tuple[datetime, datetime]:
    if end <= start:
        raise BadUserInput("`to` must be after `from`", "to")
    if end - start > MAX_WINDOW:
        raise BadUserInput(f"a window spans at most {MAX_WINDOW.days} days", "from")
    return start, end


@strawberry.type
class AnalyticsQueries:
    @strawberry.field(
        permission_classes=[AdminOnly],
        description="The platform's validated events, aggregated over [from, to) (default: the last 7 days). "
        "Admins only.",
    )
    def analytics(
        self,
        from_: Annotated[DateTimeISO | None, strawberry.argument(name="from")] = None,
        to: DateTimeISO | None = None,
    ) -> Analytics | None:
        end = to or datetime.now(UTC)
        start, end = _window(from_ or end - DEFAULT_WINDOW, end)
        return Analytics(start=DateTimeISO(start), end=DateTimeISO(end))
