"""One vocabulary type: its items by id, and an in-memory search over them.

Items are kept private and every item handed out is a fresh deep copy, so callers (the API
layer adds ``links``, ``revision_id`` ...) may change what they get without touching the registry.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from cairn.core.errors import InvalidRequest
from cairn.core.jsondata import copy_json

from .text import fold, words

Item = dict[str, Any]

SORT_OPTIONS: tuple[str, ...] = ("bestmatch", "title", "id")


def _strings(value: Any, what: str) -> dict[str, str]:
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ValueError(f"{what} must map strings to strings")
    return dict(value)


def make_item(vtype: str, raw: Mapping[str, Any]) -> Item:
    """Validate ``raw`` and build the item in its canonical key order."""
    vid = raw.get("id")
    if not isinstance(vid, str) or not vid:
        raise ValueError(f"{vtype}: item without an id: {raw!r}")
    title = _strings(raw.get("title"), f"{vtype}/{vid}: title")
    if not title:
        raise ValueError(f"{vtype}/{vid}: item without a title")
    item: Item = {"id": vid, "type": vtype, "title": title}
    if raw.get("description"):
        item["description"] = _strings(raw["description"], f"{vtype}/{vid}: description")
    if raw.get("icon"):
        item["icon"] = str(raw["icon"])
    item["props"] = _strings(raw.get("props") or {}, f"{vtype}/{vid}: props")
    tags = raw.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise ValueError(f"{vtype}/{vid}: tags must be a list of strings")
    item["tags"] = list(tags)
    return item


def title_of(item: Item) -> str:
    """The English title, else the first one."""
    title: dict[str, str] = item["title"]
    return title.get("en") or next(iter(title.values()))


@dataclass(frozen=True, slots=True)
class _Entry:
    """An item with its precomputed search keys."""

    item: Item
    folded_id: str
    sort_title: str
    titles: frozenset[str]  # each title as its folded words joined by one space
    tokens: frozenset[str]  # every folded word of the id and of all titles
    hay: str  # the tokens as " w1 w2 ...", so a word prefix is a substring test

    @classmethod
    def of(cls, item: Item) -> _Entry:
        titles = [" ".join(words(t)) for t in item["title"].values()]
        tokens = set(words(item["id"]))
        for title in titles:
            tokens.update(title.split())
        return cls(
            item=item,
            folded_id=fold(item["id"]),
            sort_title=fold(title_of(item)),
            titles=frozenset(titles),
            tokens=frozenset(tokens),
            hay=" " + " ".join(sorted(tokens)),
        )

    def matches(self, qwords: list[str]) -> bool:
        hay = self.hay
        return all(f" {w}" in hay for w in qwords)

    def score(self, qid: str, qphrase: str, qwords: list[str]) -> tuple[bool, bool, int, bool]:
        """Lower is better: exact id, exact title, whole-word hits, title prefix."""
        return (
            self.folded_id != qid,
            qphrase not in self.titles,
            sum(w not in self.tokens for w in qwords),
            not any(t.startswith(qphrase) for t in self.titles),
        )


class Vocabulary:
    """The items of one vocabulary type."""

    def __init__(self, vtype: str, items: Iterable[Mapping[str, Any]]) -> None:
        self.type = vtype
        self._items: dict[str, Item] = {}
        for raw in items:
            item = make_item(vtype, raw)
            if item["id"] in self._items:
                raise ValueError(f"{vtype}: duplicate id {item['id']!r}")
            self._items[item["id"]] = item

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, vid: object) -> bool:
        return vid in self._items

    def get(self, vid: str) -> Item | None:
        item = self._items.get(vid)
        return None if item is None else copy_json(item)

    def peek(self, vid: str) -> Item | None:
        """The item itself, not a copy: read it, never change it."""
        return self._items.get(vid)

    # Search keys are built on the first search only, so loading stays cheap.
    @cached_property
    def _by_title(self) -> tuple[_Entry, ...]:
        entries = (_Entry.of(item) for item in self._items.values())
        return tuple(sorted(entries, key=lambda e: (e.sort_title, e.item["id"])))

    @cached_property
    def _by_id(self) -> tuple[_Entry, ...]:
        return tuple(sorted(self._by_title, key=lambda e: e.item["id"]))

    def search(
        self,
        q: str | None = None,
        tags: list[str] | None = None,
        sort: str = "title",
        page: int = 1,
        size: int = 25,
    ) -> tuple[list[Item], int]:
        """One page of matching items (copies) and the number of all matches.

        ``q``: every word must start a word of the id or of any title (case and accents
        ignored). ``tags``: an item matches when it has any of them (as InvenioRDM's ``terms``
        filter). ``sort``: ``title``, ``id`` or ``bestmatch`` (exact id first, then exact
        title, whole words, title prefix; without ``q`` it is ``title``).
        """
        if sort not in SORT_OPTIONS:
            options = ", ".join(SORT_OPTIONS)
            raise InvalidRequest(f"Invalid sort option {sort!r}; use one of: {options}.")
        if page < 1 or size < 1:
            raise InvalidRequest("Invalid pagination parameters.")
        entries: Sequence[_Entry] = self._by_id if sort == "id" else self._by_title
        if tags:
            wanted = frozenset(tags)
            entries = [e for e in entries if not wanted.isdisjoint(e.item["tags"])]
        qwords = words(q) if q else []
        if qwords:
            entries = [e for e in entries if e.matches(qwords)]
            if sort == "bestmatch":
                qid, qphrase = fold((q or "").strip()), " ".join(qwords)
                entries = sorted(entries, key=lambda e: e.score(qid, qphrase, qwords))
        start = (page - 1) * size
        return [copy_json(e.item) for e in entries[start : start + size]], len(entries)
