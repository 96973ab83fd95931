"""Creators and contributors: persons or organisations, their identifiers and affiliations."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, model_validator

from .base import Strict
from .identifiers import PersonOrOrgIdentifiers, RorOrName
from .messages import fail, fail_all, problem
from .refs import ContributorRole, CreatorRoleRef
from .text import OptText

PERSON_OR_ORG_TYPES = ("organizational", "personal")
TYPE_MESSAGE = "Invalid value. Choose one of ['organizational', 'personal']."


def _type(value: str | None) -> str | None:
    if value is not None and value not in PERSON_OR_ORG_TYPES:
        raise fail(TYPE_MESSAGE)
    return value


class PersonOrOrg(Strict):
    """A person (``family_name`` required) or an organisation (``name`` required)."""

    type: Annotated[OptText, AfterValidator(_type)] = None
    name: OptText = None
    given_name: OptText = None
    family_name: OptText = None
    identifiers: PersonOrOrgIdentifiers = None

    @model_validator(mode="after")
    def _names(self) -> PersonOrOrg:
        if self.type is None:
            raise fail(TYPE_MESSAGE, at="type")
        if self.type == "personal":
            if self.family_name is None:
                raise fail("Family name cannot be blank.", at="family_name")
            self.name = ", ".join(n for n in (self.family_name, self.given_name) if n)
        else:
            if self.name is None:
                raise fail("Name cannot be blank.", at="name")
            self.given_name = self.family_name = None
        return self


class Affiliation(RorOrName):
    """A creator's or contributor's affiliation."""


def _no_duplicate_affiliations(items: list[Affiliation] | None) -> list[Affiliation] | None:
    if items:
        seen: set[tuple[str, str]] = set()
        problems = []
        for index, item in enumerate(items):
            key = ("id", item.id) if item.id else ("name", (item.name or "").casefold())
            if key in seen:
                problems.append(problem("Duplicated affiliation.", at=index, drop=index))
            seen.add(key)
        if problems:
            raise fail_all(problems)
    return items


Affiliations = Annotated[list[Affiliation] | None, AfterValidator(_no_duplicate_affiliations)]


class Creator(Strict):
    person_or_org: PersonOrOrg
    role: CreatorRoleRef = None
    affiliations: Affiliations = None


class Contributor(Strict):
    person_or_org: PersonOrOrg
    role: ContributorRole
    affiliations: Affiliations = None
