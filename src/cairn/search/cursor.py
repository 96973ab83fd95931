"""Sorts, sort keys, pages and cursor tokens (``search_after`` paging).

Every date or version sort orders by one u64 field per sort: the value (milliseconds since
1970, or the version number) in the high 44 bits and 20 bits of a hash of the id below it, so
two documents practically never share a key.  A cursor is an opaque URL-safe token naming the
sort, the last hit's key, the ids on that page sharing that key (so ties are handled exactly),
the total and the key span the page covered.  The next page looks in a *window* of keys just
past the last one, about twice that span wide, through the inverted index: it costs about as
much as the hits it returns, however deep the walk, so walking any result costs linear total
time.  Only when the window holds too few hits (the hits thin out) does a page fall back to
the open range ``key <= last``, which costs a pass over the index.

``bestmatch`` has no key to continue from (Tantivy cannot filter on a score), so its token
carries the offset of the next hit: the same order as page/size, exact, but each page scores
every hit again.  ``bestmatch`` without query terms orders by nothing, so it is served as
``newest`` (keyed), like InvenioRDM's default without ``q``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import tantivy
from tantivy import FieldType, Occur, Order, Query

from cairn.search.engine import SORTS

TIE_BITS = 20
MAX_KEY = (1 << 64) - 1
MAX_SEEN = 10_000  # ids sharing one key that a token may carry
DEEP_OFFSET = 100_000  # beyond this offset the total is checked before asking for a page
WINDOW = 2  # the next page's window of keys, in spans of the page before
WINDOW_TRIES = 12  # windows tried (each wider; an empty one costs microseconds)


class InvalidCursor(ValueError):
    """A cursor that is not one of ours, or belongs to another sort."""


@dataclass(frozen=True)
class SortSpec:
    field: str | None  # None: by score
    descending: bool = True


SORT_SPECS: dict[str, SortSpec] = {
    "bestmatch": SortSpec(None),
    "newest": SortSpec("sort_created"),
    "oldest": SortSpec("sort_created", descending=False),
    "version": SortSpec("sort_version"),
    "updated-desc": SortSpec("sort_updated"),
    "updated-asc": SortSpec("sort_updated", descending=False),
}
# No usage statistics are indexed yet: these sort as ``newest`` until they are.
SORT_ALIASES = {"mostviewed": "newest", "mostdownloaded": "newest"}
assert set(SORT_SPECS) | set(SORT_ALIASES) == set(SORTS)


def resolve_sort(sort: str, *, has_terms: bool) -> tuple[str, SortSpec]:
    """The sort actually used (its name goes into cursor tokens) and how to apply it."""
    name = SORT_ALIASES.get(sort, sort)
    if name not in SORT_SPECS:
        raise ValueError(f"unknown sort {sort!r}")
    if name == "bestmatch" and not has_terms:
        name = "newest"
    return name, SORT_SPECS[name]


def id_bits(doc_id: str) -> int:
    digest = hashlib.blake2b(doc_id.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") & ((1 << TIE_BITS) - 1)


def sort_key(value: int, tie: int) -> int:
    """A u64 that orders by ``value`` (clamped to 0..2**44-1), then by ``tie``."""
    return (min(max(value, 0), MAX_KEY >> TIE_BITS) << TIE_BITS) | tie


@dataclass(frozen=True)
class Cursor:
    """Where the next page starts: after ``key`` (minus ``seen``) or at ``offset``; with the
    walk's ``total`` and the key ``span`` of the page before."""

    sort: str
    key: int | None = None
    seen: tuple[str, ...] = ()
    offset: int = 0
    total: int | None = None
    span: int = 0

    def encode(self) -> str:
        body: dict[str, object] = {"s": self.sort}
        if self.key is None:
            body["o"] = self.offset
        else:
            body.update(k=self.key, t=list(self.seen), n=self.total, w=self.span)
        raw = json.dumps(body, separators=(",", ":")).encode("utf-8")
        return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _natural(value: Any, limit: int = MAX_KEY) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= limit


def decode(token: str, sort: str) -> Cursor:
    """The cursor in ``token``, which must have been made for ``sort``."""
    try:
        padded = token.strip() + "=" * (-len(token.strip()) % 4)
        body = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, UnicodeError, binascii.Error):
        raise InvalidCursor("Invalid cursor.") from None
    if not isinstance(body, dict) or body.get("s") != sort:
        raise InvalidCursor("The cursor belongs to another sort or query.")
    if "o" in body:
        if not _natural(body["o"]):
            raise InvalidCursor("Invalid cursor.")
        return Cursor(sort, offset=body["o"])
    key, seen, total, span = body.get("k"), body.get("t"), body.get("n"), body.get("w", 0)
    if (
        not _natural(key)
        or not (total is None or _natural(total))
        or not _natural(span)
        or not isinstance(seen, list)
        or len(seen) > MAX_SEEN
        or not all(isinstance(i, str) for i in seen)
    ):
        raise InvalidCursor("Invalid cursor.")
    return Cursor(sort, key=key, seen=tuple(seen), total=total, span=span)


