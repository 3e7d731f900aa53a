"""detectLanguage, translate and Project.descriptionIn: lingua's shipped models, the provider routes, the fallback."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from lingua import Language

from supergraph_ai.app import create_app
from supergraph_ai.cache import InMemoryCache
from supergraph_ai.config import Settings
from supergraph_ai.errors import CodedError, ProviderError
from supergraph_ai.inference.embedder import SentenceEmbedder
from supergraph_ai.inference.llm.base import Finished, FinishReason, GenerationRequest, LlmProvider, StreamEvent
from supergraph_ai.inference.llm.fallback import ProviderFallback
from supergraph_ai.inference.llm.local_provider import LocalLlamaProvider
from supergraph_ai.language.translator import Translator
from supergraph_ai.metrics import Metrics
from supergraph_ai.models.fraud import FraudScorer
from supergraph_ai.models.lead_scoring import LeadScorer
from supergraph_ai.services import Services

from .graphql_client import error_codes, gql
from .helpers import ANONYMOUS, USER, ScriptedProvider, make_services

DETECT = """query ($text: String!) {
  detectLanguage(text: $text) { language { code name confidence } alternatives { code confidence } model }
}"""
TRANSLATE = """query ($text: String!, $to: String!, $from: String) {
  translate(text: $text, to: $to, from: $from) { text from to provider model }
}"""


class FailingProvider(LlmProvider):
    name = "failing"
    model = "failing-1"

    def __init__(self) -> None:
        self.calls = 0

    async def stream(self, request: GenerationRequest) -> AsyncIterator[StreamEvent]:
        self.calls += 1
        if self.calls > 0:  # always: the yield below makes this an async generator, like every provider
            raise ProviderError(self.name, "HTTP 503: overloaded")
        yield Finished(FinishReason.OTHER)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Le projet garde chaque version de ses fichiers, on peut donc revenir en arrière.", "fr"),
        ("Das Projekt speichert jede Version seiner Dateien.", "de"),
        ("Проект хранит каждую версию своих файлов.", "ru"),
        ("このプロジェクトはファイルのすべての版を保存します。", "ja"),
        ("El proyecto guarda cada versión de sus archivos.", "es"),
    ],
)
async def test_detects_the_language_with_alternatives(client: httpx.AsyncClient, text: str, code: str) -> None:
    _, body = await gql(client, DETECT, {"text": text}, identity=USER)
    detection = body["data"]["detectLanguage"]
    assert detection["language"]["code"] == code
    assert 0.5 < detection["language"]["confidence"] <= 1
    confidences = [detection["language"]["confidence"]] + [a["confidence"] for a in detection["alternatives"]]
    assert confidences == sorted(confidences, reverse=True)
    assert code not in [a["code"] for a in detection["alternatives"]]
    assert detection["model"] == "lingua-low-accuracy"


async def test_a_text_in_no_language_has_none(client: httpx.AsyncClient) -> None:
    _, body = await gql(client, DETECT, {"text": "12345 67890"}, identity=USER)
    assert body["data"]["detectLanguage"]["language"] is None
    _, body = await gql(client, DETECT, {"text": "Bonjour"}, identity=ANONYMOUS)
    assert error_codes(body) == ["UNAUTHENTICATED"]


async def test_translates_through_the_configured_provider_from_the_detected_language(
    client: httpx.AsyncClient, provider: ScriptedProvider
) -> None:
    text = "Le projet garde chaque version de ses fichiers."
    _, body = await gql(client, TRANSLATE, {"text": text, "to": "EN"}, identity=USER)
    assert body["data"]["translate"] == {
        "text": provider.reply,
        "from": "fr",
        "to": "en",
        "provider": "scripted",
        "model": "scripted-1",
    }
    [request] = provider.requests
    assert request.prompt == text

    # Asked again, the translation comes from the cache: the provider is not asked twice.
    _, again = await gql(client, TRANSLATE, {"text": text, "to": "en"}, identity=USER)
    assert again["data"]["translate"] == body["data"]["translate"]
    assert len(provider.requests) == 1
    assert request.params.system is not None
    assert "from French to English" in request.params.system
    assert request.params.temperature == 0.0


async def test_the_same_language_is_returned_as_is(client: httpx.AsyncClient, provider: ScriptedProvider) -> None:
    _, body = await gql(client, TRANSLATE, {"text": "Hello there", "to": "en", "from": "en"}, identity=USER)
    assert body["data"]["translate"]["text"] == "Hello there"
    assert body["data"]["translate"]["provider"] == "identity"
    assert provider.requests == []


async def test_languages_are_iso_codes(client: httpx.AsyncClient) -> None:
    _, body = await gql(client, TRANSLATE, {"text": "Hello", "to": "klingon"}, identity=USER)
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["extensions"]["argument"] == "to"
    _, body = await gql(client, TRANSLATE, {"text": "12345", "to": "fr"}, identity=USER)
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["extensions"]["argument"] == "from"


@pytest.fixture
async def local_only_client(
    settings: Settings, embedder: SentenceEmbedder, lead_scorer: LeadScorer, fraud_scorer: FraudScorer, tmp_path: Path
) -> AsyncIterator[httpx.AsyncClient]:
    # A local model that cannot load: the pair is refused before any model would be asked.
    local = LocalLlamaProvider(model_path=tmp_path / "absent.gguf", threads=1, context_tokens=256)
    services = make_services(settings, embedder=embedder, lead=lead_scorer, fraud=fraud_scorer, llm=local)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(settings, services)), base_url="http://ai"
    ) as http:
        yield http
    await services.embeddings.aclose()


async def test_a_pair_no_provider_serves_is_refused_with_its_own_code(local_only_client: httpx.AsyncClient) -> None:
    _, body = await gql(local_only_client, TRANSLATE, {"text": "Good morning", "to": "ja", "from": "en"}, identity=USER)
    assert error_codes(body) == ["LANGUAGE_PAIR_UNSUPPORTED"]
    assert body["errors"][0]["extensions"] == {
        "code": "LANGUAGE_PAIR_UNSUPPORTED",
        "from": "en",
        "to": "ja",
        "providers": ["local"],
    }


async def test_a_failing_provider_falls_back_to_the_next_route_that_serves_the_pair() -> None:
    failing, fallback, metrics = FailingProvider(), ScriptedProvider("Bonjour"), Metrics()
    providers = ProviderFallback(failing, fallback, metrics, owns_local=False)
    translator = Translator(providers, metrics, 5.0, InMemoryCache())
    result = await translator.translate("Good morning", Language.ENGLISH, Language.FRENCH)
    assert (result.text, result.provider) == ("Bonjour", "scripted")
    assert failing.calls == 1
    assert metrics.provider_errors.labels("failing", "PROVIDER_ERROR")._value.get() == 1  # noqa: SLF001

    # Japanese is beyond the fallback: the hosted provider's own failure is the answer.
    with pytest.raises(CodedError) as raised:
        await translator.translate("Good morning", Language.ENGLISH, Language.JAPANESE)
    assert (raised.value.extensions or {})["code"] == "PROVIDER_ERROR"
    assert fallback.requests[-1].prompt == "Good morning"
    assert len(fallback.requests) == 1


DESCRIPTION_IN = """
query ($representations: [_Any!]!) {
  _entities(representations: $representations) { ... on Project { id descriptionIn(language: "en") { text from to } } }
}
"""


async def test_a_project_description_is_translated_from_its_representation(
    client: httpx.AsyncClient, provider: ScriptedProvider
) -> None:
    representation = {"__typename": "Project", "id": "p-1", "description": "Des recettes de pain au levain, pas à pas."}
    _, body = await gql(client, DESCRIPTION_IN, {"representations": [representation]}, identity=USER)
    assert body["data"]["_entities"] == [
        {"id": "p-1", "descriptionIn": {"text": provider.reply, "from": "fr", "to": "en"}}
    ]
    assert provider.requests[0].prompt == representation["description"]


async def test_the_detectors_accuracy_on_the_shipped_sample_is_a_gauge(services: Services) -> None:
    gauges = [line for line in services.metrics.render().decode().splitlines() if line.startswith("ai_model_quality{")]
    [overall] = [g for g in gauges if 'evaluation="labelled_sample"' in g and 'model="lingua-low-accuracy"' in g]
    assert 0.85 < float(overall.split()[-1]) <= 1
