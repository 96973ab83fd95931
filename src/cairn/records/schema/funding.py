"""``metadata.funding``: a funder and, optionally, an award.

No funders or awards vocabulary ships yet, so (unlike InvenioRDM, which resolves them):

* a funder ``id`` must be a valid ROR id (InvenioRDM's funder ids are ROR ids); a ``name``
  sent along is kept;
* an award ``id`` is stored as given (InvenioRDM's form is ``<funder ROR>::<number>``), and
  ``title``/``number``/``acronym``/``program``/``identifiers`` sent along are kept.
"""

from __future__ import annotations

from pydantic import model_validator

from .base import Strict
from .identifiers import RecordIdentifiers, RorOrName
from .messages import fail
from .text import LanguageMap, OptText


class Funder(RorOrName):
    """A funder: its ROR id and/or its name."""


class Award(Strict):
    id: OptText = None
    title: LanguageMap = None
    number: OptText = None
    acronym: OptText = None
    program: OptText = None
    identifiers: RecordIdentifiers = None

    @model_validator(mode="after")
    def _check(self) -> Award:
        if self.id is None and (self.title is None or self.number is None):
            raise fail("An existing id or number/title must be present.")
        return self


class Funding(Strict):
    funder: Funder
    award: Award | None = None
