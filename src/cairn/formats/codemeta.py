"""CodeMeta 3.0 JSON-LD (``application/vnd.codemeta.ld+json``): a record described as
software, with the InvenioRDM ``code:*`` custom fields when the record has them."""

from __future__ import annotations

from typing import Any

from cairn.formats.csl import obj, objs, text_of
from cairn.formats.jsonld import to_jsonld

CONTEXT = "https://w3id.org/codemeta/3.0"
_KEPT = (
    "@id",
    "identifier",
    "url",
    "name",
    "description",
    "version",
    "datePublished",
    "dateModified",
    "publisher",
    "keywords",
    "license",
    "funder",
    "contributor",
)


def _repository(record: dict[str, Any]) -> str:
    fields = obj(record.get("custom_fields"))
    found = fields.get("code:codeRepository")
    if found:
        return str(found)
    for related in objs(obj(record.get("metadata")).get("related_identifiers")):
        if not isinstance(related, dict) or related.get("scheme") != "url":
            continue
        relation = obj(related.get("relation_type")).get("id")
        if relation in ("issupplementto", "isderivedfrom", "isidenticalto"):
            return str(related.get("identifier") or "")
    return ""


def to_codemeta(record: dict[str, Any]) -> dict[str, Any]:
    described = to_jsonld(record)
    out: dict[str, Any] = {"@context": CONTEXT, "@type": "SoftwareSourceCode"}
    out.update({k: described[k] for k in _KEPT if k in described})
    if "creator" in described:
        out["author"] = described["creator"]
    fields = obj(record.get("custom_fields"))
    repository = _repository(record)
    if repository:
        out["codeRepository"] = repository
    languages = [text_of(x) for x in objs(fields.get("code:programmingLanguage"))]
    if any(languages):
        out["programmingLanguage"] = [x for x in languages if x]
    status = fields.get("code:developmentStatus")
    if status:
        out["developmentStatus"] = text_of(status)
    return out
