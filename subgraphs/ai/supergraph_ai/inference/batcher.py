"""Micro-batching: concurrent requests share one model call.

A transformer on CPU costs far less per item in a batch of 32 than in 32 calls of one, so every
caller's items go into one queue and a single worker drains it: it takes what is waiting (at most
`max_batch` items), waits at most `max_wait` for more once it holds the first item, runs the model once
in a thread (onnxruntime releases the GIL, so the event loop keeps serving), and hands every caller
its own slice of the output. While a batch runs, newcomers queue up and form the next batch, so under
load batches grow by themselves and the wait is only paid when the model is idle.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

In = TypeVar("In")
Out = TypeVar("Out")

BatchObserver = Callable[[int, float], None]


@dataclass
class _Pending(Generic[In, Out]):
    item: In
    future: asyncio.Future[Out]


class MicroBatcher(Generic[In, Out]):
    def __init__(
        self,
        run_batch: Callable[[list[In]], Sequence[Out]],
        *,
        max_batch: int,
        max_wait: float,
        on_batch: BatchObserver | None = None,
    ) -> None:
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        self._run_batch = run_batch
        self._max_batch = max_batch
        self._max_wait = max_wait
        self._on_batch = on_batch
        self._queue: asyncio.Queue[_Pending[In, Out]] | None = None
        self._worker: asyncio.Task[None] | None = None

    async def submit(self, items: Sequence[In]) -> list[Out]:
        """The model's outputs for `items`, in order; may share a model call with other callers."""
        if not items:
            return []
        queue = self._ensure_worker()
        loop = asyncio.get_running_loop()
        pending = [_Pending(item, loop.create_future()) for item in items]
        for entry in pending:
            queue.put_nowait(entry)
        try:
            return list(await asyncio.gather(*(entry.future for entry in pending)))
        except asyncio.CancelledError:
            # The caller went away: its queued items are skipped instead of computed for nobody.
            for entry in pending:
                entry.future.cancel()
            raise

    async def close(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
            self._worker = None
        if self._queue is not None:
            while not self._queue.empty():
                self._queue.get_nowait().future.cancel()

    def _ensure_worker(self) -> asyncio.Queue[_Pending[In, Out]]:
        if self._queue is None:
            self._queue = asyncio.Queue()
        if self._worker is None or self._worker.done():
            self._worker = asyncio.get_running_loop().create_task(self._work(self._queue), name="micro-batcher")
        return self._queue

    async def _work(self, queue: asyncio.Queue[_Pending[In, Out]]) -> None:
        loop = asyncio.get_running_loop()
        while True:
            batch = [await queue.get()]
            deadline = loop.time() + self._max_wait
            while len(batch) < self._max_batch:
                if queue.empty():
                    remaining = deadline - loop.time()
                    if remaining <= 0:
                        break
                    try:
                        batch.append(await asyncio.wait_for(queue.get(), remaining))
                    except TimeoutError:
                        break
                else:
                    batch.append(queue.get_nowait())
            live = [entry for entry in batch if not entry.future.done()]
            if live:
                await self._run(live)

    async def _run(self, batch: list[_Pending[In, Out]]) -> None:
        started = time.perf_counter()
        try:
            outputs = await asyncio.to_thread(self._run_batch, [entry.item for entry in batch])
            if len(outputs) != len(batch):
                raise RuntimeError(f"model returned {len(outputs)} outputs for {len(batch)} inputs")
        except Exception as error:  # noqa: BLE001 — every waiting caller gets the failure
            for entry in batch:
                if not entry.future.done():
                    entry.future.set_exception(error)
            return
        if self._on_batch is not None:
            self._on_batch(len(batch), time.perf_counter() - started)
        for entry, output in zip(batch, outputs, strict=True):
            if not entry.future.done():
                entry.future.set_result(output)
