"""What the index keeps about a project, and which projects a caller may be shown."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Visibility(StrEnum):
    PUBLIC = "PUBLIC"
    PRIVATE = "PRIVATE"


@dataclass(frozen=True)
class IndexedProject:
    id: str
    owner_id: str
    name: str
    description: str
    visibility: Visibility
    version: int

    @property
    def text(self) -> str:
        """What is embedded: the name carries most of the meaning, the description the rest."""
        return f"{self.name}\n\n{self.description}"


@dataclass(frozen=True)
class Scope:
    """Which indexed projects a search may return: PUBLIC ones, plus every project of `owner_id`, or
    everything (`everything=True`, for admins and the router)."""

    owner_id: str | None = None
    everything: bool = False

    def admits(self, project: IndexedProject) -> bool:
        return self.everything or project.visibility is Visibility.PUBLIC or project.owner_id == self.owner_id


PUBLIC_ONLY = Scope()
EVERYTHING = Scope(everything=True)
