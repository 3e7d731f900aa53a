"""Sentence embeddings, and ranking of caller-supplied documents (search over the indexed projects is
`semanticSearch`, in search.py)."""

from __future__ import annotations

import numpy as np
import strawberry
from strawberry.types import Info

from ..context import RequestContext
from ..validation import (
    MAX_EMBED_TEXTS,
    MAX_QUERY_CHARS,
    MAX_SEARCH_DOCUMENTS,
    MAX_SEARCH_RESULTS,
    MAX_TEXT_CHARS,
    check_first,
    check_text,
    check_texts,
)
from .permissions import SignedIn


@strawberry.type(description="Unit-length embeddings: the dot product of two is their cosine similarity.")
class EmbeddingResult:
    model: str
    dimensions: int
    vectors: list[list[float]] = strawberry.field(description="One vector per input text, in input order")


@strawberry.type
class SearchHit:
    index: int = strawberry.field(description="Position of the document in the `documents` argument")
    document: str
    score: float = strawberry.field(description="Cosine similarity to the query, -1 to 1")


@strawberry.type
class EmbeddingQueries:
    @strawberry.field(
        permission_classes=[SignedIn],
        description=f"Embeds 1 to {MAX_EMBED_TEXTS} texts of at most {MAX_TEXT_CHARS} characters "
        "(longer texts are truncated at 256 tokens by the model). Concurrent calls share model batches.",
    )
    async def embed(self, info: Info[RequestContext, None], texts: list[str]) -> EmbeddingResult | None:
        check_texts(texts, "texts", MAX_EMBED_TEXTS, MAX_TEXT_CHARS)
        service = info.context.services.embeddings
        vectors = await service.embed(texts)
        return EmbeddingResult(
            model=service.model_id,
            dimensions=service.dimensions,
            vectors=[[round(float(x), 6) for x in row] for row in vectors],
        )

    @strawberry.field(
        permission_classes=[SignedIn],
        description=f"Ranks up to {MAX_SEARCH_DOCUMENTS} documents by meaning against the query "
        f"(at most {MAX_QUERY_CHARS} characters) and returns the best `first` (1 to {MAX_SEARCH_RESULTS}).",
    )
    async def rank_documents(
        self, info: Info[RequestContext, None], query: str, documents: list[str], first: int = 5
    ) -> list[SearchHit] | None:
        check_text(query, "query", MAX_QUERY_CHARS)
        check_texts(documents, "documents", MAX_SEARCH_DOCUMENTS, MAX_TEXT_CHARS)
        check_first(first)
        vectors = await info.context.services.embeddings.embed([query, *documents])
        scores = vectors[1:] @ vectors[0]
        best = np.argsort(-scores, kind="stable")[:first]
        return [SearchHit(index=int(i), document=documents[i], score=round(float(scores[i]), 6)) for i in best]
