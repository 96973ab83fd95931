"""``access``, ``files`` and ``pids`` of a draft body.

``access.status`` and ``files.count``/``total_bytes``/``entries`` are computed by the server;
a client sending them back (GET then PUT) has them dropped silently.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

import idutils
from pydantic import AfterValidator, model_validator

from cairn.core.timeutil import utcnow

from .base import Strict, drop_keys
from .dates import IsoDate, parse_iso_date
from .identifiers import MAX_IDENTIFIER_LENGTH
from .messages import fail, fail_all, invalid_identifier, one_of, problem
from .text import OptText, ReqText, max_length

VISIBILITY = ("public", "restricted")
PID_SCHEME = re.compile(r"[a-z_-][a-z0-9_-]*")


def _visibility(value: str | None) -> str | None:
    if value is not None and value not in VISIBILITY:
        raise fail(one_of(VISIBILITY))
    return value


Visibility = Annotated[OptText, AfterValidator(_visibility)]


class Embargo(Strict):
    """``active`` true needs ``until`` in the future; false needs it absent or past."""

    active: bool | None = None
    until: IsoDate = None
    reason: OptText = None

    @model_validator(mode="after")
    def _consistent(self) -> Embargo:
        today = utcnow().date()
        until = parse_iso_date(self.until) if self.until else None
        if self.active:
            if until is None or until <= today:
                raise fail(
                    "Embargo end date must be set to a future date if active is True.",
                    at="until",
                )
        elif self.active is not None and until is not None and until > today:
            raise fail(
                "Embargo end date must be unset or in the past if active is False.",
                at="until",
                drop="until",
            )
        return self


class Access(Strict):
    record: Visibility = None
    files: Visibility = None
    embargo: Embargo | None = None

    @model_validator(mode="before")
    @classmethod
    def _drop_computed(cls, data: Any) -> Any:
        return drop_keys(data, frozenset({"status"}))


class FilesOptions(Strict):
    enabled: bool | None = None
    default_preview: Annotated[OptText, max_length(1024)] = None
    order: list[str] | None = None

    @model_validator(mode="before")
    @classmethod
    def _drop_computed(cls, data: Any) -> Any:
        return drop_keys(data, frozenset({"count", "total_bytes", "entries"}))


class Pid(Strict):
    """``{"identifier", "provider", "client"?}``; a ``doi`` must look like a DOI."""

    identifier: Annotated[ReqText, max_length(MAX_IDENTIFIER_LENGTH)]
    provider: ReqText
    client: OptText = None


def _pids(value: dict[str, Pid] | None) -> dict[str, Pid] | None:
    if not value:
        return value
    problems = [
        problem("Not a valid PID scheme.", at=scheme, drop=scheme)
        for scheme in value
        if not PID_SCHEME.fullmatch(scheme) or len(scheme) > 64
    ]
    doi = value.get("doi")
    if doi is not None:
        try:
            valid = bool(idutils.is_doi(doi.identifier))
        except Exception:  # idutils may raise on odd input
            valid = False
        if valid:
            doi.identifier = idutils.normalize_doi(doi.identifier)
        else:
            message = invalid_identifier("DOI")
            problems.append(problem(message, at=("doi", "identifier"), drop="doi"))
    if problems:
        raise fail_all(problems)
    return value


Pids = Annotated[dict[str, Pid] | None, AfterValidator(_pids)]
