"""``metadata``: InvenioRDM's descriptive metadata (API.md 2.2) as pydantic models.

Every field is optional here: a draft may be incomplete.  What publishing requires is checked
by ``validate_for_publish``.  Within a given object, subfields InvenioRDM requires are
required (an additional title needs its ``type``, a related identifier its
``relation_type`` ...).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import ValidationInfo, model_validator

from .base import Strict, drop_keys
from .dates import EdtfDate, PublicationDate
from .funding import Funding
from .html import Html
from .identifiers import (
    RECORD_SCHEMES,
    IdentifierProblem,
    RecordIdentifiers,
    SchemedIdentifier,
    check_identifier,
)
from .locations import Locations
from .messages import fail
from .people import Contributor, Creator
from .refs import (
    READ_ONLY_LICENSE_KEYS,
    DateType,
    DescriptionType,
    Language,
    LanguageRef,
    RelationType,
    ResourceTypeRef,
    TitleType,
    check_vocabulary_id,
)
from .text import LanguageMap, OptText, ReqText, Url, max_length, min_length, non_blank

Title = Annotated[OptText, min_length(3)]


class AdditionalTitle(Strict):
    title: Annotated[ReqText, min_length(3)]
    type: TitleType
    lang: LanguageRef = None


class AdditionalDescription(Strict):
    description: Annotated[Html, non_blank("Missing data for required field.")]
    type: DescriptionType
    lang: LanguageRef = None


class Subject(Strict):
    """``{"id": ...}`` (kept as given: no subjects vocabulary ships yet) or ``{"subject": ...}``."""

    id: OptText = None
    subject: OptText = None
    scheme: OptText = None

    @model_validator(mode="after")
    def _check(self) -> Subject:
        if self.id is None and self.subject is None:
            raise fail("An existing id or a free text subject must be present.")
        return self


class DateItem(Strict):
    date: Annotated[EdtfDate, non_blank("Missing data for required field.")]
    type: DateType
    description: OptText = None


class RelatedIdentifier(SchemedIdentifier):
    relation_type: RelationType
    resource_type: ResourceTypeRef = None


class Right(Strict):
    """A license from the ``licenses`` vocabulary (``{"id"}``) or a custom one.

    With an ``id``, the keys ``expand_references`` adds on read are ignored.
    """

    id: OptText = None
    title: LanguageMap = None
    description: LanguageMap = None
    link: Url = None

    @model_validator(mode="before")
    @classmethod
    def _drop_expansion(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("id") not in (None, ""):
            return drop_keys(data, READ_ONLY_LICENSE_KEYS)
        return data

    @model_validator(mode="after")
    def _check(self, info: ValidationInfo) -> Right:
        if self.id is not None:
            self.id = check_vocabulary_id("licenses", self.id, info)
        elif self.title is None:
            raise fail("An existing id or a free text title must be present.")
        return self


class Reference(Strict):
    reference: ReqText
    identifier: OptText = None
    scheme: OptText = None

    @model_validator(mode="after")
    def _check(self) -> Reference:
        try:
            self.identifier, self.scheme = check_identifier(
                self.identifier, self.scheme, RECORD_SCHEMES, required=False
            )
        except IdentifierProblem as issue:
            raise fail(issue.message, at=issue.field, drop=["identifier", "scheme"]) from None
        return self


Size = Annotated[OptText, non_blank("Size cannot be a blank string.")]
Format = Annotated[OptText, non_blank("Format cannot be a blank string.")]


class Metadata(Strict):
    resource_type: ResourceTypeRef = None
    creators: list[Creator] | None = None
    title: Title = None
    additional_titles: list[AdditionalTitle] | None = None
    publisher: OptText = None
    publication_date: PublicationDate = None
    subjects: list[Subject] | None = None
    contributors: list[Contributor] | None = None
    dates: list[DateItem] | None = None
    languages: list[Language] | None = None
    identifiers: RecordIdentifiers = None
    related_identifiers: list[RelatedIdentifier] | None = None
    sizes: list[Size] | None = None
    formats: list[Format] | None = None
    version: Annotated[OptText, max_length(191)] = None
    rights: list[Right] | None = None
    copyright: OptText = None
    description: Html = None
    additional_descriptions: list[AdditionalDescription] | None = None
    locations: Locations | None = None
    funding: list[Funding] | None = None
    references: list[Reference] | None = None


REQUIRED_AT_PUBLISH = ("resource_type", "title", "publication_date", "creators")
