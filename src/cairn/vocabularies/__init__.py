"""Controlled vocabularies shipped as data: resource types, licences, languages, roles ...

``load_registry()`` reads them once (call it at start-up and share the result);
``VocabularyRegistry`` answers lookups by type and id and searches within a type.
See docs/vocabularies.md for the list of types and the shape of an item.
"""

from .loader import load_registry
from .registry import VocabularyRegistry
from .vocabulary import SORT_OPTIONS

__all__ = ["SORT_OPTIONS", "VocabularyRegistry", "load_registry"]
