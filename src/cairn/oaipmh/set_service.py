"""``/api/oaipmh/sets``: OAI-PMH sets an administrator defines by a search query.

A set is ``{"name", "spec", "search_pattern", "description"}`` as in InvenioRDM; ``spec``
is fixed once created.  Anyone may read sets (ListSets shows them anyway); only
administrators create, change or delete them.  Creating a set, or changing its query,
queues a build of its members (:mod:`cairn.oaipmh.membership`); until the build is done,
harvesting the set is answered with 503 and ``Retry-After``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cairn.access.generators import Administrators, AnyUser, SystemProcess
from cairn.access.policy import Policy
from cairn.core.errors import (
    FieldError,
    InvalidRequest,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from cairn.core.identity import Identity
from cairn.core.timeutil import isoformat, utcnow
from cairn.db import Database
from cairn.db.jobs import enqueue
from cairn.db.like import contains
from cairn.oaipmh.membership import BUILD_JOB, SetMembership, lock
from cairn.oaipmh.models import OaiSet
from cairn.oaipmh.sets import ROOT as RESOURCE_TYPE_ROOT
from cairn.records.params import int_arg
from cairn.records.schema.text import clean_text
from cairn.search.percolate import query_error

# the OAI-PMH schema's setSpecType: unreserved URI characters, ':' between levels
SPEC = re.compile(r"^[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*$")
SORTS = ("name", "spec", "created", "updated")
MAX_NAME = 255
MAX_PATTERN = 4000
MAX_DESCRIPTION = 10_000
MAX_SIZE = 1000
MAX_PAGE = 100_000
MAX_Q = 500  # characters of ``q``
MAX_WORDS = 20  # of ``q``


def sets_policy() -> Policy:
    admins = (Administrators(), SystemProcess())
    return Policy({"read": (AnyUser(),), "create": admins, "update": admins, "delete": admins})


@dataclass(frozen=True)
class SetList:
    hits: list[dict[str, Any]]
    total: int
    sort: str
    page: int
    size: int
    # set id -> whether its members are gathered; for the administration pages, never
    # part of the API's JSON (InvenioRDM's sets have no such field)
    ready: dict[int, bool] = field(default_factory=dict)


def _text(
    data: Mapping[str, Any], name: str, limit: int, errors: list[FieldError], *, required: bool
) -> str | None:
    value = data.get(name)
    if value is None:
        if required:
            errors.append(FieldError(name, ["Missing data for required field."]))
        return None
    if not isinstance(value, str):
        errors.append(FieldError(name, ["Not a valid string."]))
        return None
    value = clean_text(value)
    if required and not value:
        errors.append(FieldError(name, ["Shorter than minimum length 1."]))
    elif len(value) > limit:
        errors.append(FieldError(name, [f"Longer than maximum length {limit}."]))
    return value


def dump(oai_set: OaiSet) -> dict[str, Any]:
    return {
        "id": oai_set.id,
        "name": oai_set.name,
        "spec": oai_set.spec,
        "search_pattern": oai_set.search_pattern,
        "description": oai_set.description,
        "system_created": oai_set.system_created,
        "created": isoformat(oai_set.created),
        "updated": isoformat(oai_set.updated),
    }


class OaiSetService:
    def __init__(self, db: Database, policy: Policy | None = None) -> None:
        self.db = db
        self.policy = policy or sets_policy()

    def _require(self, action: str, identity: Identity) -> None:
        if not self.policy.allows(action, identity):
            raise PermissionDenied()

    @staticmethod
    def _get(session: Session, set_id: str | int) -> OaiSet:
        try:
            number = int(set_id)
        except (TypeError, ValueError):
            raise NotFound(f"No OAI-PMH set with id {set_id!r}.") from None
        found = session.get(OaiSet, number) if 0 < number < 2**31 else None
        if found is None:
            raise NotFound(f"No OAI-PMH set with id {set_id!r}.")
        return found

    @staticmethod
    def _body(body: object) -> Mapping[str, Any]:
        if not isinstance(body, dict):
            raise InvalidRequest("The request body must be a JSON object.")
        return body

    def _validated(self, data: Mapping[str, Any], existing: OaiSet | None) -> dict[str, str | None]:
        errors: list[FieldError] = []
        out: dict[str, str | None] = {
            "name": _text(data, "name", MAX_NAME, errors, required=True),
            "search_pattern": _text(data, "search_pattern", MAX_PATTERN, errors, required=True),
            "description": _text(data, "description", MAX_DESCRIPTION, errors, required=False),
        }
        pattern = out["search_pattern"]
        if pattern and len(pattern) <= MAX_PATTERN and (problem := query_error(pattern)):
            errors.append(FieldError("search_pattern", [problem]))
        if existing is None:
            spec = _text(data, "spec", MAX_NAME, errors, required=True)
            if spec and len(spec) <= MAX_NAME:
                if not SPEC.match(spec):
                    errors.append(
                        FieldError(
                            "spec",
                            [
                                "Only letters, digits and - _ . ! ~ * ' ( ) are allowed, "
                                "with ':' between the levels of a hierarchy."
                            ],
                        )
                    )
                elif spec == RESOURCE_TYPE_ROOT or spec.startswith(f"{RESOURCE_TYPE_ROOT}:"):
                    errors.append(
                        FieldError("spec", [f"Specs under '{RESOURCE_TYPE_ROOT}' are reserved."])
                    )
            out["spec"] = spec
        elif "spec" in data and data["spec"] != existing.spec:
            errors.append(FieldError("spec", ["The spec of a set cannot be changed."]))
        if errors:
            raise ValidationFailed(errors)
        return out

    @staticmethod
    def _duplicate(spec: str | None) -> ValidationFailed:
        return ValidationFailed([FieldError("spec", [f"A set with spec {spec!r} already exists."])])

    @staticmethod
    def _queue_build(session: Session, oai_set: OaiSet) -> None:
        oai_set.ready = False
        session.flush()
        payload = {"set_id": oai_set.id, "revision": oai_set.pattern_revision}
        enqueue(session, BUILD_JOB, payload, max_attempts=5)

    # -- the service ------------------------------------------------------------------------
    def create(self, identity: Identity, body: object) -> dict[str, Any]:
        self._require("create", identity)
        values = self._validated(self._body(body), None)
        try:
            with self.db.write() as uow:
                session = uow.session
                lock(session)  # one at a time with builds and catch-ups (see membership)
                taken = session.scalar(select(OaiSet.id).where(OaiSet.spec == values["spec"]))
                if taken is not None:
                    raise self._duplicate(values["spec"])
                if session.scalar(select(func.count()).select_from(OaiSet)) == 0:
                    SetMembership.follow_from_now(session)
                now = utcnow()
                oai_set = OaiSet(
                    spec=values["spec"],
                    name=values["name"],
                    search_pattern=values["search_pattern"],
                    description=values["description"],
                    system_created=False,
                    pattern_revision=1,
                    ready=False,
                    created=now,
                    updated=now,
                )
                session.add(oai_set)
                self._queue_build(session, oai_set)
                return dump(oai_set)
        except IntegrityError:  # the same spec created concurrently
            if self.by_spec(str(values["spec"])) is None:
                raise
            raise self._duplicate(values["spec"]) from None

    def read(self, identity: Identity, set_id: str | int) -> dict[str, Any]:
        self._require("read", identity)
        with self.db.read() as session:
            return dump(self._get(session, set_id))

    def update(self, identity: Identity, set_id: str | int, body: object) -> dict[str, Any]:
        self._require("update", identity)
        data = self._body(body)
        with self.db.write() as uow:
            session = uow.session
            lock(session)
            oai_set = self._get(session, set_id)
            values = self._validated(data, oai_set)
            oai_set.name = str(values["name"])
            oai_set.description = values["description"]
            if values["search_pattern"] != oai_set.search_pattern:
                oai_set.search_pattern = str(values["search_pattern"])
                oai_set.pattern_revision += 1
                self._queue_build(session, oai_set)
            oai_set.updated = utcnow()
            session.flush()
            return dump(oai_set)

    def delete(self, identity: Identity, set_id: str | int) -> None:
        self._require("delete", identity)
        with self.db.write() as uow:
            lock(uow.session)
            uow.session.delete(self._get(uow.session, set_id))

    def search(self, identity: Identity, args: Mapping[str, str]) -> SetList:
        """``q`` (words in the name, spec or description), ``sort`` (name, spec, created,
        updated; ``-`` before it or ``sort_direction=desc`` for descending), ``page``, ``size``."""
        self._require("read", identity)
        errors: list[FieldError] = []
        q = clean_text(args.get("q") or "")
        if len(q) > MAX_Q or len(q.split()) > MAX_WORDS:
            message = f"At most {MAX_WORDS} words and {MAX_Q} characters."
            errors.append(FieldError("q", [message]))
        raw_sort = args.get("sort") or "name"
        descending = raw_sort.startswith("-")
        sort = raw_sort.lstrip("-")
        if sort not in SORTS:
            errors.append(FieldError("sort", [f"Must be one of: {', '.join(SORTS)}."]))
        direction = args.get("sort_direction") or "asc"
        if direction not in ("asc", "desc"):
            errors.append(FieldError("sort_direction", ["Must be one of: asc, desc."]))
        descending = descending or direction == "desc"
        page = int_arg(args, "page", 1, errors)
        if page > MAX_PAGE:
            errors.append(FieldError("page", [f"Must be less than or equal to {MAX_PAGE}."]))
        size = int_arg(args, "size", 25, errors)
        if size > MAX_SIZE:
            errors.append(FieldError("size", [f"Must be less than or equal to {MAX_SIZE}."]))
        if errors:
            raise ValidationFailed(errors, "Invalid querystring parameters.")
        query = select(OaiSet)
        for word in q.split():
            query = query.where(
                or_(
                    contains(OaiSet.name, word),
                    contains(OaiSet.spec, word),
                    contains(OaiSet.description, word),
                )
            )
        column = getattr(OaiSet, sort)
        order = [column.desc() if descending else column.asc(), OaiSet.id]
        with self.db.read() as session:
            total = int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)
            rows = session.scalars(query.order_by(*order).offset((page - 1) * size).limit(size))
            found = list(rows)
            hits = [dump(row) for row in found]
            ready = {row.id: row.ready for row in found}
        return SetList(hits, total, ("-" if descending else "") + sort, page, size, ready)

    def all_sets(self) -> list[OaiSet]:
        """Every set, by spec (for ListSets)."""
        with self.db.read() as session:
            return list(session.scalars(select(OaiSet).order_by(OaiSet.spec)))

    def by_spec(self, spec: str) -> OaiSet | None:
        with self.db.read() as session:
            return session.scalar(select(OaiSet).where(OaiSet.spec == spec))
