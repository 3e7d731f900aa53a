"""Runs AI jobs for the projects subgraph's workers, once per key.

A worker asks `run(key, …)` with the key `<task id>:<attempt>` and gets the run's state back as soon
as it moves (or after `wait_seconds`), asking again until it ends. The same key asked again — a long
poll that follows the run, or a new worker after the first one died — joins the run already going in
this process or, once it has ended, gets its stored outcome: the work is done once per key. Outcomes
are kept in Redis when REDIS_URL is set (so another replica answers too), otherwise in this process.
A run lost with its process (the AI subgraph restarted mid-run) is started again on the next ask.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from ..cache import ByteCache, create_cache
from ..errors import CodedError
from .kinds import PreparedJob, prepare

if TYPE_CHECKING:
    from ..services import Services

log = logging.getLogger(__name__)

# Long enough for any re-delivery of a job (BullMQ hands a dead worker's job out within minutes).
OUTCOME_TTL_SECONDS = 7 * 24 * 3600
# Outcomes kept in process without Redis: results can be large (vectors), so fewer than the embedding cache.
MAX_OUTCOMES_IN_PROCESS = 1_000


@dataclass(frozen=True)
class RunState:
    status: str  # RUNNING, SUCCEEDED or FAILED
    progress: float
    result: str | None = None  # the result as JSON, once SUCCEEDED
    error: str | None = None


class _Run:
    def __init__(self) -> None:
        self.state = RunState("RUNNING", 0.0)
        self.changed = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    def update(self, state: RunState) -> None:
        self.state = state
        # Waiters hold the event of the state they saw; a fresh one for the next change.
        self.changed.set()
        self.changed = asyncio.Event()


class JobRunner:
    def __init__(self, services: Services, outcomes: ByteCache | None = None) -> None:
        self._services = services
        self._outcomes = outcomes or create_cache(services.settings.redis_url, max_entries=MAX_OUTCOMES_IN_PROCESS)
        self._runs: dict[str, _Run] = {}

    def check(self, kind: str, input_json: str) -> PreparedJob:
        return prepare(kind, input_json)

    async def run(
        self, key: str, kind: str, input_json: str, seen_progress: float | None, wait_seconds: float
    ) -> RunState:
        run = self._runs.get(key)
        if run is None:
            stored = (await self._outcomes.get_many([_outcome_key(key)]))[0]
            if stored is not None:
                return RunState(**json.loads(stored))
            # The input is checked only to start a run: asks that follow one carry the same job.
            run = self._runs.get(key) or self._start(key, prepare(kind, input_json))
        changed = run.changed
        if run.state.status == "RUNNING" and run.state.progress == seen_progress:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(wait_seconds):
                    await changed.wait()
        return run.state

    def _start(self, key: str, job: PreparedJob) -> _Run:
        run = _Run()
        self._runs[key] = run
        run.task = asyncio.create_task(self._execute(key, job, run), name=f"ai-job-{key}")
        return run

    async def _execute(self, key: str, job: PreparedJob, run: _Run) -> None:
        metrics = self._services.metrics
        metrics.job_runs.labels(job.kind).inc()
        started = time.perf_counter()

        def progress(share: float) -> None:
            run.update(RunState("RUNNING", round(min(1.0, max(0.0, share)), 4)))

        try:
            result = await job.execute(self._services, progress)
            outcome = RunState("SUCCEEDED", 1.0, result=json.dumps(result, separators=(",", ":")))
        except CodedError as error:
            outcome = RunState("FAILED", run.state.progress, error=error.message)
        except Exception:
            log.exception("AI job %s (%s) failed", key, job.kind)
            outcome = RunState("FAILED", run.state.progress, error="Internal error")
        # Stored before it is announced, so an ask after the run leaves memory still finds it.
        await self._outcomes.set_many({_outcome_key(key): json.dumps(asdict(outcome)).encode()}, OUTCOME_TTL_SECONDS)
        metrics.job_seconds.labels(job.kind, outcome.status).observe(time.perf_counter() - started)
        run.update(outcome)
        del self._runs[key]

    async def aclose(self) -> None:
        for run in list(self._runs.values()):
            if run.task is not None:
                run.task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await run.task
        await self._outcomes.close()


def _outcome_key(key: str) -> str:
    return f"ai-job:{key}"
