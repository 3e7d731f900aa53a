"""The FAISS project index: upsert, remove, scopes, persistence across reopen, atomic files."""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np

from supergraph_ai.search.documents import EVERYTHING, PUBLIC_ONLY, IndexedProject, Scope, Visibility
from supergraph_ai.search.faiss_index import FILE_NAME, FaissVectorIndex
from supergraph_ai.search.vector_index import Match

DIMS = 4


def unit(*values: float) -> np.ndarray:
    vector = np.array(values, dtype=np.float32)
    return vector / np.linalg.norm(vector)


def project(pid: str, owner: str = "ada", visibility: Visibility = Visibility.PUBLIC, name: str = "") -> IndexedProject:
    return IndexedProject(pid, owner, name or pid, "", visibility, 1)


def ids(matches: list[Match]) -> list[str]:
    return [m.project.id for m in matches]


def fresh(tmp_path: Path) -> FaissVectorIndex:
    return FaissVectorIndex(tmp_path / FILE_NAME, DIMS, "model-a")


def test_upserts_replace_a_project_in_place_and_removals_drop_it(tmp_path: Path) -> None:
    index = fresh(tmp_path)
    index.apply([(project("a"), unit(1, 0, 0, 0)), (project("b"), unit(0, 1, 0, 0))], [], "2")
    query = unit(1, 0.1, 0, 0)[None, :]
    assert ids(index.search(query, 2, EVERYTHING)[0]) == ["a", "b"]

    index.apply([(project("a", name="moved"), unit(0, 0, 1, 0))], [], "3")
    assert len(index) == 2
    moved = index.get("a")
    assert moved is not None
    assert moved.name == "moved"
    assert ids(index.search(query, 2, EVERYTHING)[0]) == ["b", "a"]

    index.apply([], ["b", "never-indexed"], "4")
    assert ids(index.search(query, 5, EVERYTHING)[0]) == ["a"]
    assert index.get("b") is None
    assert index.cursor == "4"


def test_scopes_admit_public_projects_plus_the_owners_and_exclusions_still_leave_k(tmp_path: Path) -> None:
    index = fresh(tmp_path)
    index.apply(
        [
            (project("ada-private", "ada", Visibility.PRIVATE), unit(1, 0, 0, 0)),
            (project("bob-private", "bob", Visibility.PRIVATE), unit(1, 0.05, 0, 0)),
            (project("public-1", "bob"), unit(1, 0.2, 0, 0)),
            (project("public-2", "bob"), unit(1, 0.4, 0, 0)),
        ],
        [],
        "4",
    )
    query = unit(1, 0, 0, 0)[None, :]
    assert ids(index.search(query, 5, PUBLIC_ONLY)[0]) == ["public-1", "public-2"]
    assert ids(index.search(query, 5, Scope(owner_id="ada"))[0]) == ["ada-private", "public-1", "public-2"]
    assert ids(index.search(query, 5, EVERYTHING)[0]) == ["ada-private", "bob-private", "public-1", "public-2"]
    # One call, two queries, each with its own exclusions: both still get k results.
    both = index.search(np.vstack([query, query]), 1, PUBLIC_ONLY, [{"public-1"}, set()])
    assert [ids(row) for row in both] == [["public-2"], ["public-1"]]


def test_persists_vectors_metadata_and_cursor_together_and_reopens_them(tmp_path: Path) -> None:
    index = fresh(tmp_path)
    index.apply(
        [(project("a", "ada", Visibility.PRIVATE), unit(1, 0, 0, 0)), (project("b"), unit(0, 1, 0, 0))], [], "7"
    )
    asyncio.run(index.save())
    index.apply([(project("c"), unit(0, 0, 1, 0))], [], "8")  # not saved: the file stays as of cursor 7

    reopened = FaissVectorIndex.open(tmp_path / FILE_NAME, DIMS, "model-a")
    assert reopened.cursor == "7"
    assert len(reopened) == 2
    assert reopened.get("a") == project("a", "ada", Visibility.PRIVATE)
    np.testing.assert_allclose(reopened.vectors(["b"]), unit(0, 1, 0, 0)[None, :])
    # Labels continue where they left off, so a new project never takes an old one's slot.
    reopened.apply([(project("c"), unit(0, 0, 1, 0))], [], "8")
    assert ids(reopened.search(unit(0, 0, 1, 0)[None, :], 3, EVERYTHING)[0])[0] == "c"
    assert [p.name for p in tmp_path.iterdir()] == [FILE_NAME]  # no temporary file left behind


def test_an_index_built_by_another_model_is_not_reused(tmp_path: Path) -> None:
    index = fresh(tmp_path)
    index.apply([(project("a"), unit(1, 0, 0, 0))], [], "1")
    asyncio.run(index.save())
    other = FaissVectorIndex.open(tmp_path / FILE_NAME, DIMS, "model-b")
    assert len(other) == 0
    assert other.cursor is None
