"""The analytics pipeline: events from the bus's logs, validated, stored or quarantined, counted.

The event bus (packages/pubsub) keeps each channel's events in a Redis stream, `<prefix>log:<channel>`,
each entry's `payload` field the event as published (for outbox channels the relay's envelope). The
pipeline reads the streams of payments, tasks, sign-ins and chain transfers from the position it saved
(`XREAD`, blocking for new entries), so events published while this process was down are taken when it
is back, as long as the log still holds them (EVENT_RETENTION events per channel). Each event is
validated against its declared schema (records.py); a valid one is stored once by its event id, an
invalid one quarantined with its reason; then the position is saved. A crash between the two reads
the event again, which the event id makes harmless. Every outcome is counted in
`ai_analytics_records_total{channel,outcome}`, and the running pass rate is the gauge
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

READ_BATCH = 100  # log entries per XREAD
BLOCK_MS = 5_000  # how long one XREAD waits for new entries


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
        self._closing = False

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
        self._listening = asyncio.create_task(self._follow(redis_url, prefix, retry_seconds), name="analytics")

    async def _follow(self, redis_url: str, prefix: str, retry_seconds: float) -> None:
        logs = {f"{prefix}log:{channel}": channel for channel in CHANNELS}
        # The flag ends the loops as well as the cancellation, which a timeout inside a blocking read can swallow.
        while not self._closing:
            client = redis.from_url(redis_url, decode_responses=True)
            try:
                positions = {key: await asyncio.to_thread(self.store.cursor, logs[key]) for key in logs}
                while not self._closing:
                    # [[stream key, [(position, {field: value})]]], strings (decode_responses)
                    batches: list[tuple[str, list[tuple[str, dict[str, str]]]]] = await client.xread(  # type: ignore[assignment]
                        positions,  # type: ignore[arg-type]
                        count=READ_BATCH,
                        block=BLOCK_MS,
                    )
                    for key, entries in batches:
                        for position, fields in entries:
                            await asyncio.to_thread(self._take, logs[key], position, fields)
                            positions[key] = position
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 — a Redis restart must not end the pipeline
                log.warning("analytics could not read the event logs, retrying in %ss: %s", retry_seconds, error)
                await asyncio.sleep(retry_seconds)
            finally:
                await client.aclose()

    def _take(self, channel: str, position: str, fields: dict[str, str]) -> None:
        self.ingest(channel, fields.get("payload", ""))
        self.store.advance(channel, position)

    async def aclose(self) -> None:
        self._closing = True
        if self._listening is not None:
            self._listening.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listening
        await asyncio.to_thread(self.store.close)
