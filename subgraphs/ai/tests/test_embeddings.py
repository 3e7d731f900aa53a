from __future__ import annotations

import asyncio

import httpx
import numpy as np
import pytest

from supergraph_ai.inference.embedder import SentenceEmbedder
from supergraph_ai.services import Services

from .graphql_client import error_codes, gql
from .helpers import CountingEmbedder

EMBED = "query ($texts: [String!]!) { embed(texts: $texts) { model dimensions vectors } }"
RANK = """query ($q: String!, $docs: [String!]!, $first: Int!) {
  rankDocuments(query: $q, documents: $docs, first: $first) { index document score } }"""


def test_the_real_model_captures_meaning(embedder: SentenceEmbedder) -> None:
    vectors = embedder.embed(
        [
            "A cat sits on the mat",
            "A kitten is resting on a rug",
            "Quarterly revenue grew by twelve percent",
            "The company's sales rose this quarter",
        ]
    )
    assert vectors.shape == (4, 384)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    similarity = vectors @ vectors.T
    assert similarity[0, 1] > 0.5
    assert similarity[2, 3] > 0.5
    assert similarity[0, 2] < 0.2
    assert similarity[1, 3] < 0.2


def test_vectors_do_not_depend_on_batch_company(embedder: SentenceEmbedder) -> None:
    alone = embedder.embed(["short"])[0]
    padded = embedder.embed(["short", "a much longer sentence that forces padding of the short one"])[0]
    np.testing.assert_allclose(alone, padded, atol=1e-4)


async def test_embed_query(client: httpx.AsyncClient) -> None:
    status, body = await gql(client, EMBED, {"texts": ["hello world", "graph federation"]})
    assert status == 200, body
    assert "errors" not in body, body
    result = body["data"]["embed"]
    assert result["model"] == "all-MiniLM-L6-v2-onnx-int8"
    assert result["dimensions"] == 384
    assert [len(v) for v in result["vectors"]] == [384, 384]


async def test_concurrent_requests_share_model_calls(
    client: httpx.AsyncClient, counting_embedder: CountingEmbedder
) -> None:
    texts = [f"request number {i} about topic {i % 7}" for i in range(24)]
    results = await asyncio.gather(*(gql(client, EMBED, {"texts": [t]}) for t in texts))
    assert all(status == 200 and "errors" not in body for status, body in results)
    assert sum(counting_embedder.calls) == 24
    assert len(counting_embedder.calls) < 24 / 2, counting_embedder.calls  # batched, not one call per request
    # Each caller got its own text's vector back, not a neighbour's.
    direct = counting_embedder.inner.embed(texts)
    for (_, body), expected in zip(results, direct, strict=True):
        np.testing.assert_allclose(body["data"]["embed"]["vectors"][0], expected, atol=1e-4)


async def test_repeated_texts_come_from_the_cache(
    client: httpx.AsyncClient, counting_embedder: CountingEmbedder, services: Services
) -> None:
    await gql(client, EMBED, {"texts": ["cache me", "cache me", "and me"]})
    assert counting_embedder.calls == [2]  # duplicates inside one request are embedded once
    await gql(client, EMBED, {"texts": ["cache me", "and me"]})
    assert counting_embedder.calls == [2]
    rendered = services.metrics.render().decode()
    assert 'ai_embedding_cache_lookups_total{result="hit"} 2.0' in rendered


async def test_rank_documents_ranks_by_meaning(client: httpx.AsyncClient) -> None:
    docs = [
        "How to bake sourdough bread at home",
        "Composing GraphQL subgraphs into a supergraph with Apollo Federation",
        "Training a puppy to sit",
        "Schema stitching and federated GraphQL gateways",
    ]
    status, body = await gql(client, RANK, {"q": "GraphQL federation gateway", "docs": docs, "first": 2})
    assert status == 200, body
    assert "errors" not in body, body
    hits = body["data"]["rankDocuments"]
    assert {h["index"] for h in hits} == {1, 3}
    assert hits[0]["score"] >= hits[1]["score"]
    assert hits[0]["document"] == docs[hits[0]["index"]]


@pytest.mark.parametrize(
    ("variables", "argument"),
    [
        ({"texts": []}, "texts"),
        ({"texts": ["ok", "   "]}, "texts[1]"),
        ({"texts": ["x" * 4001]}, "texts[0]"),
        ({"texts": ["t"] * 129}, "texts"),
    ],
)
async def test_embed_input_limits(client: httpx.AsyncClient, variables: dict[str, object], argument: str) -> None:
    status, body = await gql(client, EMBED, variables)
    assert status == 200
    assert body["data"] == {"embed": None}
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["extensions"]["argument"] == argument


@pytest.mark.parametrize(
    ("variables", "argument"),
    [
        ({"q": "q", "docs": ["d"], "first": 0}, "first"),
        ({"q": "q", "docs": ["d"], "first": 51}, "first"),
        ({"q": "", "docs": ["d"], "first": 1}, "query"),
        ({"q": "q", "docs": ["d"] * 201, "first": 1}, "documents"),
    ],
)
async def test_search_input_limits(client: httpx.AsyncClient, variables: dict[str, object], argument: str) -> None:
    _, body = await gql(client, RANK, variables)
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["extensions"]["argument"] == argument
