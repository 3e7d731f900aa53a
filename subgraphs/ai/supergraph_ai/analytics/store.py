"""The analytics store: DuckDB, one file under AI_DATA_DIR/analytics, written by this process only.

Why DuckDB and not a schema in PostgreSQL: the AI subgraph has no database of its own (`npm start`
runs with no PostgreSQL server at all), and what analytics asks — sums and distinct counts over
date ranges, percentiles, window comparisons — is what a columnar engine is for; DuckDB runs in process
from a wheel, with nothing to operate. The price: one writer per file, so one AI replica keeps the
analytics (see README). Every table's primary key is the event id, so a replayed event inserts
nothing. Money is kept as the exact decimal strings of the events and summed as Python integers
(FORGE amounts reach 2^256, beyond DuckDB's widest decimal).
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import duckdb

from .records import PAYMENT_UPDATED, SIGNED_IN, TASK_UPDATED, TOKEN_TRANSFER, Invalid, Record

Outcome = Literal["stored", "quarantined", "duplicate"]
PERIODS = {"DAY": "day", "WEEK": "week", "MONTH": "month"}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS payment_events (
  event_id VARCHAR PRIMARY KEY, payment_id VARCHAR NOT NULL, user_id VARCHAR NOT NULL, status VARCHAR NOT NULL,
  method VARCHAR NOT NULL, amount VARCHAR NOT NULL, currency VARCHAR NOT NULL,
  occurred_at TIMESTAMP NOT NULL, received_at TIMESTAMP NOT NULL);
CREATE TABLE IF NOT EXISTS task_events (
  event_id VARCHAR PRIMARY KEY, task_id VARCHAR NOT NULL, owner_id VARCHAR NOT NULL, tier VARCHAR NOT NULL,
  status VARCHAR NOT NULL, attempts INTEGER NOT NULL, occurred_at TIMESTAMP NOT NULL, received_at TIMESTAMP NOT NULL);
CREATE TABLE IF NOT EXISTS transfer_events (
  event_id VARCHAR PRIMARY KEY, tx_hash VARCHAR NOT NULL, sender VARCHAR NOT NULL, recipient VARCHAR NOT NULL,
  value VARCHAR NOT NULL, status VARCHAR NOT NULL, block_number BIGINT NOT NULL,
  occurred_at TIMESTAMP NOT NULL, received_at TIMESTAMP NOT NULL);
CREATE TABLE IF NOT EXISTS sign_in_events (
  event_id VARCHAR PRIMARY KEY, user_id VARCHAR NOT NULL, method VARCHAR NOT NULL,
  occurred_at TIMESTAMP NOT NULL, received_at TIMESTAMP NOT NULL);
CREATE TABLE IF NOT EXISTS quarantine (
  quarantine_id VARCHAR PRIMARY KEY, event_id VARCHAR, channel VARCHAR NOT NULL, reason VARCHAR NOT NULL,
  raw VARCHAR NOT NULL, received_at TIMESTAMP NOT NULL);
CREATE TABLE IF NOT EXISTS cursors (channel VARCHAR PRIMARY KEY, position VARCHAR NOT NULL);
"""
_ACCEPTED = ("payment_events", "task_events", "transfer_events", "sign_in_events")


@dataclass(frozen=True)
class Revenue:
    period: datetime
    currency: str
    gross: int  # minor units of SUCCEEDED payments
    refunded: int  # minor units of REFUNDED ones
    payments: int

    @property
    def net(self) -> int:
        return self.gross - self.refunded


@dataclass(frozen=True)
class QueueWait:
    tier: str
    tasks: int
    mean_seconds: float
    p95_seconds: float
    max_seconds: float


@dataclass(frozen=True)
class Ratio:
    part: int
    whole: int

    @property
    def rate(self) -> float | None:
        return self.part / self.whole if self.whole else None


@dataclass(frozen=True)
class Quarantined:
    event_id: str | None
    channel: str
    reason: str
    raw: str
    received_at: datetime


def _naive_utc(instant: datetime) -> datetime:
    return instant.astimezone(UTC).replace(tzinfo=None)


def _aware(instant: datetime) -> datetime:
    return instant.replace(tzinfo=UTC)


