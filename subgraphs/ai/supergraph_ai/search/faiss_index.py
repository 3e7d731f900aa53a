"""The embedded vector index: FAISS, exact inner product over unit vectors (= cosine similarity).

`IndexIDMap2(IndexFlatIP)` keeps one vector per project under an int64 label of ours, so a changed
project is replaced in place and a removed one dropped; a flat index scans every vector, which is exact
and, at the platform's scale (thousands of projects, 384 dimensions), a millisecond per query matrix.

On disk it is one file, `<dir>/projects.npz`: the serialized FAISS index next to a JSON record of the
labels, project metadata, the feed cursor and the embedding model. Writing it is atomic (a temporary
file in the same folder, fsync, rename), so the vectors, the metadata and the cursor on disk always
belong together. The whole file is rewritten on each save: simple, and cheap at this scale (~1.6 KB
per project).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import tempfile
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from .documents import IndexedProject, Scope, Visibility
from .vector_index import Match

log = logging.getLogger(__name__)

FILE_NAME = "projects.npz"
FORMAT_VERSION = 1


class FaissVectorIndex:
    def __init__(self, path: Path, dimensions: int, model_id: str) -> None:
        """An empty index that will save to `path` (use `open` to load what is there)."""
        self.path = path
        self.dimensions = dimensions
        self.model_id = model_id
        # Typed Any: faiss's generated stubs describe the C++ signatures, not the numpy wrappers we call.
        self._index: Any = faiss.IndexIDMap2(faiss.IndexFlatIP(dimensions))
        self._projects: dict[int, IndexedProject] = {}
        self._labels: dict[str, int] = {}
        self._next_label = 1
        self._cursor: str | None = None

    @classmethod
    def open(cls, path: Path, dimensions: int, model_id: str) -> FaissVectorIndex:
        """The index saved at `path`; empty (to be rebuilt from the feed) when there is none, or when it
        was built by another embedding model, whose vectors cannot be compared with ours."""
        index = cls(path, dimensions, model_id)
        if not path.is_file():
            return index
        with np.load(path, allow_pickle=False) as saved:
            meta: dict[str, Any] = json.loads(saved["meta"].tobytes().decode("utf-8"))
            built_for = (meta.get("format"), meta.get("model"), meta.get("dimensions"))
            if built_for != (FORMAT_VERSION, model_id, dimensions):
                log.warning(
                    "index at %s was built for %s/%s: starting over", path, meta.get("model"), meta.get("dimensions")
                )
                return index
            index._index = faiss.deserialize_index(saved["faiss"])
        index._cursor = meta["cursor"]
        index._next_label = int(meta["nextLabel"])
        for label, pid, owner, name, description, visibility, version in meta["projects"]:
            project = IndexedProject(pid, owner, name, description, Visibility(visibility), int(version))
            index._projects[int(label)] = project
            index._labels[pid] = int(label)
        return index

    @property
    def cursor(self) -> str | None:
        return self._cursor

    def __len__(self) -> int:
        return len(self._projects)

    def get(self, project_id: str) -> IndexedProject | None:
        label = self._labels.get(project_id)
        return None if label is None else self._projects[label]

    def owned_by(self, owner_id: str) -> list[IndexedProject]:
        return [p for p in self._projects.values() if p.owner_id == owner_id]

    def vectors(self, project_ids: Sequence[str]) -> np.ndarray:
        rows = [self._index.reconstruct(self._labels[pid]) for pid in project_ids]
        return np.vstack(rows).astype(np.float32) if rows else np.zeros((0, self.dimensions), np.float32)

    def apply(
        self, upserts: Sequence[tuple[IndexedProject, np.ndarray]], removals: Collection[str], cursor: str | None
    ) -> None:
        gone = [self._labels[pid] for pid in {*removals, *(p.id for p, _ in upserts)} if pid in self._labels]
        if gone:
            self._index.remove_ids(np.array(gone, dtype=np.int64))
        for pid in removals:
            label = self._labels.pop(pid, None)
            if label is not None:
                del self._projects[label]
        if upserts:
            labels = []
            for project, _ in upserts:
                label = self._labels.get(project.id)
                if label is None:
                    label = self._labels[project.id] = self._next_label
                    self._next_label += 1
                self._projects[label] = project
                labels.append(label)
            vectors = np.vstack([v for _, v in upserts]).astype(np.float32)
            self._index.add_with_ids(vectors, np.array(labels, dtype=np.int64))
        self._cursor = cursor

    def search(
        self, queries: np.ndarray, k: int, scope: Scope, exclude: Sequence[Collection[str]] | None = None
    ) -> list[list[Match]]:
        excluded = [set(e) for e in exclude] if exclude is not None else [set() for _ in range(len(queries))]
        allowed = [label for label, p in self._projects.items() if scope.admits(p)]
        # Ask for enough extra neighbours that dropping each query's exclusions still leaves k.
        wanted = min(k + max((len(e) for e in excluded), default=0), len(allowed))
        if wanted == 0 or len(queries) == 0:
            return [[] for _ in range(len(queries))]
        params = None
        if len(allowed) < len(self._projects):
            params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(np.array(allowed, dtype=np.int64)))  # type: ignore[call-arg]
        scores, labels = self._index.search(np.ascontiguousarray(queries, dtype=np.float32), wanted, params=params)
        results: list[list[Match]] = []
        for row_scores, row_labels, skip in zip(scores, labels, excluded, strict=True):
            matches = []
            for score, label in zip(row_scores, row_labels, strict=True):
                project = self._projects.get(int(label))
                if project is None or project.id in skip:
                    continue
                matches.append(Match(project, float(score)))
                if len(matches) == k:
                    break
            results.append(matches)
        return results

    async def save(self) -> None:
        # Snapshot on the event loop (where every change happens), write in a thread.
        meta = {
            "format": FORMAT_VERSION,
            "model": self.model_id,
            "dimensions": self.dimensions,
            "cursor": self._cursor,
            "nextLabel": self._next_label,
            "projects": [
                [label, p.id, p.owner_id, p.name, p.description, p.visibility.value, p.version]
                for label, p in self._projects.items()
            ],
        }
        blob = faiss.serialize_index(self._index)
        encoded = np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)
        await asyncio.to_thread(_write_atomically, self.path, {"faiss": blob, "meta": encoded})


def _write_atomically(path: Path, arrays: dict[str, np.ndarray]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as file:
            np.savez(file, **arrays)  # type: ignore[arg-type]
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)  # the rename itself survives a power cut
    finally:
        os.close(directory)
