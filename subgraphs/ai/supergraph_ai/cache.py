"""A small byte cache with two implementations behind one interface.

Redis when REDIS_URL is set (shared by every replica of the subgraph), otherwise an in-process LRU with
the same semantics, so tests and a laptop need no Redis. A cache must never fail a request: a Redis
error is logged and answered as a miss.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import Protocol

log = logging.getLogger(__name__)


class ByteCache(Protocol):
    backend: str

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]: ...

    async def set_many(self, items: Mapping[str, bytes], ttl_seconds: int) -> None: ...

    async def close(self) -> None: ...


class InMemoryCache:
    backend = "memory"

    def __init__(self, max_entries: int = 50_000) -> None:
        self._entries: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._max_entries = max_entries
        self._now = time.monotonic

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        now = self._now()
        found: list[bytes | None] = []
        for key in keys:
            entry = self._entries.get(key)
            if entry is None or entry[0] < now:
                if entry is not None:
                    del self._entries[key]
                found.append(None)
                continue
            self._entries.move_to_end(key)
            found.append(entry[1])
        return found

    async def set_many(self, items: Mapping[str, bytes], ttl_seconds: int) -> None:
        expires = self._now() + ttl_seconds
        for key, value in items.items():
            self._entries[key] = (expires, value)
            self._entries.move_to_end(key)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)

    async def close(self) -> None:
        self._entries.clear()


class RedisCache:
    backend = "redis"

    def __init__(self, client: object, prefix: str = "supergraph:ai:") -> None:
        # `client` is a redis.asyncio.Redis (or fakeredis in tests); typed loosely to keep redis optional.
        self._client = client
        self._prefix = prefix

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        if not keys:
            return []
        try:
            return list(await self._client.mget([self._prefix + k for k in keys]))  # type: ignore[attr-defined]
        except Exception as error:  # noqa: BLE001 — any Redis failure degrades to a miss
            log.warning("redis cache read failed, treating as miss: %s", error)
            return [None] * len(keys)

    async def set_many(self, items: Mapping[str, bytes], ttl_seconds: int) -> None:
        if not items:
            return
        try:
            async with self._client.pipeline(transaction=False) as pipe:  # type: ignore[attr-defined]
                for key, value in items.items():
                    pipe.set(self._prefix + key, value, ex=ttl_seconds)
                await pipe.execute()
        except Exception as error:  # noqa: BLE001
            log.warning("redis cache write failed, skipping: %s", error)

    async def close(self) -> None:
        await self._client.aclose()  # type: ignore[attr-defined]


def create_cache(redis_url: str | None, *, max_entries: int = 50_000) -> ByteCache:
    """`max_entries` bounds the in-process cache only (Redis evicts by its own policy)."""
    if not redis_url:
        return InMemoryCache(max_entries)
    import redis.asyncio as redis  # imported here: only a deployment with Redis needs the client

    return RedisCache(redis.from_url(redis_url, socket_timeout=0.25, socket_connect_timeout=0.25))