class AnalyticsStore:
    def __init__(self, path: Path | None) -> None:
        """`path` None: in memory (a process whose file another process holds)."""
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        self._db = duckdb.connect(str(path) if path is not None else ":memory:")
        self._db.execute(_SCHEMA)
        self._lock = threading.Lock()  # one connection, used from worker threads one at a time

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _run(self, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._db.execute(sql, params or []).fetchall()

    def store(self, record: Record, received_at: datetime) -> Outcome:
        f, at, now = record.fields, _naive_utc(record.occurred_at), _naive_utc(received_at)
        if record.channel == PAYMENT_UPDATED:
            sql = "INSERT INTO payment_events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            row = [f["id"], f["userId"], f["status"], f["method"], f["amount"], f["currency"]]
        elif record.channel == TASK_UPDATED:
            sql = "INSERT INTO task_events VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            row = [f["taskId"], f["ownerId"], f["tier"], f["status"], f["attempts"]]
        elif record.channel == TOKEN_TRANSFER:
            sql = "INSERT INTO transfer_events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            row = [f["txHash"].lower(), f["from"], f["to"], f["value"], f["status"], f["blockNumber"]]
        elif record.channel == SIGNED_IN:
            sql = "INSERT INTO sign_in_events VALUES (?, ?, ?, ?, ?)"
            row = [f["userId"], f["method"]]
        else:
            raise ValueError(f"no table for {record.channel}")
        inserted = self._run(f"{sql} ON CONFLICT DO NOTHING RETURNING event_id", [record.event_id, *row, at, now])
        return "stored" if inserted else "duplicate"

    def quarantine(self, channel: str, raw: str, invalid: Invalid, received_at: datetime) -> Outcome:
        # Keyed by the event id when the envelope had one, else by the bytes: a replay quarantines nothing new.
        key = invalid.event_id or f"{channel}:sha256:{hashlib.sha256(raw.encode()).hexdigest()}"
        inserted = self._run(
            "INSERT INTO quarantine VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING quarantine_id",
            [key, invalid.event_id, channel, invalid.reason, raw, _naive_utc(received_at)],
        )
        return "quarantined" if inserted else "duplicate"

    def revenue(self, by: str, start: datetime, end: datetime) -> list[Revenue]:
        rows = self._run(
            f"SELECT date_trunc('{PERIODS[by]}', occurred_at), currency, status, amount FROM payment_events "
            "WHERE status IN ('SUCCEEDED', 'REFUNDED') AND occurred_at >= ? AND occurred_at < ?",
            [_naive_utc(start), _naive_utc(end)],
        )
        sums: dict[tuple[datetime, str], list[int]] = {}
        for period, currency, status, amount in rows:
            entry = sums.setdefault((period, currency), [0, 0, 0])
            if status == "SUCCEEDED":
                entry[0] += int(amount)
                entry[2] += 1
            else:
                entry[1] += int(amount)
        return [Revenue(_aware(p), c, g, r, n) for (p, c), (g, r, n) in sorted(sums.items())]

    def active_users(self, start: datetime, end: datetime) -> int:
        window = [_naive_utc(start), _naive_utc(end)]
        [(count,)] = self._run(
            "SELECT count(DISTINCT u) FROM (SELECT user_id AS u FROM payment_events WHERE occurred_at >= ? AND "
            "occurred_at < ? UNION ALL SELECT owner_id FROM task_events WHERE occurred_at >= ? AND occurred_at < ? "
            "UNION ALL SELECT user_id FROM sign_in_events WHERE occurred_at >= ? AND occurred_at < ?)",
            window + window + window,
        )
        return int(count)

    def queue_wait_by_tier(self, start: datetime, end: datetime) -> list[QueueWait]:
        """From a task's first QUEUED event to its first RUNNING one, for tasks that started in the window."""
        rows = self._run(
            """
            WITH queued AS (SELECT task_id, any_value(tier) AS tier, min(occurred_at) AS at FROM task_events
                            WHERE status = 'QUEUED' GROUP BY task_id),
                 started AS (SELECT task_id, min(occurred_at) AS at FROM task_events
                             WHERE status = 'RUNNING' GROUP BY task_id),
                 waits AS (SELECT queued.tier, epoch(started.at) - epoch(queued.at) AS seconds
                           FROM queued JOIN started USING (task_id) WHERE started.at >= ? AND started.at < ?)
            SELECT tier, count(*), avg(seconds), quantile_cont(seconds, 0.95), max(seconds)
            FROM waits GROUP BY tier ORDER BY tier
            """,
            [_naive_utc(start), _naive_utc(end)],
        )
        return [QueueWait(tier, int(n), float(mean), float(p95), float(top)) for tier, n, mean, p95, top in rows]

    def fraud_rate(self, start: datetime, end: datetime) -> Ratio:
        """Card payments first seen in the window, and how many of them were held for review."""
        [(held, payments)] = self._run(
            """
            WITH p AS (SELECT payment_id, min(occurred_at) AS first_seen, bool_or(status = 'REVIEW') AS held,
                              any_value(method) AS method FROM payment_events GROUP BY payment_id)
            SELECT count(*) FILTER (WHERE held), count(*) FROM p
            WHERE method = 'FIAT' AND first_seen >= ? AND first_seen < ?
            """,
            [_naive_utc(start), _naive_utc(end)],
        )
        return Ratio(int(held), int(payments))

    def validation_pass_rate(self, start: datetime, end: datetime) -> Ratio:
        """Records received in the window that passed validation, of all received (quarantined included)."""
        window = [_naive_utc(start), _naive_utc(end)]
        passed = 0
        for table in _ACCEPTED:
            [(count,)] = self._run(f"SELECT count(*) FROM {table} WHERE received_at >= ? AND received_at < ?", window)
            passed += int(count)
        [(rejected,)] = self._run("SELECT count(*) FROM quarantine WHERE received_at >= ? AND received_at < ?", window)
        return Ratio(passed, passed + int(rejected))

    def totals(self) -> Ratio:
        """Every record ever received: passed, of all (the pass-rate gauge at start)."""
        passed = sum(int(self._run(f"SELECT count(*) FROM {table}")[0][0]) for table in _ACCEPTED)
        rejected = int(self._run("SELECT count(*) FROM quarantine")[0][0])
        return Ratio(passed, passed + rejected)

    def cursor(self, channel: str) -> str:
        """The position in the channel's log up to which every event was taken ("0-0": none yet)."""
        rows = self._run("SELECT position FROM cursors WHERE channel = ?", [channel])
        return str(rows[0][0]) if rows else "0-0"

    def advance(self, channel: str, position: str) -> None:
        self._run("INSERT OR REPLACE INTO cursors VALUES (?, ?)", [channel, position])

    def quarantined(self, first: int) -> list[Quarantined]:
        rows = self._run(
            "SELECT event_id, channel, reason, raw, received_at FROM quarantine ORDER BY received_at DESC LIMIT ?",
            [first],
        )
        return [Quarantined(e, c, r, raw, _aware(at)) for e, c, r, raw, at in rows]
