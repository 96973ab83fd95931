"""``expand_references``: vocabulary references as InvenioRDM shows them on read.

Stored references are ``{"id": ...}``.  On read each gets the item's ``title``; a license in
``rights`` gets ``title``, ``description``, ``icon``, ``props`` (``url`` and ``scheme``) and
``link`` (the license URL).  Unknown ids, and references of vocabularies Cairn does not ship
(subjects, affiliations, funders, awards), are left as they are.  The input is never changed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cairn.core.jsondata import copy_json

from .refs import VocabularyLookup

Expander = Callable[[Any], Any]


def _ref(vocabularies: VocabularyLookup, vtype: str) -> Expander:
    def expand(ref: Any) -> Any:
        if not isinstance(ref, dict) or not isinstance(ref.get("id"), str):
            return ref
        item = vocabularies.peek(vtype, ref["id"])
        if item and "title" in item:
            ref["title"] = copy_json(item["title"])
        return ref

    return expand


def _license(vocabularies: VocabularyLookup) -> Expander:
    def expand(ref: Any) -> Any:
        if not isinstance(ref, dict) or not isinstance(ref.get("id"), str):
            return ref  # a custom license is shown as stored
        item = vocabularies.peek("licenses", ref["id"])
        if not item:
            return ref
        for key in ("title", "description", "icon"):
            if key in item:
                ref[key] = copy_json(item[key])
        props = item.get("props") or {}
        shown = {key: props[key] for key in ("url", "scheme") if props.get(key)}
        if shown:
            ref["props"] = shown
        if props.get("url"):
            ref["link"] = props["url"]
        return ref

    return expand


def _each(items: Any, expand: Expander) -> Any:
    if isinstance(items, list):
        return [expand(item) for item in items]
    return items


def _fields(**expanders: Expander) -> Expander:
    """Expand the named fields of each object in a list."""

    def expand(item: Any) -> Any:
        if isinstance(item, dict):
            for name, expander in expanders.items():
                if name in item:
                    item[name] = expander(item[name])
        return item

    return expand


def expand_references(metadata: dict[str, Any], vocabularies: VocabularyLookup) -> dict[str, Any]:
    """A copy of stored ``metadata`` with vocabulary titles (and license details) added."""
    result = copy_json(metadata) if isinstance(metadata, dict) else {}
    lang = _ref(vocabularies, "languages")
    resource_type = _ref(vocabularies, "resourcetypes")
    lists: dict[str, Expander] = {
        "creators": _fields(role=_ref(vocabularies, "creatorsroles")),
        "contributors": _fields(role=_ref(vocabularies, "contributorsroles")),
        "additional_titles": _fields(type=_ref(vocabularies, "titletypes"), lang=lang),
        "additional_descriptions": _fields(type=_ref(vocabularies, "descriptiontypes"), lang=lang),
        "dates": _fields(type=_ref(vocabularies, "datetypes")),
        "languages": lang,
        "rights": _license(vocabularies),
        "related_identifiers": _fields(
            relation_type=_ref(vocabularies, "relationtypes"), resource_type=resource_type
        ),
    }
    if "resource_type" in result:
        result["resource_type"] = resource_type(result["resource_type"])
    for name, expand in lists.items():
        if name in result:
            result[name] = _each(result[name], expand)
    return result
