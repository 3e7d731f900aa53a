"""A local HTTP server that speaks the streaming wire formats of OpenAI's chat completions and
Anthropic's Messages API (server-sent events), so the providers are tested through the official SDKs
exactly as they talk to the real services, with no network."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

REPLY = ["Sub", "graphs ", "compose", " into ", "one ", "graph."]


@dataclass
class Recorded:
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)


def _sse(events: list[tuple[str | None, dict[str, Any] | str]]) -> AsyncIterator[bytes]:
    async def stream() -> AsyncIterator[bytes]:
        for name, data in events:
            body = data if isinstance(data, str) else json.dumps(data)
            yield (f"event: {name}\n" if name else "").encode() + f"data: {body}\n\n".encode()

    return stream()


def _reply_for(body: dict[str, Any], max_tokens: int) -> tuple[list[str], bool]:
    """The scripted reply, cut at max_tokens; True when cut (a LENGTH finish)."""
    return REPLY[:max_tokens], len(REPLY) > max_tokens


def create_fake_llm_app(recorded: Recorded) -> Starlette:
    async def openai_chat(request: Request) -> Response:
        body = await request.json()
        recorded.requests.append(body)
        recorded.headers.append(dict(request.headers))
        if "FAIL" in json.dumps(body["messages"]):
            return JSONResponse({"error": {"message": "prompt rejected", "type": "invalid_request_error"}}, 400)
        assert body["stream"] is True
        parts, cut = _reply_for(body, body.get("max_tokens") or 1000)
        base = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": body["model"]}
        events: list[tuple[str | None, dict[str, Any] | str]] = [
            (
                None,
                {
                    **base,
                    "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}],
                },
            )
        ]
        events += [
            (None, {**base, "choices": [{"index": 0, "delta": {"content": p}, "finish_reason": None}]}) for p in parts
        ]
        events.append(
            (None, {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "length" if cut else "stop"}]})
        )
        if body.get("stream_options", {}).get("include_usage"):
            usage = {"prompt_tokens": 11, "completion_tokens": len(parts), "total_tokens": 11 + len(parts)}
            events.append((None, {**base, "choices": [], "usage": usage}))
        events.append((None, "[DONE]"))
        return StreamingResponse(_sse(events), media_type="text/event-stream")

    async def anthropic_messages(request: Request) -> Response:
        body = await request.json()
        recorded.requests.append(body)
        recorded.headers.append(dict(request.headers))
        if "FAIL" in json.dumps(body["messages"]):
            error = {"type": "error", "error": {"type": "invalid_request_error", "message": "prompt rejected"}}
            return JSONResponse(error, 400)
        assert body["stream"] is True
        parts, cut = _reply_for(body, body["max_tokens"])
        message = {
            "id": "msg_1",
            "type": "message",
            "role": "assistant",
            "content": [],
            "model": body["model"],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": {"input_tokens": 13, "output_tokens": 1},
        }
        events: list[tuple[str | None, dict[str, Any] | str]] = [
            ("message_start", {"type": "message_start", "message": message}),
            (
                "content_block_start",
                {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
            ),
            ("ping", {"type": "ping"}),
        ]
        events += [
            (
                "content_block_delta",
                {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": p}},
            )
            for p in parts
        ]
        events += [
            ("content_block_stop", {"type": "content_block_stop", "index": 0}),
            (
                "message_delta",
                {
                    "type": "message_delta",
                    "delta": {"stop_reason": "max_tokens" if cut else "end_turn", "stop_sequence": None},
                    "usage": {"output_tokens": len(parts)},
                },
            ),
            ("message_stop", {"type": "message_stop"}),
        ]
        return StreamingResponse(_sse(events), media_type="text/event-stream")

    return Starlette(
        routes=[
            Route("/v1/chat/completions", openai_chat, methods=["POST"]),
            Route("/v1/messages", anthropic_messages, methods=["POST"]),
        ]
    )
