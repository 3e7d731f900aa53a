"""Semantic search over the indexed projects, and the admins' reindex.

A signed-in user searches the PUBLIC projects and their own; admins and the router search all.
"""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from ..context import RequestContext, is_admin
from ..identity import ServiceIdentity, UserIdentity
from ..search.documents import EVERYTHING, Scope
from ..validation import MAX_QUERY_CHARS, MAX_SEARCH_RESULTS, check_first, check_text
from .permissions import AdminOnly, SignedIn
from .project import ProjectMatch


@strawberry.type(description="What a rebuild of the project index did.")
class ReindexResult:
    indexed: int = strawberry.field(description="Projects embedded into the fresh index")
    removed: int = strawberry.field(description="Projects the feed reported gone")
    pages: int = strawberry.field(description="Feed pages read")


@strawberry.type
class SearchQueries:
    @strawberry.field(
        permission_classes=[SignedIn],
        description=f"Projects ranked by meaning against the query (at most {MAX_QUERY_CHARS} characters): "
        f"the best `first` (1 to {MAX_SEARCH_RESULTS}) of the PUBLIC projects and your own.",
    )
    async def semantic_search(
        self, info: Info[RequestContext, None], query: str, first: int = 5
    ) -> list[ProjectMatch] | None:
        check_text(query, "query", MAX_QUERY_CHARS)
        check_first(first)
        services = info.context.services
        vectors = await services.embeddings.embed([query])
        matches = services.project_index.search.search("semantic_search", vectors, first, caller_scope(info))[0]
        return ProjectMatch.from_matches(matches)


@strawberry.type
class SearchMutations:
    @strawberry.mutation(
        permission_classes=[AdminOnly],
        description="Admins only: rebuilds the project index from the start of the projects feed into a fresh "
        "index and swaps it in when complete (searches keep answering meanwhile).",
    )
    async def reindex_projects(self, info: Info[RequestContext, None]) -> ReindexResult:
        result = await info.context.services.project_index.reindex()
        return ReindexResult(indexed=result.indexed, removed=result.removed, pages=result.pages)


def caller_scope(info: Info[RequestContext, None]) -> Scope:
    identity = info.context.identity
    if isinstance(identity, ServiceIdentity) or is_admin(identity):
        return EVERYTHING
    return Scope(owner_id=identity.user_id if isinstance(identity, UserIdentity) else None)
