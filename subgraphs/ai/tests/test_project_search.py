"""semanticSearch, Project.similarProjects and User.recommendations over the project index: who sees
what, validation, and one index search per `_entities` call."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from supergraph_ai.identity import UserIdentity
from supergraph_ai.search.documents import IndexedProject, Visibility
from supergraph_ai.services import Services

from .graphql_client import error_codes, gql
from .helpers import ADMIN, SERVICE

ADA = UserIdentity(user_id="ada", roles=("USER",), tier="FREE", scopes=("*",), via="jwt")
BOB = UserIdentity(user_id="bob", roles=("USER",), tier="FREE", scopes=("*",), via="jwt")

PROJECTS = [
    IndexedProject(
        "p-graphql", "bob", "GraphQL gateway", "Federating subgraphs into one supergraph API", Visibility.PUBLIC, 1
    ),
    IndexedProject(
        "p-bread", "bob", "Sourdough bakery", "Recipes for bread, starters and baking at home", Visibility.PUBLIC, 1
    ),
    IndexedProject(
        "p-secret",
        "bob",
        "GraphQL router secrets",
        "Private plans for a federated GraphQL router",
        Visibility.PRIVATE,
        1,
    ),
    IndexedProject(
        "p-ada-api",
        "ada",
        "API federation",
        "Our GraphQL schema composition and federation work",
        Visibility.PRIVATE,
        1,
    ),
    IndexedProject("p-ada-cakes", "ada", "Cake shop", "Baking cakes and pastries", Visibility.PUBLIC, 1),
    IndexedProject("p-carl-puppy", "carl", "Puppy school", "Training dogs to sit and stay", Visibility.PUBLIC, 1),
]

SEARCH = "query ($q: String!, $first: Int!) { semanticSearch(query: $q, first: $first) { project { id } score } }"
ENTITIES = """query ($representations: [_Any!]!, $first: Int!) { _entities(representations: $representations) {
  ... on Project { id similarProjects(first: $first) { project { id } score } }
  ... on User { id recommendations(first: $first) { project { id } score } } } }"""


@pytest.fixture
async def indexed(services: Services) -> Services:
    vectors = await services.embeddings.embed([p.text for p in PROJECTS])
    services.project_index.search.slot.current.apply(list(zip(PROJECTS, vectors, strict=True)), [], "6")
    return services


def found(matches: list[dict[str, Any]]) -> list[str]:
    return [m["project"]["id"] for m in matches]


def searches(services: Services, operation: str) -> float:
    return services.metrics.registry.get_sample_value("ai_vector_searches_total", {"operation": operation}) or 0.0


async def test_semantic_search_shows_public_projects_and_your_own_best_first(
    client: httpx.AsyncClient, indexed: Services
) -> None:
    _, body = await gql(client, SEARCH, {"q": "federated GraphQL router", "first": 10}, identity=ADA)
    ada_sees = found(body["data"]["semanticSearch"])
    assert set(ada_sees) == {
        "p-graphql",
        "p-bread",
        "p-ada-api",
        "p-ada-cakes",
        "p-carl-puppy",
    }  # not bob's private one
    assert ada_sees[0] in {"p-graphql", "p-ada-api"}
    scores = [m["score"] for m in body["data"]["semanticSearch"]]
    assert scores == sorted(scores, reverse=True)

    _, body = await gql(client, SEARCH, {"q": "federated GraphQL router", "first": 1}, identity=ADMIN)
    assert found(body["data"]["semanticSearch"]) == ["p-secret"]  # admins search everything


async def test_similar_projects_are_public_never_itself_and_private_lists_are_for_owners(
    client: httpx.AsyncClient, indexed: Services
) -> None:
    representations = [{"__typename": "Project", "id": pid} for pid in ("p-graphql", "p-ada-api", "unknown")]
    _, body = await gql(client, ENTITIES, {"representations": representations, "first": 2}, identity=ADA)
    graphql, ada_api, unknown = body["data"]["_entities"]
    assert "p-graphql" not in found(graphql["similarProjects"])
    assert set(found(graphql["similarProjects"])) <= {p.id for p in PROJECTS if p.visibility is Visibility.PUBLIC}
    assert found(ada_api["similarProjects"])[0] == "p-graphql"  # her private project: she may see its neighbours
    assert unknown["similarProjects"] == []

    _, body = await gql(client, ENTITIES, {"representations": representations[1:2], "first": 2}, identity=BOB)
    assert body["data"]["_entities"][0]["similarProjects"] == []  # someone else's private project


async def test_recommendations_are_other_users_public_projects_nearest_your_own(
    client: httpx.AsyncClient, indexed: Services
) -> None:
    representations = [{"__typename": "User", "id": uid} for uid in ("ada", "nobody")]
    _, body = await gql(client, ENTITIES, {"representations": representations, "first": 3}, identity=SERVICE)
    ada, nobody = body["data"]["_entities"]
    recommended = found(ada["recommendations"])
    assert recommended[0] == "p-graphql"
    assert "p-bread" in recommended
    assert not {"p-ada-api", "p-ada-cakes", "p-secret"} & set(recommended)
    assert nobody["recommendations"] == []


async def test_one_entities_call_is_one_index_search_per_field(client: httpx.AsyncClient, indexed: Services) -> None:
    before = (searches(indexed, "similar_projects"), searches(indexed, "recommendations"))
    representations = [{"__typename": "Project", "id": p.id} for p in PROJECTS] + [
        {"__typename": "User", "id": uid} for uid in ("ada", "bob", "carl")
    ]
    _, body = await gql(client, ENTITIES, {"representations": representations, "first": 2}, identity=SERVICE)
    assert "errors" not in body, body
    assert all(len(e.get("similarProjects", e.get("recommendations"))) == 2 for e in body["data"]["_entities"])
    after = (searches(indexed, "similar_projects"), searches(indexed, "recommendations"))
    assert (after[0] - before[0], after[1] - before[1]) == (1, 1)


async def test_recommendations_of_someone_else_are_forbidden(client: httpx.AsyncClient, indexed: Services) -> None:
    _, body = await gql(
        client, ENTITIES, {"representations": [{"__typename": "User", "id": "ada"}], "first": 2}, identity=BOB
    )
    assert error_codes(body) == ["FORBIDDEN"]


@pytest.mark.parametrize(
    ("variables", "argument"),
    [
        ({"q": "ok", "first": 0}, "first"),
        ({"q": "ok", "first": 51}, "first"),
        ({"q": "  ", "first": 5}, "query"),
        ({"q": "x" * 1001, "first": 5}, "query"),
    ],
)
async def test_semantic_search_validates_its_arguments(
    client: httpx.AsyncClient, variables: dict[str, Any], argument: str
) -> None:
    _, body = await gql(client, SEARCH, variables, identity=ADA)
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["extensions"]["argument"] == argument


async def test_reindex_is_for_admins_only(client: httpx.AsyncClient) -> None:
    for identity in (ADA, SERVICE):
        _, body = await gql(client, "mutation { reindexProjects { indexed } }", identity=identity)
        assert error_codes(body) == ["FORBIDDEN"]
    # This app follows no feed, so even an admin learns it cannot be rebuilt here.
    _, body = await gql(client, "mutation { reindexProjects { indexed } }", identity=ADMIN)
    assert error_codes(body) == ["INDEX_UNAVAILABLE"]
