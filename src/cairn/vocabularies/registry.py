"""The vocabulary registry: every vocabulary type, loaded once, looked up by type and id."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from cairn.core.errors import NotFound

from .vocabulary import Item, Vocabulary


class VocabularyRegistry:
    """All vocabularies, held in memory.

    Build it once at start-up (``load_registry()``) and share it; it is read-only after
    construction and safe to use from several threads. Every item it returns is a fresh copy
    that the caller may change.
    """

    def __init__(self, vocabularies: Mapping[str, Iterable[Mapping[str, Any]]]) -> None:
        self._vocabularies: dict[str, Vocabulary] = {
            vtype: Vocabulary(vtype, items) for vtype, items in vocabularies.items()
        }

    def types(self) -> list[str]:
        """The vocabulary types, sorted."""
        return sorted(self._vocabularies)

    def has_type(self, vtype: str) -> bool:
        return vtype in self._vocabularies

    def count(self, vtype: str) -> int:
        """How many items ``vtype`` has (0 for an unknown type)."""
        vocabulary = self._vocabularies.get(vtype)
        return 0 if vocabulary is None else len(vocabulary)

    def get(self, vtype: str, vid: str) -> Item | None:
        """The item ``vid`` of ``vtype`` (a copy), or None when either is unknown."""
        vocabulary = self._vocabularies.get(vtype)
        return None if vocabulary is None else vocabulary.get(vid)

    def peek(self, vtype: str, vid: str) -> Item | None:
        """The item ``vid`` of ``vtype`` itself, not a copy (read it, never change it), or
        None; for hot read paths that copy only what they use."""
        vocabulary = self._vocabularies.get(vtype)
        return None if vocabulary is None else vocabulary.peek(vid)

    def exists(self, vtype: str, vid: str) -> bool:
        vocabulary = self._vocabularies.get(vtype)
        return vocabulary is not None and vid in vocabulary

    def search(
        self,
        vtype: str,
        q: str | None = None,
        tags: list[str] | None = None,
        sort: str = "title",
        page: int = 1,
        size: int = 25,
    ) -> tuple[list[Item], int]:
        """One page of the items of ``vtype`` matching ``q`` and ``tags``, and their total.

        See ``Vocabulary.search``. Raises ``NotFound`` for an unknown type and
        ``InvalidRequest`` for an unknown sort or a page/size below 1.
        """
        vocabulary = self._vocabularies.get(vtype)
        if vocabulary is None:
            raise NotFound(f"Vocabulary type {vtype!r} does not exist.")
        return vocabulary.search(q=q, tags=tags, sort=sort, page=page, size=size)
