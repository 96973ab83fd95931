"""The record body schema: InvenioRDM's metadata model as pydantic models.

The records service uses three functions:

``load_draft(body, vocabularies) -> (data, errors)``
    the storable form of a ``POST /api/records`` or ``PUT .../draft`` body; invalid parts are
    left out and reported ("partial drafts"), nothing is required yet;
``validate_for_publish(data, vocabularies) -> errors``
    what stops a stored draft from being published (empty list: nothing);
``expand_references(metadata, vocabularies) -> metadata``
    stored ``{"id": ...}`` vocabulary references with their titles, for reading.

``vocabularies`` is anything with ``exists(type, id)`` and ``get(type, id)``
(``VocabularyLookup``), normally ``cairn.vocabularies.VocabularyRegistry``.
Field-by-field rules: docs/metadata.md.
"""

from .body import SERVER_OWNED, DraftBody
from .expand import expand_references
from .loader import load_draft, validate_for_publish
from .metadata import Metadata
from .refs import VocabularyLookup

__all__ = [
    "SERVER_OWNED",
    "DraftBody",
    "Metadata",
    "VocabularyLookup",
    "expand_references",
    "load_draft",
    "validate_for_publish",
]
