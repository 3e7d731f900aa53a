"""The analytics pipeline: events from the bus, validated, stored or quarantined, counted.

It listens on the event bus's Redis channels (`<EVENT_CHANNEL_PREFIX><channel>`, where packages/pubsub
publishes what the outbox relays commit) for payments, tasks and chain transfers. Each message is
validated against its declared schema (records.py); a valid one is stored once by its event id, an
invalid one is quarantined with its reason. Every outcome is counted in
`ai_analytics_records_total{channel,outcome}` and the running pass rate is the gauge
`ai_analytics_validation_pass_rate`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import redis.asyncio as redis

from ..metrics import Metrics
from .records import CHANNELS, Invalid, validate
from .store import AnalyticsStore, Outcome

log = logging.getLogger(__name__)


class Analytics:
    def __init__(self, data_dir: Path, metrics: Metrics) -> None:
        path = data_dir / "analytics" / "analytics.duckdb"
        try:
            self.store = AnalyticsStore(path)
        except duckdb.IOException as error:
            # DuckDB allows one writing process per file: another AI process on this AI_DATA_DIR holds it. This one
            # serves and follows the bus all the same, into memory, rather than not starting.
            log.error(
                "analytics store %s is held by another process; this one keeps analytics in memory: %s", path, error
            )
            self.store = AnalyticsStore(None)
        self._metrics = metrics
        totals = self.store.totals()
        self._passed, self._received = totals.part, totals.whole
        self._publish_rate()
        self._listening: asyncio.Task[None] | None = None

    def ingest(self, channel: str, raw: str | bytes, received_at: datetime | None = None) -> Outcome:
        """One message as the bus delivered it. Replaying it changes nothing (the event id is the key)."""
        text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
        now = received_at or datetime.now(UTC)
        try:
            try:
                message = json.loads(text)
            except json.JSONDecodeError as error:
                raise Invalid(f"not JSON: {error.msg}") from None
            outcome = self.store.store(validate(channel, message, now), now)
        except Invalid as invalid:
            outcome = self.store.quarantine(channel, text, invalid, now)
            if outcome == "quarantined":
                log.warning("analytics quarantined a %s record: %s", channel, invalid.reason)
        self._metrics.analytics_records.labels(channel, outcome).inc()
        if outcome != "duplicate":
            self._received += 1
            self._passed += outcome == "stored"
            self._publish_rate()
        return outcome

    def _publish_rate(self) -> None:
        if self._received:
            self._metrics.analytics_pass_rate.set(self._passed / self._received)

    def listen(self, redis_url: str, prefix: str, retry_seconds: float) -> None:
        self._listening = asyncio.create_task(self._listen(redis_url, prefix, retry_seconds), name="analytics")

    async def _listen(self, redis_url: str, prefix: str, retry_seconds: float) -> None:
        channels = {prefix + channel: channel for channel in CHANNELS}
        while True:
            client = redis.from_url(redis_url)
            try:
                async with client.pubsub() as pubsub:
                    await pubsub.subscribe(*channels)
                    async for message in pubsub.listen():
                        if message.get("type") != "message":
                            continue
                        name = (
                            message["channel"].decode() if isinstance(message["channel"], bytes) else message["channel"]
                        )
                        await asyncio.to_thread(self.ingest, channels[name], message["data"])
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 — a Redis restart must not end the pipeline
                log.warning("analytics subscription failed, retrying in %ss: %s", retry_seconds, error)
                await asyncio.sleep(retry_seconds)
            finally:
                await client.aclose()

    async def aclose(self) -> None:
        if self._listening is not None:
            self._listening.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listening
        await asyncio.to_thread(self.store.close)
