"""`Project`, the projects subgraph's entity, extended with the projects most like it and its
description in another language (the router fetches the description from the projects subgraph for
us through `@requires`; this subgraph stores none).

Similar projects are PUBLIC ones only, never the project itself. A PRIVATE project's list is for its
owner, admins and the router; anyone else gets an empty list (the same as for a project not indexed
yet), so the field reveals nothing about projects the caller cannot see.
"""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from ..context import RequestContext, is_admin
from ..identity import ServiceIdentity, UserIdentity
from ..search.documents import IndexedProject, Visibility
from ..search.vector_index import Match
from ..validation import MAX_SEARCH_RESULTS, check_first
from .directives import NonRetryable
from .language import Translation, translate_text
from .permissions import SignedIn


# No description: the projects subgraph, which owns the type, describes it in the supergraph.
@strawberry.federation.type(keys=["id"])
class Project:
    id: strawberry.ID
    # Present only in representations for a field that @requires it; "" stands in elsewhere (never served).
    description: str = strawberry.federation.field(external=True, default="")

    @classmethod
    def resolve_reference(cls, info: Info[RequestContext, None], **representation: Any) -> Project:
        return cls(id=strawberry.ID(str(representation["id"])), description=representation.get("description", ""))

    @strawberry.federation.field(
        requires=["description"],
        permission_classes=[SignedIn],
        directives=[NonRetryable()],  # a model generation, like Query.translate
        description="The description translated into `language` (ISO 639-1) from the language it is written in, "
        "as Query.translate does. Null while the AI subgraph is unavailable.",
    )
    async def description_in(self, info: Info[RequestContext, None], language: str) -> Translation | None:
        return await translate_text(info, self.description, language, None, text_argument="description")

    @strawberry.field(
        permission_classes=[SignedIn],
        description=f"The PUBLIC projects most like this one (1 to {MAX_SEARCH_RESULTS}), best first. "
        "Empty for a project not indexed yet, and for a PRIVATE project unless you own it or are an admin. "
        "Null while the AI subgraph is unavailable.",
    )
    # Optional so that an outage of this subgraph nulls this field alone, never the project around it.
    async def similar_projects(self, info: Info[RequestContext, None], first: int = 5) -> list[ProjectMatch] | None:
        check_first(first)
        project = info.context.services.project_index.search.get(str(self.id))
        if project is None or not may_see(project, info):
            return []
        matches = await info.context.loaders.similar_projects.load((str(self.id), first))
        return ProjectMatch.from_matches(matches)


@strawberry.type(description="A project found by meaning, with how close it is.")
class ProjectMatch:
    project: Project
    score: float = strawberry.field(description="Cosine similarity of the embeddings, -1 to 1")

    @classmethod
    def from_matches(cls, matches: list[Match]) -> list[ProjectMatch]:
        return [cls(project=Project(id=strawberry.ID(m.project.id)), score=round(m.score, 6)) for m in matches]


def may_see(project: IndexedProject, info: Info[RequestContext, None]) -> bool:
    identity = info.context.identity
    if project.visibility is Visibility.PUBLIC or isinstance(identity, ServiceIdentity) or is_admin(identity):
        return True
    return isinstance(identity, UserIdentity) and identity.user_id == project.owner_id
