"""`projects.projectChanged` pokes from Redis pub/sub (the channel packages/pubsub publishes on).

Pub/sub is at-most-once: a poke lost while disconnected is made up for by poking once after every
(re)subscription, and by the follower's poll in any case.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import redis.asyncio as redis

log = logging.getLogger(__name__)

PROJECT_CHANGED = "projects.projectChanged"


async def listen_for_pokes(redis_url: str, channel: str, on_poke: Callable[[], None], retry_seconds: float) -> None:
    """Calls `on_poke` for every message on `channel` until cancelled; reconnects after failures."""
    while True:
        client = redis.from_url(redis_url)
        try:
            async with client.pubsub() as pubsub:
                await pubsub.subscribe(channel)
                on_poke()
                async for message in pubsub.listen():
                    if message.get("type") == "message":
                        on_poke()
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 — Redis restarts must not stop the index following
            log.warning("poke subscription to %s failed, retrying in %ss: %s", channel, retry_seconds, error)
            await asyncio.sleep(retry_seconds)
        finally:
            await client.aclose()
