"""Reading the shipped vocabularies: JSON files in ``data/`` plus ISO 639-3 from pycountry."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from importlib import resources
from typing import Any

import pycountry

from .registry import VocabularyRegistry

# vocabulary type -> data file (creators and contributors share InvenioRDM's role list)
DATA_FILES: dict[str, str] = {
    "communitytypes": "communitytypes.json",
    "contributorsroles": "roles.json",
    "creatorsroles": "roles.json",
    "datetypes": "datetypes.json",
    "descriptiontypes": "descriptiontypes.json",
    "licenses": "licenses.json",
    "relationtypes": "relationtypes.json",
    "removalreasons": "removalreasons.json",
    "resourcetypes": "resourcetypes.json",
    "titletypes": "titletypes.json",
}

_SCOPES = {"I": "individual", "M": "macrolanguage", "S": "special-scope"}
_LANGUAGE_TYPES = {
    "A": "ancient",
    "C": "constructed",
    "E": "extinct",
    "H": "historical",
    "L": "living",
    "S": "special-type",
}


def iter_languages() -> Iterator[dict[str, Any]]:
    """ISO 639-3 from pycountry, shaped as InvenioRDM's ``languages`` fixture."""
    for lang in pycountry.languages:
        tags = [_SCOPES.get(lang.scope, ""), _LANGUAGE_TYPES.get(lang.type, "")]
        yield {
            "id": lang.alpha_3,
            "title": {"en": lang.name},
            "props": {"alpha_2": getattr(lang, "alpha_2", "")},
            "tags": [tag for tag in tags if tag],
        }


# vocabulary type -> function producing its items at load time
BUILDERS: dict[str, Callable[[], Iterator[dict[str, Any]]]] = {"languages": iter_languages}


def read_data_file(name: str) -> list[dict[str, Any]]:
    """The items of one file in the package's ``data/`` directory."""
    text = resources.files("cairn.vocabularies").joinpath("data", name).read_text(encoding="utf-8")
    items = json.loads(text)
    if not isinstance(items, list):
        raise ValueError(f"vocabulary data file {name} must hold a JSON list")
    return items


def load_registry() -> VocabularyRegistry:
    """Read every shipped vocabulary; call once at start-up and share the result."""
    files: dict[str, list[dict[str, Any]]] = {}
    vocabularies: dict[str, list[dict[str, Any]]] = {}
    for vtype, name in DATA_FILES.items():
        if name not in files:
            files[name] = read_data_file(name)
        vocabularies[vtype] = files[name]
    for vtype, build in BUILDERS.items():
        vocabularies[vtype] = list(build())
    return VocabularyRegistry(vocabularies)
