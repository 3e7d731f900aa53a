from __future__ import annotations

import asyncio
import time

import pytest

from supergraph_ai.inference.batcher import MicroBatcher


class Recorder:
    def __init__(self, delay: float = 0.02, fail_on: str | None = None) -> None:
        self.batches: list[list[str]] = []
        self.delay = delay
        self.fail_on = fail_on

    def __call__(self, items: list[str]) -> list[str]:
        self.batches.append(items)
        time.sleep(self.delay)
        if self.fail_on in items:
            raise RuntimeError("model exploded")
        return [item.upper() for item in items]


async def test_concurrent_callers_share_a_batch_and_get_their_own_outputs() -> None:
    model = Recorder()
    batcher = MicroBatcher(model, max_batch=64, max_wait=0.01)
    results = await asyncio.gather(*(batcher.submit([f"a{i}", f"b{i}"]) for i in range(10)))
    assert results == [[f"A{i}", f"B{i}"] for i in range(10)]
    assert len(model.batches) <= 2
    await batcher.close()


async def test_max_batch_is_respected() -> None:
    model = Recorder(delay=0)
    batcher = MicroBatcher(model, max_batch=4, max_wait=0.01)
    assert await batcher.submit([str(i) for i in range(10)]) == [str(i) for i in range(10)]
    assert [len(b) for b in model.batches] == [4, 4, 2]
    await batcher.close()


async def test_a_failed_batch_fails_every_caller_in_it_and_the_next_batch_runs() -> None:
    model = Recorder(fail_on="boom")
    batcher = MicroBatcher(model, max_batch=64, max_wait=0.01)
    outcomes = await asyncio.gather(batcher.submit(["x"]), batcher.submit(["boom"]), return_exceptions=True)
    assert all(isinstance(o, RuntimeError) for o in outcomes)
    assert await batcher.submit(["after"]) == ["AFTER"]
    await batcher.close()


async def test_cancelled_callers_items_are_skipped() -> None:
    model = Recorder(delay=0.05)
    batcher = MicroBatcher(model, max_batch=1, max_wait=0)
    first = asyncio.create_task(batcher.submit(["first"]))
    await asyncio.sleep(0.01)  # "first" is running
    doomed = asyncio.create_task(batcher.submit(["doomed"]))
    await asyncio.sleep(0)
    doomed.cancel()
    assert await first == ["FIRST"]
    assert await batcher.submit(["last"]) == ["LAST"]
    assert ["doomed"] not in model.batches
    with pytest.raises(asyncio.CancelledError):
        await doomed
    await batcher.close()


async def test_observer_sees_every_batch() -> None:
    seen: list[int] = []
    batcher = MicroBatcher(Recorder(delay=0), max_batch=3, max_wait=0.0, on_batch=lambda size, _s: seen.append(size))
    await batcher.submit(["a", "b", "c", "d"])
    assert seen == [3, 1]
    await batcher.close()
