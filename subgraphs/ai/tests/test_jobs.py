"""AI jobs as the projects subgraph's workers drive them: checked before queueing, run once per key
however often (and by however many workers) they are asked, progress reported, providers falling back."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import numpy as np

from supergraph_ai.errors import ProviderError
from supergraph_ai.inference.llm.base import GenerationRequest, LlmProvider, StreamEvent
from supergraph_ai.services import Services

from .graphql_client import error_codes, gql
from .helpers import SERVICE, USER

CHECK = "query ($kind: String!, $input: String!) { checkAiJob(kind: $kind, input: $input) }"
RUN = """mutation ($key: ID!, $kind: String!, $input: String!, $seen: Float, $wait: Float!) {
  runAiJob(key: $key, kind: $kind, input: $input, seenProgress: $seen, waitSeconds: $wait) {
    status progress result error
  }
}"""


async def follow(client: httpx.AsyncClient, key: str, kind: str, payload: dict[str, Any]) -> list[dict[str, Any]]:
    """Asks like a worker does until the run ends; every answer, in order."""
    answers: list[dict[str, Any]] = []
    seen: float | None = None
    while True:
        variables = {"key": key, "kind": kind, "input": json.dumps(payload), "seen": seen, "wait": 10}
        _, body = await gql(client, RUN, variables, identity=SERVICE)
        assert "errors" not in body, body
        run = body["data"]["runAiJob"]
        answers.append(run)
        seen = run["progress"]
        if run["status"] != "RUNNING":
            return answers


def sample(services: Services, name: str, labels: dict[str, str]) -> float:
    return services.metrics.registry.get_sample_value(name, labels) or 0.0


def runs_of(services: Services, kind: str) -> float:
    return sample(services, "ai_job_runs_total", {"kind": kind})


async def test_a_job_is_checked_before_it_is_queued_by_services_only(client: httpx.AsyncClient) -> None:
    valid = {"kind": "EMBED_BATCH", "input": json.dumps({"texts": ["a", "b"]})}
    _, body = await gql(client, CHECK, valid, identity=SERVICE)
    assert body["data"] == {"checkAiJob": True}
    _, body = await gql(client, CHECK, valid, identity=USER)
    assert error_codes(body) == ["FORBIDDEN"]

    refusals = [
        ("EMBED_BATCH", {"texts": ["fine", "  "]}, "texts[1]"),
        ("EMBED_BATCH", {"texts": "not a list"}, "texts"),
        ("EMBED_BATCH", {"texts": ["a"], "extra": 1}, "extra"),
        ("GENERATE", {"prompts": ["hi"], "options": {"maxTokens": 5000}}, "options.maxTokens"),
        ("GENERATE", {"prompts": []}, "prompts"),
        ("TRAIN_EVERYTHING", {}, "kind"),
    ]
    for kind, payload, argument in refusals:
        _, body = await gql(client, CHECK, {"kind": kind, "input": json.dumps(payload)}, identity=SERVICE)
        assert error_codes(body) == ["BAD_USER_INPUT"], (kind, payload, body)
        assert body["errors"][0]["extensions"]["argument"] == argument


async def test_a_batch_embedding_reports_progress_and_runs_once_however_often_it_is_asked(
    client: httpx.AsyncClient, services: Services
) -> None:
    texts = [f"document number {i} about graph federation" for i in range(150)]
    texts.append(texts[3])
    before = runs_of(services, "EMBED_BATCH")

    # Two workers asking under one key at once (a re-delivery while the first still follows): one run.
    first, second = await asyncio.gather(
        follow(client, "task-1:1", "EMBED_BATCH", {"texts": texts}),
        follow(client, "task-1:1", "EMBED_BATCH", {"texts": texts}),
    )
    assert runs_of(services, "EMBED_BATCH") == before + 1
    assert first[-1] == second[-1]
    progress = [answer["progress"] for answer in first]
    assert progress == sorted(progress)
    assert progress[-1] == 1.0
    assert any(0 < share < 1 for share in progress), progress  # it moved in steps, not all at once

    result = json.loads(first[-1]["result"])
    assert (result["count"], result["distinct"], result["dimensions"]) == (151, 150, services.embeddings.dimensions)
    assert result["encoding"] == "base64-float32le"
    decoded = np.array([np.frombuffer(base64.b64decode(vector), dtype="<f4") for vector in result["vectors"]])
    assert np.array_equal(decoded[:2], await services.embeddings.embed(texts[:2]))
    assert result["vectors"][150] == result["vectors"][3]  # a duplicate shares its text's vector

    # Asked again after it ended (a worker restarted late): the stored outcome, no new run.
    again = await follow(client, "task-1:1", "EMBED_BATCH", {"texts": texts})
    assert again == [first[-1]]
    assert runs_of(services, "EMBED_BATCH") == before + 1
    # Another attempt of the same task is another run.
    await follow(client, "task-1:2", "EMBED_BATCH", {"texts": texts[:3]})
    assert runs_of(services, "EMBED_BATCH") == before + 2


class BrokenProvider(LlmProvider):
    name = "openai"
    model = "unreachable"

    def stream(self, request: GenerationRequest) -> AsyncIterator[StreamEvent]:
        raise ProviderError(self.name, "HTTP 503: overloaded")


async def test_generation_falls_back_to_the_local_model_when_the_configured_provider_fails(
    client: httpx.AsyncClient, services: Services
) -> None:
    services.generation.configured = BrokenProvider()
    prompts = ["Name one planet.", "Say hello."]
    answers = await follow(client, "task-2:1", "GENERATE", {"prompts": prompts, "options": {"maxTokens": 8}})
    assert answers[-1]["status"] == "SUCCEEDED", answers[-1]
    generations = json.loads(answers[-1]["result"])["generations"]
    assert [(g["provider"], g["fallback"]) for g in generations] == [("local", True), ("local", True)]
    assert all(g["text"].strip() for g in generations)
    assert sample(services, "ai_provider_errors_total", {"provider": "openai", "code": "PROVIDER_ERROR"}) >= 2


async def test_a_job_that_cannot_run_fails_with_the_reason(client: httpx.AsyncClient) -> None:
    # This test app follows no projects feed, so it cannot rebuild the index.
    answers = await follow(client, "task-3:1", "REINDEX_PROJECTS", {})
    assert answers[-1]["status"] == "FAILED"
    assert "does not follow the projects feed" in answers[-1]["error"]


FORECAST_VERSION = 'query { priceForecast(asset: "MSFT", horizon: 2) { modelVersion points { value } } }'


async def test_retraining_the_forecaster_swaps_the_served_model_and_leaves_its_cached_forecasts_behind(
    client: httpx.AsyncClient, services: Services
) -> None:
    _, body = await gql(client, CHECK, {"kind": "RETRAIN_FORECAST", "input": '{"backtest": "yes"}'}, identity=SERVICE)
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["extensions"]["argument"] == "backtest"

    _, before = await gql(client, FORECAST_VERSION, {}, identity=USER)
    old_version = before["data"]["priceForecast"]["modelVersion"]
    assert (await services.cache.get_many([f"forecast:{old_version}:MSFT:2"]))[0] is not None

    # Without the backtest (its figures only), to keep the test short; the training is the entry point's own.
    answers = await follow(client, "task-4:1", "RETRAIN_FORECAST", {"backtest": False})
    assert answers[-1]["status"] == "SUCCEEDED", answers[-1]
    progress = [a["progress"] for a in answers]
    assert progress == sorted(progress)
    assert progress[-1] == 1.0
    result = json.loads(answers[-1]["result"])
    assert result["previousVersion"] == old_version
    assert result["modelVersion"] != old_version
    assert "MSFT" in result["series"]

    # The next forecast comes from the new model, not from the old one's cached answer.
    _, after = await gql(client, FORECAST_VERSION, {}, identity=USER)
    assert after["data"]["priceForecast"]["modelVersion"] == result["modelVersion"]
    assert (await services.cache.get_many([f"forecast:{result['modelVersion']}:MSFT:2"]))[0] is not None

    # Once per key: asked again, the stored outcome answers and nothing is trained again.
    runs = runs_of(services, "RETRAIN_FORECAST")
    again = await follow(client, "task-4:1", "RETRAIN_FORECAST", {"backtest": False})
    assert again == [answers[-1]]
    assert runs_of(services, "RETRAIN_FORECAST") == runs
