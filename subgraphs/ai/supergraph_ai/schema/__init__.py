"""The subgraph's schema: one module per entity or capability, merged here."""

from __future__ import annotations

import logging

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from .analytics import AnalyticsQueries
from .common import DATETIME_ISO_SCALAR, DateTimeISO
from .embeddings import EmbeddingQueries
from .forecasting import ForecastingQueries
from .generation import GenerationQueries, GenerationSubscriptions
from .jobs import JobMutations, JobQueries
from .language import LanguageQueries
from .payment import Payment
from .project import Project
from .search import SearchMutations, SearchQueries
from .user import User


# Every Query field is optional (`X | None`, lists as [X!]): a non-null root field that fails nulls the
# whole `data` of an operation that also asks other subgraphs, so an outage of this one must null only its
# own root fields (each with SUBGRAPH_UNAVAILABLE). Mutation and Subscription fields stay non-null: a
# mutation's result is its answer.
@strawberry.type
class Query(
    EmbeddingQueries,
    SearchQueries,
    GenerationQueries,
    ForecastingQueries,
    LanguageQueries,
    JobQueries,
    AnalyticsQueries,
):
    pass


@strawberry.type
class Mutation(SearchMutations, JobMutations):
    pass


@strawberry.type
class Subscription(GenerationSubscriptions):
    pass


log = logging.getLogger(__name__)


def _meant_for_the_caller(error: GraphQLError) -> bool:
    """Coded errors, permission refusals and GraphQL's own parse and validation errors are meant for
    the caller; anything else is a bug whose message (paths, SQL, keys) must not leave the process."""
    return error.original_error is None or isinstance(error.original_error, GraphQLError)


def _is_unexpected(error: GraphQLError) -> bool:
    if _meant_for_the_caller(error):
        return False
    log.error("unexpected error at %s", error.path, exc_info=error.original_error)
    return True


class _Schema(strawberry.federation.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        # Strawberry logs every error with a traceback; a caller's mistake (an anonymous caller, a
        # limit, a typo) is the answer working as designed, not a failure of this server.
        super().process_errors([error for error in errors if not _meant_for_the_caller(error)], execution_context)


def build_schema() -> strawberry.federation.Schema:
    return _Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[User, Payment, Project],  # reachable only through _entities, so listed explicitly
        extensions=[lambda: MaskErrors(should_mask_error=_is_unexpected, error_message="Internal error")],
        config=StrawberryConfig(scalar_map={DateTimeISO: DATETIME_ISO_SCALAR}),
        federation_version="2.7",  # as supergraph.yaml (federation_version =2.7.1) and the users subgraph
    )


schema = build_schema()
