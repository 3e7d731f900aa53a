"""The OpenAI-compatible and Anthropic providers, driven through their official SDKs against a local
server that speaks their streaming APIs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from supergraph_ai.config import ConfigError, LlmProviderName, Settings
from supergraph_ai.errors import ProviderError
from supergraph_ai.inference.llm.anthropic_provider import AnthropicProvider
from supergraph_ai.inference.llm.base import Finished, FinishReason, GenerationRequest, LlmProvider, TextDelta
from supergraph_ai.inference.llm.factory import create_provider
from supergraph_ai.inference.llm.local_provider import LocalLlamaProvider
from supergraph_ai.inference.llm.openai_provider import OpenAIProvider
from supergraph_ai.validation import GenerationParams

from .fake_llm_servers import REPLY, Recorded, create_fake_llm_app
from .helpers import serve


@pytest.fixture(scope="module")
def fake_server() -> Iterator[tuple[str, Recorded]]:
    recorded = Recorded()
    with serve(create_fake_llm_app(recorded)) as url:
        yield url, recorded


@pytest.fixture
def recorded(fake_server: tuple[str, Recorded]) -> Recorded:
    fake_server[1].requests.clear()
    fake_server[1].headers.clear()
    return fake_server[1]


def providers(url: str) -> dict[str, LlmProvider]:
    return {
        "openai": OpenAIProvider(model="gpt-test", api_key="sk-test", base_url=f"{url}/v1", timeout=10),
        "anthropic": AnthropicProvider(model="claude-test", api_key="ak-test", base_url=url, timeout=10),
    }


REQUEST = GenerationRequest(
    prompt="What is a supergraph?",
    params=GenerationParams(max_tokens=100, temperature=0.3, top_p=1.0, system="Answer briefly.", stop=("END",)),
)


@pytest.mark.parametrize("name", ["openai", "anthropic"])
async def test_streams_deltas_then_finish(fake_server: tuple[str, Recorded], recorded: Recorded, name: str) -> None:
    provider = providers(fake_server[0])[name]
    events = [event async for event in provider.stream(REQUEST)]
    await provider.aclose()
    assert [e.text for e in events if isinstance(e, TextDelta)] == REPLY
    finished = events[-1]
    assert isinstance(finished, Finished)
    assert finished.reason is FinishReason.STOP
    assert finished.completion_tokens == len(REPLY)
    assert finished.prompt_tokens == (11 if name == "openai" else 13)


async def test_openai_request_shape(fake_server: tuple[str, Recorded], recorded: Recorded) -> None:
    provider = providers(fake_server[0])["openai"]
    await provider.complete(REQUEST)
    body, headers = recorded.requests[0], recorded.headers[0]
    assert headers["authorization"] == "Bearer sk-test"
    assert body["model"] == "gpt-test"
    assert body["messages"] == [
        {"role": "system", "content": "Answer briefly."},
        {"role": "user", "content": "What is a supergraph?"},
    ]
    assert (body["max_tokens"], body["temperature"], body["top_p"], body["stop"]) == (100, 0.3, 1.0, ["END"])
    assert body["stream_options"] == {"include_usage": True}


async def test_anthropic_request_shape(fake_server: tuple[str, Recorded], recorded: Recorded) -> None:
    provider = providers(fake_server[0])["anthropic"]
    await provider.complete(REQUEST)
    body, headers = recorded.requests[0], recorded.headers[0]
    # The key travels as x-api-key or as a bearer token, depending on the SDK release.
    assert "ak-test" in (headers.get("x-api-key"), headers.get("authorization", "").removeprefix("Bearer "))
    assert "anthropic-version" in headers
    assert body["model"] == "claude-test"
    assert body["max_tokens"] == 100
    assert body["system"] == "Answer briefly."
    assert body["messages"] == [{"role": "user", "content": "What is a supergraph?"}]
    assert body["stop_sequences"] == ["END"]
    assert "temperature" not in body
    assert "top_p" not in body


@pytest.mark.parametrize("name", ["openai", "anthropic"])
async def test_complete_folds_the_stream_and_reports_length(fake_server: tuple[str, Recorded], name: str) -> None:
    provider = providers(fake_server[0])[name]
    short = GenerationRequest(prompt="hi", params=GenerationParams(max_tokens=2))
    completion = await provider.complete(short)
    await provider.aclose()
    assert completion.text == "Subgraphs "
    assert completion.finish_reason is FinishReason.LENGTH
    assert completion.completion_tokens == 2


@pytest.mark.parametrize("name", ["openai", "anthropic"])
async def test_provider_errors_are_coded(fake_server: tuple[str, Recorded], name: str) -> None:
    provider = providers(fake_server[0])[name]
    with pytest.raises(ProviderError) as raised:
        await provider.complete(GenerationRequest(prompt="please FAIL", params=GenerationParams()))
    await provider.aclose()
    assert raised.value.extensions == {"code": "PROVIDER_ERROR", "provider": name}
    assert raised.value.message == f"{name} provider failed: HTTP 400: prompt rejected"


async def test_unreachable_provider_is_a_provider_error() -> None:
    provider = OpenAIProvider(model="m", api_key="k", base_url="http://127.0.0.1:9/v1", timeout=2)
    provider._client = provider._client.with_options(max_retries=0)  # noqa: SLF001 — keep the test fast
    with pytest.raises(ProviderError, match="APIConnectionError"):
        await provider.complete(REQUEST)
    await provider.aclose()


def test_factory_follows_configuration(fake_server: tuple[str, Recorded]) -> None:
    base = Settings(signing_secret="s")
    assert isinstance(create_provider(base), LocalLlamaProvider)
    openai_settings = Settings(llm_provider=LlmProviderName.OPENAI, openai_base_url="http://x/v1", openai_model="m1")
    assert isinstance(create_provider(openai_settings), OpenAIProvider)
    assert create_provider(openai_settings).model == "m1"
    anthropic_settings = Settings(llm_provider=LlmProviderName.ANTHROPIC, anthropic_api_key="k")
    assert isinstance(create_provider(anthropic_settings), AnthropicProvider)
    with pytest.raises(ConfigError, match="OPENAI_API_KEY"):
        create_provider(Settings(llm_provider=LlmProviderName.OPENAI))
    with pytest.raises(ConfigError, match="ANTHROPIC_API_KEY"):
        create_provider(Settings(llm_provider=LlmProviderName.ANTHROPIC))
