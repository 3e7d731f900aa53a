"""What each kind of AI job does, in three steps: preprocessing (check and normalise the input, before
anything is queued), dispatch (the work, in chunks, reporting progress between them) and aggregation
(one result for the whole job).

The projects subgraph asks `prepare` at submit time (checkAiJob), so a bad job is refused before it is
queued, and again when the job runs: the limits live here only.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import BadUserInput
from ..inference.llm.base import GenerationRequest
from ..validation import MAX_TEXT_CHARS, check_generation, check_texts

if TYPE_CHECKING:
    from ..forecasting.forecaster import LoadedModel
    from ..services import Services

# A job's result is stored with its task (a row in the projects database): 1,000 vectors are about 2 MB.
MAX_BATCH_TEXTS = 1_000
MAX_BATCH_PROMPTS = 16
VECTOR_ENCODING = "base64-float32le"
# Texts per model call: small enough that progress moves often, large enough to keep batching's gain.
EMBED_CHUNK = 64

Progress = Callable[[float], None]
Result = dict[str, Any]


@dataclass(frozen=True)
class PreparedJob:
    kind: str
    execute: Callable[[Services, Progress], Awaitable[Result]]


def prepare(kind: str, input_json: str) -> PreparedJob:
    """The job, checked; raises BadUserInput naming the argument (`kind`, or a path inside the input)."""
    try:
        payload = json.loads(input_json)
    except json.JSONDecodeError:
        raise BadUserInput("input must be a JSON object", "input") from None
    if not isinstance(payload, dict):
        raise BadUserInput("input must be a JSON object", "input")
    match kind:
        case "EMBED_BATCH":
            return _embed_batch(payload)
        case "GENERATE":
            return _generate(payload)
        case "REINDEX_PROJECTS":
            _only_keys(payload, set())
            return PreparedJob(kind, _reindex_projects)
        case "RETRAIN_FORECAST":
            return _retrain_forecast(payload)
    raise BadUserInput(f"unknown AI job kind {kind!r}", "kind")


def _only_keys(payload: Mapping[str, Any], allowed: set[str]) -> None:
    for key in payload:
        if key not in allowed:
            raise BadUserInput(f"unknown input {key!r} (allowed: {', '.join(sorted(allowed)) or 'none'})", key)


def _strings(payload: Mapping[str, Any], key: str) -> list[str]:
    value = payload.get(key)
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise BadUserInput(f"{key} must be a list of strings", key)
    return value


def _embed_batch(payload: Mapping[str, Any]) -> PreparedJob:
    _only_keys(payload, {"texts"})
    texts = check_texts(_strings(payload, "texts"), "texts", MAX_BATCH_TEXTS, MAX_TEXT_CHARS)

    async def execute(services: Services, progress: Progress) -> Result:
        # Each distinct text is embedded once; duplicates share its vector in the result.
        distinct = list(dict.fromkeys(texts))
        vectors: dict[str, str] = {}
        for start in range(0, len(distinct), EMBED_CHUNK):
            chunk = distinct[start : start + EMBED_CHUNK]
            rows = await services.embeddings.embed(chunk)
            for text, row in zip(chunk, rows, strict=True):
                vectors[text] = base64.b64encode(row.astype("<f4").tobytes()).decode()
            progress((start + len(chunk)) / len(distinct))
        return {
            "model": services.embeddings.model_id,
            "dimensions": services.embeddings.dimensions,
            "count": len(texts),
            "distinct": len(distinct),
            # As OpenAI's `encoding_format: base64`: a third of the size of JSON numbers, and exact.
            "encoding": VECTOR_ENCODING,
            "vectors": [vectors[text] for text in texts],
        }

    return PreparedJob("EMBED_BATCH", execute)


def _generate(payload: Mapping[str, Any]) -> PreparedJob:
    _only_keys(payload, {"prompts", "options"})
    prompts = _strings(payload, "prompts")
    if not 1 <= len(prompts) <= MAX_BATCH_PROMPTS:
        raise BadUserInput(f"prompts must hold 1 to {MAX_BATCH_PROMPTS} prompts", "prompts")
    options = payload.get("options") or {}
    if not isinstance(options, dict):
        raise BadUserInput("options must be an object", "options")
    _only_keys(options, {"maxTokens", "temperature", "topP", "system", "stop"})
    try:
        requests = [
            GenerationRequest(
                prompt=prompt,
                params=check_generation(
                    prompt,
                    max_tokens=options.get("maxTokens"),
                    temperature=options.get("temperature"),
                    top_p=options.get("topP"),
                    system=options.get("system"),
                    stop=options.get("stop"),
                ),
            )
            for prompt in prompts
        ]
    except TypeError:
        raise BadUserInput("options hold a value of the wrong type", "options") from None

    async def execute(services: Services, progress: Progress) -> Result:
        generations = []
        for done, request in enumerate(requests, start=1):
            generations.append(await _complete_with_fallback(services, request))
            progress(done / len(requests))
        return {"generations": generations}

    return PreparedJob("GENERATE", execute)


async def _complete_with_fallback(services: Services, request: GenerationRequest) -> Result:
    """The first provider that answers: the configured one, then the local model (a job has no caller
    waiting on a deadline, so it may take the slower path rather than fail)."""
    answer = await services.generation.complete(request)
    provider, completion = answer.provider, answer.completion
    services.metrics.generation_tokens.labels(provider.name, provider.model).inc(completion.completion_tokens or 0)
    return {
        "text": completion.text,
        "provider": provider.name,
        "model": provider.model,
        "finishReason": completion.finish_reason.value,
        "fallback": answer.fallback,
    }


async def _reindex_projects(services: Services, progress: Progress) -> Result:
    result = await services.project_index.reindex()
    progress(1.0)
    return {"indexed": result.indexed, "removed": result.removed, "pages": result.pages}


def _retrain_forecast(payload: Mapping[str, Any]) -> PreparedJob:
    _only_keys(payload, {"backtest"})
    with_backtest = payload.get("backtest", True)
    if not isinstance(with_backtest, bool):
        raise BadUserInput("backtest must be true or false", "backtest")

    async def execute(services: Services, progress: Progress) -> Result:
        from ..forecasting.model import ARTIFACT
        from ..models.registry import save_artifact
        from ..training.train import chain_activity, train_forecast

        loop = asyncio.get_running_loop()
        previous = await asyncio.to_thread(services.forecaster.store.current)

        def report(share: float) -> None:
            # Heard on the training thread; the run's state belongs to the event loop.
            loop.call_soon_threadsafe(progress, 0.95 * share)

        def retrain() -> LoadedModel:
            # The training entry point's own function, on a worker thread: the subgraph serves meanwhile.
            model, metadata = train_forecast(
                chain_activity(services.settings),
                with_backtest=with_backtest,
                progress=report,
            )
            save_artifact(services.settings.models_dir, ARTIFACT, model, metadata)
            # Served from here on: forecasts are cached under the model's version, so old ones are never served again.
            return services.forecaster.store.current(reload=True)

        loaded = await asyncio.to_thread(retrain)
        return {
            "modelVersion": loaded.version,
            "previousVersion": previous.version,
            "series": sorted(loaded.metadata["series"]),
            "metrics": loaded.metadata["metrics"],
        }

    return PreparedJob("RETRAIN_FORECAST", execute)
