"""OAI-PMH sets by resource type, from the ``resourcetypes`` vocabulary.

``resource_type:<type>`` holds every record of a top-level type (``resource_type:dataset``,
``resource_type:publication``); ``resource_type:<type>:<subtype id>`` the records of one subtype
(``resource_type:publication:publication-article``). Set hierarchy is by ``:``, so a record of a
subtype is also in its type's set.
"""

from __future__ import annotations

from dataclasses import dataclass

from cairn.vocabularies import VocabularyRegistry

ROOT = "resource_type"


@dataclass(frozen=True)
class OaiSet:
    spec: str
    name: str
    resource_types: frozenset[str]
    """The resource type ids of the records in the set."""


class ResourceTypeSets:
    def __init__(self, vocabularies: VocabularyRegistry) -> None:
        items, _total = vocabularies.search("resourcetypes", sort="id", size=10_000)
        by_type: dict[str, set[str]] = {}
        names: dict[str, str] = {}
        self._specs_of: dict[str, tuple[str, ...]] = {}
        subtypes: list[tuple[str, str, str]] = []
        for item in items:
            props = item.get("props") or {}
            kind = str(props.get("type") or item["id"])
            title = str((item.get("title") or {}).get("en") or item["id"])
            by_type.setdefault(kind, set()).add(item["id"])
            if item["id"] == kind:
                names[kind] = title
                self._specs_of[item["id"]] = (f"{ROOT}:{kind}",)
            else:
                subtypes.append((kind, item["id"], title))
                self._specs_of[item["id"]] = (f"{ROOT}:{kind}", f"{ROOT}:{kind}:{item['id']}")
        sets = [OaiSet(ROOT, "Records by resource type", frozenset(self._specs_of))]
        for kind in sorted(by_type):
            sets.append(OaiSet(f"{ROOT}:{kind}", names.get(kind, kind), frozenset(by_type[kind])))
        for kind, sub, title in sorted(subtypes):
            parent = names.get(kind, kind)
            sets.append(OaiSet(f"{ROOT}:{kind}:{sub}", f"{parent}: {title}", frozenset({sub})))
        self.sets: tuple[OaiSet, ...] = tuple(sets)
        self._by_spec = {s.spec: s for s in sets}

    def get(self, spec: str) -> OaiSet | None:
        return self._by_spec.get(spec)

    def specs_of(self, resource_type: str | None) -> tuple[str, ...]:
        """The specs a record of ``resource_type`` is listed with in its header."""
        if resource_type is None:
            return ()
        return self._specs_of.get(resource_type, ())
