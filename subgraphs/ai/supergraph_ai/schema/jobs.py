"""The service-only side of AI jobs: the projects subgraph checks a job here before queueing it, and
its workers run jobs here (jobs/runner.py). Both are @inaccessible: the router's API has
`submitAiJob` and `aiJobUpdated` from the projects subgraph instead, which owns the queue and the
jobs' state."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from ..context import RequestContext
from ..validation import check_range
from .permissions import ServiceOnly

MAX_WAIT_SECONDS = 30.0


@strawberry.federation.type(inaccessible=True, description="Where one run of an AI job stands.")
class AiJobRun:
    status: str = strawberry.field(description="RUNNING, SUCCEEDED or FAILED")
    progress: float = strawberry.field(description="Share of the work done, 0 to 1")
    result: str | None = strawberry.field(description="The result as JSON, once SUCCEEDED")
    error: str | None = strawberry.field(description="Why it FAILED")


@strawberry.type
class JobQueries:
    @strawberry.federation.field(
        inaccessible=True,
        permission_classes=[ServiceOnly],
        description="Service only: true when `input` (JSON) is a valid job of `kind`; "
        "else BAD_USER_INPUT naming the part at fault.",
    )
    def check_ai_job(self, info: Info[RequestContext, None], kind: str, input: str) -> bool | None:
        info.context.services.jobs.check(kind, input)
        return True


@strawberry.type
class JobMutations:
    @strawberry.federation.field(
        inaccessible=True,
        permission_classes=[ServiceOnly],
        description=(
            "Service only: runs the job under `key` once (asking again joins the run, or returns its outcome), "
            "answering when its progress differs from `seenProgress`, when it ends, or after `waitSeconds`."
        ),
    )
    async def run_ai_job(
        self,
        info: Info[RequestContext, None],
        key: strawberry.ID,
        kind: str,
        input: str,
        seen_progress: float | None = None,
        wait_seconds: float = 10.0,
    ) -> AiJobRun:
        check_range(wait_seconds, "waitSeconds", 0.0, MAX_WAIT_SECONDS)
        state = await info.context.services.jobs.run(str(key), kind, input, seen_progress, wait_seconds)
        return AiJobRun(status=state.status, progress=state.progress, result=state.result, error=state.error)
