"""The analytics pipeline: declared schemas and rules, quarantine with reasons, idempotent replays, exact
aggregates, computed insights, the pass-rate metric, and admin-only access through GraphQL."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis.asyncio as redis

from supergraph_ai.analytics.insights import insights
from supergraph_ai.analytics.pipeline import Analytics
from supergraph_ai.analytics.records import PAYMENT_UPDATED, SIGNED_IN, TASK_UPDATED, TOKEN_TRANSFER
from supergraph_ai.metrics import Metrics
from supergraph_ai.services import Services

from .graphql_client import error_codes, gql
from .helpers import ADMIN, SERVICE, USER
from .projects_process import REDIS_URL

DAY = datetime(2026, 11, 2, tzinfo=UTC)  # a Monday
RECEIVED = DAY + timedelta(days=40)  # when the tests' events arrive
_ids = iter(range(1, 1_000_000))


def payment(
    status: str, amount: str, *, at: datetime, currency: str = "USD", method: str = "FIAT", **over: Any
) -> dict[str, Any]:
    payload = {
        "id": over.pop("payment_id", str(uuid.uuid4())),
        "userId": over.pop("user_id", str(uuid.uuid4())),
        "status": status,
        "method": method,
        "amount": amount,
        "currency": currency,
    }
    payload.update(over)
    return envelope(PAYMENT_UPDATED, payload, at)


def task(task_id: str, owner: str, tier: str, status: str, attempts: int, at: datetime) -> dict[str, Any]:
    payload = {
        "taskId": task_id,
        "projectId": None,
        "ownerId": owner,
        "tier": tier,
        "status": status,
        "attempts": attempts,
        "progress": None,
    }
    return envelope(TASK_UPDATED, payload, at)


def envelope(channel: str, payload: dict[str, Any], at: datetime) -> dict[str, Any]:
    return {"id": next(_ids), "channel": channel, "createdAt": at.isoformat(), "payload": payload}


@pytest.fixture
def analytics(tmp_path: Path) -> Analytics:
    return Analytics(tmp_path, Metrics())


def feed(analytics: Analytics, channel: str, *messages: dict[str, Any]) -> list[str]:
    return [analytics.ingest(channel, json.dumps(m), received_at=RECEIVED) for m in messages]


def test_revenue_is_exact_by_period_and_currency_and_replays_change_nothing(analytics: Analytics) -> None:
    refunded_id = str(uuid.uuid4())
    events = [
        payment("PENDING", "1999", at=DAY),
        payment("SUCCEEDED", "1999", at=DAY + timedelta(hours=1)),
        payment("SUCCEEDED", "4200", at=DAY + timedelta(hours=2)),
        payment("SUCCEEDED", "500", at=DAY + timedelta(hours=3), payment_id=refunded_id),
        payment("REFUNDED", "500", at=DAY + timedelta(days=1), payment_id=refunded_id),
        payment("SUCCEEDED", "1000", at=DAY + timedelta(days=1), currency="EUR"),
        payment("FAILED", "7777", at=DAY + timedelta(days=1)),
        # 2^200 base units of FORGE: beyond any SQL decimal, summed exactly all the same
        payment("SUCCEEDED", str(2**200), at=DAY, currency="FORGE", method="TOKEN"),
    ]
    assert feed(analytics, PAYMENT_UPDATED, *events) == ["stored"] * len(events)
    store = analytics.store
    by_day = [
        (r.period, r.currency, r.gross, r.refunded, r.net, r.payments)
        for r in store.revenue("DAY", DAY, DAY + timedelta(days=7))
    ]
    assert by_day == [
        (DAY, "FORGE", 2**200, 0, 2**200, 1),
        (DAY, "USD", 6699, 0, 6699, 3),
        (DAY + timedelta(days=1), "EUR", 1000, 0, 1000, 1),
        (DAY + timedelta(days=1), "USD", 0, 500, -500, 0),
    ]
    weekly = {(r.currency): r.net for r in store.revenue("WEEK", DAY, DAY + timedelta(days=7))}
    assert weekly == {"FORGE": 2**200, "USD": 6199, "EUR": 1000}

    # The same events delivered again (the outbox relay is at-least-once): nothing changes.
    assert feed(analytics, PAYMENT_UPDATED, *events) == ["duplicate"] * len(events)
    assert [r.net for r in store.revenue("WEEK", DAY, DAY + timedelta(days=7))] == [1000, 2**200, 6199]
    assert store.validation_pass_rate(RECEIVED, RECEIVED + timedelta(seconds=1)).part == len(events)


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        (payment("SUCCEEDED", "100", at=DAY, currency="FORGE"), "currency FORGE is not paid by FIAT"),
        (payment("SUCCEEDED", "0", at=DAY), "amount must be positive"),
        (payment("SUCCEEDED", "100000000", at=DAY), "amount 100000000 exceeds the FIAT limit 99999999"),
        (payment("SUCCEEDED", "12.50", at=DAY), "payload.amount must be integer minor units as a decimal string"),
        (payment("SETTLED", "100", at=DAY), "payload.status must be PENDING | REVIEW | SUCCEEDED | FAILED | REFUNDED"),
        (payment("SUCCEEDED", "100", at=DAY, user_id="not-a-user"), "payload.userId must be a UUID"),
        (payment("SUCCEEDED", "100", at=RECEIVED + timedelta(minutes=6)), "createdAt is in the future"),
        ({"id": 5, "channel": PAYMENT_UPDATED, "createdAt": DAY.isoformat()}, "payload is not a JSON object"),
        ({"channel": PAYMENT_UPDATED, "payload": {}}, "envelope id must be a positive integer (the outbox id)"),
    ],
)
def test_a_bad_record_is_quarantined_with_its_reason(
    analytics: Analytics, message: dict[str, Any], reason: str
) -> None:
    assert feed(analytics, PAYMENT_UPDATED, message) == ["quarantined"]
    [kept] = analytics.store.quarantined(10)
    assert kept.reason.startswith(reason)
    assert kept.channel == PAYMENT_UPDATED
    assert json.loads(kept.raw) == message
    assert kept.event_id == (f"{PAYMENT_UPDATED}:{message['id']}" if "id" in message else None)
    # Quarantined once: the same bad record again is a duplicate, not a second entry.
    assert feed(analytics, PAYMENT_UPDATED, message) == ["duplicate"]
    assert len(analytics.store.quarantined(10)) == 1
    assert analytics.store.revenue("DAY", DAY, DAY + timedelta(days=60)) == []


def test_unreadable_messages_are_quarantined_too(analytics: Analytics) -> None:
    assert analytics.ingest(PAYMENT_UPDATED, b"{not json") == "quarantined"
    assert analytics.ingest(TOKEN_TRANSFER, json.dumps({"txHash": "0x1"})) == "quarantined"
    reasons = sorted(q.reason for q in analytics.store.quarantined(10))
    assert reasons[0].startswith("not JSON")
    assert reasons[1] == "payload.txHash must be a 32-byte 0x hash, not '0x1'"


def test_validation_pass_rate_gauge_and_counters(tmp_path: Path) -> None:
    metrics = Metrics()
    analytics = Analytics(tmp_path, metrics)
    good = [payment("SUCCEEDED", "100", at=DAY) for _ in range(3)]
    feed(analytics, PAYMENT_UPDATED, *good, payment("SUCCEEDED", "0", at=DAY), good[0])
    rendered = metrics.render().decode()
    assert f'ai_analytics_records_total{{channel="{PAYMENT_UPDATED}",outcome="stored"}} 3.0' in rendered
    assert f'ai_analytics_records_total{{channel="{PAYMENT_UPDATED}",outcome="quarantined"}} 1.0' in rendered
    assert f'ai_analytics_records_total{{channel="{PAYMENT_UPDATED}",outcome="duplicate"}} 1.0' in rendered
    assert "ai_analytics_validation_pass_rate 0.75" in rendered
    rate = analytics.store.validation_pass_rate(RECEIVED, RECEIVED + timedelta(seconds=1))
    assert (rate.part, rate.whole, rate.rate) == (3, 4, 0.75)
    # A restart reads the rate back from the store.
    analytics.store.close()
    again = Metrics()
    Analytics(tmp_path, again)
    assert "ai_analytics_validation_pass_rate 0.75" in again.render().decode()


def test_queue_wait_by_tier_and_active_users(analytics: Analytics) -> None:
    owners = [str(uuid.uuid4()) for _ in range(3)]
    waits = {"FREE": [30, 90], "ENTERPRISE": [2]}
    events = []
    for tier, seconds in waits.items():
        for wait in seconds:
            task_id = str(uuid.uuid4())
            events += [
                task(task_id, owners[0 if tier == "FREE" else 1], tier, "QUEUED", 0, DAY),
                task(task_id, owners[0 if tier == "FREE" else 1], tier, "RUNNING", 1, DAY + timedelta(seconds=wait)),
                task(
                    task_id, owners[0 if tier == "FREE" else 1], tier, "SUCCEEDED", 1, DAY + timedelta(seconds=wait + 5)
                ),
            ]
    # Still queued: no wait yet.
    events.append(task(str(uuid.uuid4()), owners[2], "PRO", "QUEUED", 0, DAY))
    assert set(feed(analytics, TASK_UPDATED, *events)) == {"stored"}
    result = {
        w.tier: (w.tasks, w.mean_seconds, w.max_seconds)
        for w in analytics.store.queue_wait_by_tier(DAY, DAY + timedelta(days=1))
    }
    assert result == {"ENTERPRISE": (1, 2.0, 2.0), "FREE": (2, 60.0, 90.0)}
    feed(analytics, PAYMENT_UPDATED, payment("SUCCEEDED", "100", at=DAY, user_id=owners[0]))
    assert analytics.store.active_users(DAY, DAY + timedelta(days=1)) == 3
    # A RUNNING task that was never attempted breaks a rule.
    assert feed(analytics, TASK_UPDATED, task(str(uuid.uuid4()), owners[0], "FREE", "RUNNING", 0, DAY)) == [
        "quarantined"
    ]


def test_sign_ins_make_users_active_once_each_and_bad_ones_are_quarantined(analytics: Analytics) -> None:
    def sign_in(user_id: str, at: datetime, method: str = "password") -> dict[str, Any]:
        return envelope(SIGNED_IN, {"userId": user_id, "method": method}, at)

    reader, payer = str(uuid.uuid4()), str(uuid.uuid4())
    signed_in = [sign_in(reader, DAY), sign_in(reader, DAY + timedelta(hours=3), "siwe"), sign_in(payer, DAY)]
    assert feed(analytics, SIGNED_IN, *signed_in) == ["stored"] * 3
    # The users outbox's relay publishes a row again when it could not mark it published: same envelope id.
    republished = {**signed_in[1], "createdAt": (DAY + timedelta(hours=3)).isoformat().replace("+00:00", "Z")}
    assert feed(analytics, SIGNED_IN, signed_in[0], republished) == ["duplicate", "duplicate"]
    assert (analytics.store.totals().part, analytics.store.totals().whole) == (3, 3)
    feed(analytics, PAYMENT_UPDATED, payment("SUCCEEDED", "100", at=DAY, user_id=payer))
    # The reader only signed in; the payer also paid: two distinct users, that day and no other.
    assert analytics.store.active_users(DAY, DAY + timedelta(days=1)) == 2
    assert analytics.store.active_users(DAY + timedelta(days=1), DAY + timedelta(days=2)) == 0
    assert feed(analytics, SIGNED_IN, sign_in(reader, DAY, "carrier-pigeon")) == ["quarantined"]
    assert feed(analytics, SIGNED_IN, sign_in(reader, RECEIVED + timedelta(hours=1))) == ["quarantined"]
    reasons = {q.reason for q in analytics.store.quarantined(10)}
    assert "createdAt is in the future" in reasons
    assert any(reason.startswith("payload.method must be password | register | siwe") for reason in reasons)


def test_fraud_rate_counts_card_payments_held_for_review(analytics: Analytics) -> None:
    held = str(uuid.uuid4())
    feed(
        analytics,
        PAYMENT_UPDATED,
        payment("PENDING", "100", at=DAY, payment_id=held),
        payment("REVIEW", "100", at=DAY, payment_id=held),
        *[payment("SUCCEEDED", "100", at=DAY) for _ in range(3)],
        payment("SUCCEEDED", "100", at=DAY, currency="FORGE", method="TOKEN"),
    )
    rate = analytics.store.fraud_rate(DAY, DAY + timedelta(days=1))
    assert (rate.part, rate.whole, rate.rate) == (1, 4, 0.25)


def test_insights_say_what_changed_and_which_day_was_anomalous(analytics: Analytics) -> None:
    start = DAY + timedelta(days=21)
    # Three weeks of 8.00 to 12.00 USD a day, then a week of 11.00 a day but one day of 500.00.
    daily = [1000 + ((d * 37) % 5 - 2) * 100 for d in range(21)]
    history = [payment("SUCCEEDED", str(daily[d]), at=DAY + timedelta(days=d, hours=12)) for d in range(21)]
    week = [payment("SUCCEEDED", "1100", at=start + timedelta(days=d, hours=12)) for d in range(7) if d != 3]
    week.append(payment("SUCCEEDED", "50000", at=start + timedelta(days=3, hours=12)))
    feed(analytics, PAYMENT_UPDATED, *history, *week)
    found = insights(analytics.store, start, start + timedelta(days=7))
    changes = {i.metric: i for i in found if i.kind == "CHANGE"}
    revenue = changes["revenue USD"]
    previous_week = sum(daily[14:21])
    assert (revenue.value, revenue.baseline) == (6 * 1100 + 50000, previous_week)
    assert revenue.change == round((56600 - previous_week) / previous_week, 4)
    assert "up" in revenue.message
    assert "activeUsers" not in changes  # 7 payers, as in the week before
    anomalies = [i for i in found if i.kind == "ANOMALY"]
    assert [(a.metric, a.value) for a in anomalies] == [("revenue USD", 50000)]
    assert anomalies[0].change >= 3
    assert str((start + timedelta(days=3)).date()) in anomalies[0].message


async def test_analytics_through_graphql_is_for_admins_only(client: httpx.AsyncClient, services: Services) -> None:
    now = datetime.now(UTC)
    services.analytics.ingest(PAYMENT_UPDATED, json.dumps(payment("SUCCEEDED", "2500", at=now - timedelta(hours=1))))
    services.analytics.ingest(PAYMENT_UPDATED, json.dumps(payment("SUCCEEDED", "-1", at=now)))
    query = """query ($from: DateTimeISO) { analytics(from: $from) {
      revenue(by: DAY) { currency net payments } activeUsers fraudRate { rate count outOf }
      validationPassRate { rate count outOf } insights { kind metric value } quarantined(first: 5) { reason }
    } }"""
    for caller in (USER, SERVICE):
        _, body = await gql(client, query, {"from": (now - timedelta(days=1)).isoformat()}, identity=caller)
        assert error_codes(body) == ["FORBIDDEN"]
        assert body["data"] == {"analytics": None}
    _, body = await gql(client, query, {"from": (now - timedelta(days=1)).isoformat()}, identity=ADMIN)
    assert "errors" not in body
    result = body["data"]["analytics"]
    assert {"currency": "USD", "net": "2500", "payments": 1} in result["revenue"]
    assert result["validationPassRate"]["count"] >= 1
    assert result["validationPassRate"]["outOf"] > result["validationPassRate"]["count"]
    assert any(q["reason"].startswith("payload.amount must be") for q in result["quarantined"])
    _, body = await gql(
        client, '{ analytics(from: "2026-01-02T00:00:00Z", to: "2026-01-01T00:00:00Z") { activeUsers } }'
    )
    assert error_codes(body) == ["BAD_USER_INPUT"]


async def test_a_window_bound_that_is_not_an_iso_date_time_is_bad_user_input(client: httpx.AsyncClient) -> None:
    for caller in (ADMIN, USER):
        _, literal = await gql(client, '{ analytics(from: "pm_card_visa") { activeUsers } }', identity=caller)
        assert error_codes(literal) == ["BAD_USER_INPUT"]
        for value in ("fuzz@example.com", 100, {"a": 1}, "2026-01-01T00:00:00"):  # the last lacks a time zone
            query = "query ($to: DateTimeISO) { analytics(to: $to) { activeUsers } }"
            _, variable = await gql(client, query, {"to": value}, identity=caller)
            assert error_codes(variable) == ["BAD_USER_INPUT"], value


def test_a_store_file_held_by_another_process_leaves_this_one_counting_in_memory(tmp_path: Path) -> None:
    path = tmp_path / "analytics" / "analytics.duckdb"
    path.parent.mkdir()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; duckdb.connect(sys.argv[1]); print(flush=True); time.sleep(60)",
            str(path),
        ],
        stdout=subprocess.PIPE,
    )
    try:
        assert holder.stdout is not None
        holder.stdout.readline()  # the other process holds the file now
        analytics = Analytics(tmp_path, Metrics())
        assert feed(analytics, PAYMENT_UPDATED, payment("SUCCEEDED", "100", at=DAY)) == ["stored"]
        assert [r.net for r in analytics.store.revenue("DAY", DAY, DAY + timedelta(days=1))] == [100]
    finally:
        holder.kill()
        holder.wait()


async def append_to_log(client: redis.Redis, log_key: str, message: dict[str, Any] | str) -> None:
    """What packages/pubsub's publish appends to a channel's log (`<prefix>log:<channel>`, field `payload`)."""
    body = message if isinstance(message, str) else json.dumps(message)
    await client.xadd(log_key, {"previous": "0-0", "payload": body})


async def until(condition: Any) -> None:
    for _ in range(200):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the pipeline did not catch up")


async def test_the_pipeline_follows_the_bus_logs_and_resumes_where_it_stopped(tmp_path: Path) -> None:
    """The streams packages/pubsub keeps per channel, on the real Redis."""
    prefix = f"analytics-test-{uuid.uuid4()}:"
    client = redis.from_url(REDIS_URL)
    log_key = f"{prefix}log:{PAYMENT_UPDATED}"

    async def publish(message: dict[str, Any] | str) -> None:
        await append_to_log(client, log_key, message)

    now = datetime.now(UTC)
    try:
        await publish(payment("SUCCEEDED", "1200", at=now))
        await publish(payment("SUCCEEDED", "300", at=now))
        await publish("{broken")
        metrics = Metrics()
        first = Analytics(tmp_path, metrics)
        first.listen(REDIS_URL, prefix, retry_seconds=0.1)
        window = (now - timedelta(hours=1), now + timedelta(hours=1))
        await until(lambda: len(first.store.quarantined(5)) == 1)
        assert [r.net for r in first.store.revenue("DAY", *window)] == [1500]
        await first.aclose()

        # Published while no pipeline runs: taken by the next one, and nothing before it again.
        await publish(payment("SUCCEEDED", "5", at=now))
        again = Metrics()
        second = Analytics(tmp_path, again)
        second.listen(REDIS_URL, prefix, retry_seconds=0.1)
        await until(lambda: [r.net for r in second.store.revenue("DAY", *window)] == [1505])
        rendered = again.render().decode()
        assert f'ai_analytics_records_total{{channel="{PAYMENT_UPDATED}",outcome="stored"}} 1.0' in rendered
        assert 'outcome="duplicate"' not in rendered
        await second.aclose()
    finally:
        await client.delete(log_key)
        await client.aclose()


async def test_a_sign_in_the_users_outbox_relays_twice_counts_once(tmp_path: Path) -> None:
    """The relay publishes a row again when it could not mark it published (a crash, a lost reply): same id."""
    prefix = f"analytics-test-{uuid.uuid4()}:"
    client = redis.from_url(REDIS_URL)
    log_key = f"{prefix}log:{SIGNED_IN}"
    now = datetime.now(UTC)
    signed_in = envelope(SIGNED_IN, {"userId": str(uuid.uuid4()), "method": "password"}, now)
    other = envelope(SIGNED_IN, {"userId": str(uuid.uuid4()), "method": "siwe"}, now)
    metrics = Metrics()
    analytics = Analytics(tmp_path, metrics)
    try:
        for message in (signed_in, other, signed_in):
            await append_to_log(client, log_key, message)
        analytics.listen(REDIS_URL, prefix, retry_seconds=0.1)

        def rendered() -> str:
            return metrics.render().decode()

        await until(lambda: 'outcome="duplicate"} 1.0' in rendered())
        assert f'ai_analytics_records_total{{channel="{SIGNED_IN}",outcome="stored"}} 2.0' in rendered()
        assert f'ai_analytics_records_total{{channel="{SIGNED_IN}",outcome="duplicate"}} 1.0' in rendered()
        totals = analytics.store.totals()
        assert (totals.part, totals.whole) == (2, 2)
        assert analytics.store.active_users(now - timedelta(hours=1), now + timedelta(hours=1)) == 2
    finally:
        await analytics.aclose()
        await client.delete(log_key)
        await client.aclose()
