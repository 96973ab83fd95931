"""Loading a draft body ("partial drafts") and checking a draft before it is published.

``load_draft`` validates the body with ``DraftBody``.  For every error it removes the
smallest part of the body whose removal can make the rest valid - a bad key from its object,
a list item that cannot be made valid from its list, an object that lacks a required
subfield from its parent - and validates again, until nothing is wrong.  Removing a required
part makes its parent incomplete, which the next round removes in turn; such consequential
errors are not reported again.  Errors a round could not see (pydantic skips an object's own
checks while one of its fields is invalid) are reported when they appear.

Paths in the errors always refer to the body as the client sent it: list positions are
translated back when earlier rounds removed items.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from cairn.core.errors import FieldError

from .body import DraftBody
from .messages import ERROR_TYPE, INVALID_TYPE, REQUIRED, UNKNOWN, Segment, message_for
from .metadata import REQUIRED_AT_PUBLISH
from .refs import CONTEXT_KEY, VocabularyLookup
from .text import remove_invalid_chars

Loc = tuple[Segment, ...]
MAX_ROUNDS = 32
"""Rounds needed grow with nesting depth only (about 6 for the deepest path)."""


class _Pruner:
    """A copy-on-write view of the body that parts can be removed from.

    Containers are copied only on the way to something removed; the caller's body is never
    changed.  For every list it shortened it remembers which original position each
    remaining item had, so that later errors can be reported with the client's positions.
    """

    def __init__(self, root: dict[str, Any]) -> None:
        self.root = root
        self._owned: dict[int, Any] = {id(root): root}  # id -> container (keeps it alive)
        self._positions: dict[int, list[int]] = {}

    def original(self, loc: Loc) -> Loc:
        """``loc`` (a path in the current body) as a path in the body the client sent."""
        result: list[Segment] = []
        node: Any = self.root
        for segment in loc:
            if isinstance(node, list):
                index = _as_index(segment)
                if index is None:
                    result.append(segment)
                    node = None
                    continue
                positions = self._positions.get(id(node))
                result.append(positions[index] if positions and index < len(positions) else index)
                node = node[index] if index < len(node) else None
            else:
                result.append(segment)
                node = node.get(segment) if isinstance(node, dict) else None
        return tuple(result)

    def remove(self, loc: Loc) -> bool:
        """Remove what ``loc`` points at; False when there is nothing there."""
        if not loc:
            return False
        parent: Any = self.root
        for segment in loc[:-1]:
            child = _child(parent, segment)
            if not isinstance(child, dict | list):
                return False
            parent = self._own(parent, segment, child)
        last = loc[-1]
        if isinstance(parent, dict):
            if last not in parent:
                return False
            del parent[last]
            return True
        index = _as_index(last)
        if isinstance(parent, list) and index is not None and index < len(parent):
            del parent[index]
            positions = self._positions.setdefault(id(parent), list(range(len(parent) + 1)))
            del positions[index]
            return True
        return False

    def _own(self, parent: Any, segment: Segment, child: Any) -> Any:
        if id(child) in self._owned:
            return child
        copy: Any = dict(child) if isinstance(child, dict) else list(child)
        self._owned[id(copy)] = copy
        if isinstance(parent, dict):
            parent[segment] = copy
        else:
            parent[_as_index(segment)] = copy
        return copy


def _as_index(segment: Segment) -> int | None:
    if isinstance(segment, int):
        return segment
    return int(segment) if segment.isascii() and segment.isdigit() else None


def _child(node: Any, segment: Segment) -> Any:
    if isinstance(node, dict):
        return node.get(segment)
    index = _as_index(segment)
    if isinstance(node, list) and index is not None and index < len(node):
        return node[index]
    return None


def _located(error: Mapping[str, Any]) -> tuple[list[tuple[Loc, str]], list[Loc]]:
    """Where to report one pydantic error, with what message, and what to remove for it."""
    loc: Loc = tuple(s for s in error["loc"] if s != "[key]")
    if error["type"] == ERROR_TYPE:
        reports: list[tuple[Loc, str]] = []
        drops: list[Loc] = []
        for message, at, drop in error["ctx"]["problems"]:
            reports.append((loc + at, message))
            drops.extend(loc + d for d in drop)
        return reports, drops
    if error["type"] == "missing":
        return [(loc, REQUIRED)], [loc[:-1]]
    return [(loc, message_for(error))], [loc]


def _dotted(path: Loc) -> str:
    return remove_invalid_chars(".".join(str(segment) for segment in path))


def _sort_key(loc: Loc) -> tuple[tuple[int, int, str], ...]:
    return tuple((0, s, "") if isinstance(s, int) else (1, 0, s) for s in loc)


def load_draft(
    body: object, vocabularies: VocabularyLookup
) -> tuple[dict[str, Any], list[FieldError]]:
    """The storable form of a draft body and the errors for what was left out.

    Never raises on JSON input; see docs/metadata.md for the rules.
    """
    if not isinstance(body, dict):
        return {}, [FieldError("", [INVALID_TYPE])]
    messages: dict[str, list[str]] = {}

    def report(path: Loc, message: str) -> None:
        bucket = messages.setdefault(_dotted(path), [])
        if message not in bucket:
            bucket.append(message)

    root: dict[str, Any] = {}
    for key, value in body.items():
        if isinstance(key, str):
            root[key] = value
        else:
            report((str(key),), UNKNOWN)
    pruner = _Pruner(root)
    removed: set[Loc] = set()  # every removed path (as sent) and all its prefixes
    context = {CONTEXT_KEY: vocabularies}
    round_ = 0
    while True:
        try:
            model = DraftBody.model_validate(pruner.root, context=context)
        except ValidationError as exc:
            targets: list[Loc] = []
            for error in exc.errors(include_url=False, include_input=False):
                reports, drops = _located(error)
                for at, message in reports:
                    path = pruner.original(at)
                    # a later round's error at or above something removed follows from it
                    if round_ == 0 or path not in removed:
                        report(path, message)
                targets.extend(drops)
            round_ += 1
            if round_ > MAX_ROUNDS:  # never expected: give up on the sections still failing
                targets = [target[:1] for target in targets]
            if not _remove_all(pruner, targets, removed):
                pruner.root.clear()  # never expected either: nothing left to remove
            continue
        data = model.model_dump(exclude_none=True)
        for key in [k for k, v in data.items() if not v and body.get(k)]:
            del data[key]  # nothing of a non-empty section was valid: leave it out
        return data, [FieldError(field, msgs) for field, msgs in messages.items()]


def _remove_all(pruner: _Pruner, targets: list[Loc], removed: set[Loc]) -> bool:
    """Remove every target (outermost wins; last list position first). False if none went."""
    outermost: list[Loc] = []
    for target in sorted(set(targets), key=_sort_key):  # an ancestor sorts before its subtree
        if not outermost or target[: len(outermost[-1])] != outermost[-1]:
            outermost.append(target)
    progress = False
    for target in reversed(outermost):
        original = pruner.original(target)
        if pruner.remove(target):
            removed.update(original[:length] for length in range(len(original) + 1))
            progress = True
    return progress


def validate_for_publish(data: dict[str, Any], vocabularies: VocabularyLookup) -> list[FieldError]:
    """Everything that stops the stored draft ``data`` from being published (empty = none)."""
    clean, errors = load_draft(data, vocabularies)
    reported = {error.field for error in errors}
    required = [("metadata", name) for name in REQUIRED_AT_PUBLISH]
    required += [("access", "record"), ("access", "files"), ("files", "enabled")]
    for section, name in required:
        field = f"{section}.{name}"
        value = (clean.get(section) or {}).get(name)
        if (value is None or value == []) and not any(
            f == field or f.startswith(field + ".") for f in reported
        ):
            errors.append(FieldError(field, [REQUIRED]))
    return errors
