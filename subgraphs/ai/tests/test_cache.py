from __future__ import annotations

import fakeredis
import pytest

from supergraph_ai.cache import InMemoryCache, RedisCache, create_cache


@pytest.fixture(params=["memory", "redis"])
async def cache(request: pytest.FixtureRequest) -> InMemoryCache | RedisCache:
    if request.param == "memory":
        return InMemoryCache(max_entries=3)
    return RedisCache(fakeredis.FakeAsyncRedis())


async def test_same_interface_both_backends(cache: InMemoryCache | RedisCache) -> None:
    assert await cache.get_many([]) == []
    await cache.set_many({"a": b"1", "b": b"2"}, ttl_seconds=60)
    assert await cache.get_many(["a", "missing", "b"]) == [b"1", None, b"2"]
    await cache.close()


async def test_memory_cache_evicts_least_recently_used() -> None:
    cache = InMemoryCache(max_entries=2)
    await cache.set_many({"a": b"1", "b": b"2"}, 60)
    await cache.get_many(["a"])  # a is now fresher than b
    await cache.set_many({"c": b"3"}, 60)
    assert await cache.get_many(["a", "b", "c"]) == [b"1", None, b"3"]


async def test_memory_cache_expires_entries() -> None:
    cache = InMemoryCache()
    clock = [100.0]
    cache._now = lambda: clock[0]  # noqa: SLF001
    await cache.set_many({"a": b"1"}, ttl_seconds=10)
    clock[0] = 109.0
    assert await cache.get_many(["a"]) == [b"1"]
    clock[0] = 111.0
    assert await cache.get_many(["a"]) == [None]


class BrokenRedis:
    async def mget(self, keys: list[str]) -> list[bytes]:
        raise ConnectionError("redis is down")

    def pipeline(self, transaction: bool = False) -> BrokenRedis:
        raise ConnectionError("redis is down")

    async def aclose(self) -> None:
        pass


async def test_a_redis_outage_is_a_miss_not_an_error() -> None:
    cache = RedisCache(BrokenRedis())
    assert await cache.get_many(["a", "b"]) == [None, None]
    await cache.set_many({"a": b"1"}, 60)  # logged and skipped


def test_backend_follows_redis_url() -> None:
    assert create_cache(None).backend == "memory"
    assert create_cache("redis://127.0.0.1:6399/0").backend == "redis"  # connects lazily: no server needed