# -- pages -------------------------------------------------------------------------------
Page = tuple[list[str], int, str | None]  # ids, total, next cursor


def count(searcher: tantivy.Searcher, query: Query) -> int:
    result: Any = searcher.search(query, 1)  # the stub lacks ``count``
    return int(result.count)


def _top(
    searcher: tantivy.Searcher,
    query: Query,
    limit: int,
    offset: int,
    field: str | None = None,
    order: Order = Order.Desc,
) -> tuple[list[Any], int]:
    """One page of hits and the total in one pass (Tantivy reserves room for
    ``offset + limit`` hits, so a deep offset is first checked against the total)."""
    if offset > DEEP_OFFSET:
        total = count(searcher, query)
        if offset >= total:
            return [], total
    result: Any = searcher.search(query, limit, offset=offset, order_by_field=field, order=order)
    return list(result.hits), int(result.count)


def _ids(searcher: tantivy.Searcher, hits: Sequence[tuple[Any, Any]]) -> list[str]:
    return [str(searcher.doc(address).get_first("id")) for _, address in hits]


def _after(
    searcher: tantivy.Searcher,
    schema: tantivy.Schema,
    query: Query,
    spec: SortSpec,
    cursor: Cursor,
    limit: int,
) -> list[Any]:
    """The first ``limit`` hits from the cursor's key on.  They are looked for in a window of
    keys sized from the span of the page before, widened (by the shortfall, at most 16 times)
    while it holds too few; after :data:`WINDOW_TRIES` windows, or once a window would reach
    the end of the keys, in the open range."""
    assert spec.field is not None and cursor.key is not None
    field, order = spec.field, Order.Desc if spec.descending else Order.Asc
    key, width = cursor.key, cursor.span * WINDOW

    def search(low: int | None, high: int | None, inverted: bool) -> list[Any]:
        after = Query.range_query(
            schema, field, FieldType.Unsigned, low, high, use_inverted_index=inverted
        )
        ranged = Query.boolean_query([(Occur.Must, query), (Occur.Must, after)])
        return searcher.search(ranged, limit, count=False, order_by_field=field, order=order).hits

    for _ in range(WINDOW_TRIES):
        if width <= 0 or (key - width <= 0 if spec.descending else key + width >= MAX_KEY):
            break
        try:
            hits = (
                search(key - width, key, True)
                if spec.descending
                else search(key, key + width, True)
            )
        except ValueError:  # keys not in the inverted index (an older index): the open range
            break
        if len(hits) == limit:
            return hits
        width *= min(16, max(2, 2 * limit // max(len(hits), 1)))
    return search(None, key, False) if spec.descending else search(key, None, False)


def page(
    searcher: tantivy.Searcher,
    schema: tantivy.Schema,
    query: Query,
    sort: str,
    spec: SortSpec,
    number: int,
    size: int,
    cursor: Cursor | None,
) -> Page:
    """Page ``number`` of ``size`` hits of ``query`` in ``sort`` order, or the page after
    ``cursor``; with the total and the cursor of the following page."""
    if spec.field is None:
        offset = cursor.offset if cursor else (number - 1) * size
        hits, total = _top(searcher, query, size, offset)
        ids = _ids(searcher, hits)
        following = offset + len(ids)
        return ids, total, Cursor(sort, offset=following).encode() if following < total else None
    if cursor is None:
        offset = (number - 1) * size
        order = Order.Desc if spec.descending else Order.Asc
        hits, total = _top(searcher, query, size, offset, spec.field, order)
        keys, ids = [int(k) for k, _ in hits], _ids(searcher, hits)
        more = offset + len(ids) < total
    else:  # search_after: from the last key on, minus the ids already seen at that key
        total = cursor.total if cursor.total is not None else count(searcher, query)
        hits = _after(searcher, schema, query, spec, cursor, size + len(cursor.seen) + 1)
        skip = set(cursor.seen)
        pairs = [
            (int(key), doc_id)
            for (key, _), doc_id in zip(hits, _ids(searcher, hits), strict=True)
            if not (key == cursor.key and doc_id in skip)
        ]
        more = len(pairs) > size
        keys, ids = [k for k, _ in pairs[:size]], [i for _, i in pairs[:size]]
    if not more or not ids:
        return ids, total, None
    last = keys[-1]
    same = tuple(i for k, i in zip(keys, ids, strict=True) if k == last)
    carried = cursor.seen if cursor is not None and cursor.key == last else ()
    span = abs(keys[0] - last) + 1
    return ids, total, Cursor(sort, last, (*carried, *same), total=total, span=span).encode()
