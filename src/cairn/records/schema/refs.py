"""Vocabulary references ``{"id": ...}`` and the lookup they are checked against.

A reference is stored as ``{"id": <id>}`` only.  On read ``expand_references`` adds the
item's ``title`` (rights also ``description``, ``icon``, ``props``, ``link``); a client that
sends such an expanded reference back (GET then PUT) has those read-only keys dropped
silently.  Any other extra key is an unknown field.

The lookup comes in through pydantic's validation context (``context={"vocabularies": ...}``);
without one, ids are not checked (useful for shape-only validation).
"""

from __future__ import annotations

from typing import Annotated, Any, Protocol, runtime_checkable

from pydantic import AfterValidator, ValidationInfo, model_validator

from .base import Strict, drop_keys
from .messages import INVALID_VALUE, REQUIRED, fail
from .text import clean_text

CONTEXT_KEY = "vocabularies"


@runtime_checkable
class VocabularyLookup(Protocol):
    """What the schema needs from the vocabulary registry."""

    def exists(self, vtype: str, vid: str) -> bool: ...

    def get(self, vtype: str, vid: str) -> dict[str, Any] | None: ...

    def peek(self, vtype: str, vid: str) -> dict[str, Any] | None:
        """Like ``get`` but the stored item itself: callers must not change it."""
        ...


READ_ONLY_REF_KEYS = frozenset({"title"})
READ_ONLY_LICENSE_KEYS = frozenset({"title", "description", "icon", "props", "link"})


class VocabRef(Strict):
    """``{"id": ...}`` pointing at an item of a controlled vocabulary."""

    id: str

    @model_validator(mode="before")
    @classmethod
    def _drop_expansion(cls, data: Any) -> Any:
        return drop_keys(data, READ_ONLY_REF_KEYS)


def lookup_from(info: ValidationInfo) -> VocabularyLookup | None:
    context = info.context
    if isinstance(context, dict):
        lookup = context.get(CONTEXT_KEY)
        if lookup is not None:
            return lookup
    return None


def check_vocabulary_id(vtype: str, vid: str, info: ValidationInfo) -> str:
    """The cleaned id; raises a located error when blank or unknown in ``vtype``."""
    vid = clean_text(vid)
    if not vid:
        raise fail(REQUIRED, at="id")
    lookup = lookup_from(info)
    if lookup is not None and not lookup.exists(vtype, vid):
        raise fail(INVALID_VALUE, at="id")
    return vid


def _exists(vtype: str) -> AfterValidator:
    def check(ref: VocabRef | None, info: ValidationInfo) -> VocabRef | None:
        if ref is not None:
            ref.id = check_vocabulary_id(vtype, ref.id, info)
        return ref

    return AfterValidator(check)


# optional references (``None`` = absent) ...
ResourceTypeRef = Annotated[VocabRef | None, _exists("resourcetypes")]
CreatorRoleRef = Annotated[VocabRef | None, _exists("creatorsroles")]
LanguageRef = Annotated[VocabRef | None, _exists("languages")]
# ... and required ones (missing or null is an error)
ContributorRole = Annotated[VocabRef, _exists("contributorsroles")]
TitleType = Annotated[VocabRef, _exists("titletypes")]
DescriptionType = Annotated[VocabRef, _exists("descriptiontypes")]
DateType = Annotated[VocabRef, _exists("datetypes")]
Language = Annotated[VocabRef, _exists("languages")]
RelationType = Annotated[VocabRef, _exists("relationtypes")]
