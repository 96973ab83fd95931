"""The OAI-PMH 2.0 protocol: the six verbs, their arguments and every error they answer.

:class:`OaiProvider` takes a request's arguments (query string or form, as pairs) and
returns the response document. Records come from :class:`cairn.records.harvest.Harvest`;
metadata from the format registry; lists are cut into pages continued by signed,
self-contained resumption tokens (:mod:`cairn.oaipmh.tokens`). Sets are those by resource
type (:mod:`cairn.oaipmh.sets`) and those an administrator defines by a query
(:mod:`cairn.oaipmh.set_service`, members from :mod:`cairn.oaipmh.membership`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from lxml import etree
from sqlalchemy import exists

from cairn.oaipmh import responses as xml
from cairn.oaipmh.membership import SetMembership
from cairn.oaipmh.metadata import MetadataFormat
from cairn.oaipmh.models import OaiSetMember
from cairn.oaipmh.set_service import OaiSetService
from cairn.oaipmh.sets import ResourceTypeSets
from cairn.oaipmh.tokens import BadToken, ListState, TokenSigner
from cairn.records.harvest import Harvest, HarvestEntry, HarvestFilter
from cairn.records.models import Record

log = logging.getLogger(__name__)
GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SECOND = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
_REPOSITORY_ID = re.compile(r"^[a-zA-Z][a-zA-Z0-9\-]*(\.[a-zA-Z][a-zA-Z0-9\-]*)+$")
_LISTS = ("ListIdentifiers", "ListRecords")
BUILDING_RETRY_AFTER = 60  # seconds a harvester waits for a set whose members are being built
# change-log entries a harvest of a set defined by a query applies to the members first;
# beyond that (a bulk import) it answers 503 until the catch-up job is through
CATCH_UP_IN_REQUEST = 20_000
# verb -> (required arguments, optional arguments, takes a resumptionToken)
VERBS: dict[str, tuple[frozenset[str], frozenset[str], bool]] = {
    "Identify": (frozenset(), frozenset(), False),
    "ListMetadataFormats": (frozenset(), frozenset({"identifier"}), False),
    "ListSets": (frozenset(), frozenset(), True),
    "GetRecord": (frozenset({"identifier", "metadataPrefix"}), frozenset(), False),
    "ListIdentifiers": (frozenset({"metadataPrefix"}), frozenset({"from", "until", "set"}), True),
    "ListRecords": (frozenset({"metadataPrefix"}), frozenset({"from", "until", "set"}), True),
}


class OaiError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class Unavailable(Exception):
    """Answer with HTTP 503 and ``Retry-After`` (OAI-PMH's flow control)."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


@dataclass(frozen=True)
class QuerySets:
    """The sets defined by a query: their definitions and their members."""

    service: OaiSetService
    membership: SetMembership


@dataclass(frozen=True)
class Repository:
    name: str
    base_url: str  # of the endpoint itself
    host: str  # the identifier namespace: oai:<host>:<record id>
    admin_email: str
    page_size: int = 500


def parse_arguments(pairs: Sequence[tuple[str, str]]) -> tuple[str, dict[str, str]]:
    """The verb and its arguments; raises ``badVerb``/``badArgument``."""
    verbs = [v for k, v in pairs if k == "verb"]
    if len(verbs) != 1 or verbs[0] not in VERBS:
        if len(verbs) > 1:
            raise OaiError("badVerb", "The verb argument is repeated.")
        shown = verbs[0] if verbs else ""
        raise OaiError("badVerb", f"Illegal OAI verb: {shown!r}." if shown else "No verb given.")
    verb = verbs[0]
    required, optional, resumable = VERBS[verb]
    args: dict[str, str] = {}
    for key, value in pairs:
        if key == "verb":
            continue
        if key in args:
            raise OaiError("badArgument", f"The argument {key!r} is repeated.")
        allowed = key in required or key in optional or (resumable and key == "resumptionToken")
        if not allowed:
            raise OaiError("badArgument", f"The argument {key!r} is not allowed for {verb}.")
        if not value:
            raise OaiError("badArgument", f"The argument {key!r} is empty.")
        args[key] = value
    if "resumptionToken" in args:
        if len(args) > 1:
            raise OaiError("badArgument", "resumptionToken is an exclusive argument.")
        return verb, args
    missing = sorted(required - args.keys())
    if missing:
        raise OaiError("badArgument", f"Missing required argument(s): {', '.join(missing)}.")
    return verb, args


def _parse_date(name: str, value: str) -> tuple[datetime, bool]:
    """A from/until value and whether it is a day (not a second)."""
    try:
        if _DAY.match(value):
            return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC), True
        if _SECOND.match(value):
            return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC), False
    except ValueError:
        pass
    raise OaiError("badArgument", f"The argument {name!r} is not a valid UTC datestamp: {value!r}.")


def date_range(start: str | None, until: str | None) -> tuple[datetime | None, datetime | None]:
    """``from`` (inclusive) and the end (exclusive) of ``until``'s day or second."""
    begin = end = None
    day_begin = day_end = None
    if start is not None:
        begin, day_begin = _parse_date("from", start)
    if until is not None:
        last, day_end = _parse_date("until", until)
        end = last + (timedelta(days=1) if day_end else timedelta(seconds=1))
    if day_begin is not None and day_end is not None and day_begin != day_end:
        raise OaiError("badArgument", "from and until must have the same granularity.")
    if begin is not None and end is not None and begin >= end:
        raise OaiError("badArgument", "from is later than until.")
    return begin, end


class OaiProvider:
    def __init__(
        self,
        repository: Repository,
        harvest: Harvest,
        formats: dict[str, MetadataFormat],
        sets: ResourceTypeSets,
        signer: TokenSigner,
        add_links: Callable[[dict[str, Any]], dict[str, Any]],
        query_sets: QuerySets | None = None,
    ) -> None:
        self.repository = repository
        self.harvest = harvest
        self.formats = formats
        self.sets = sets
        self.query_sets = query_sets
        self.signer = signer
        self.add_links = add_links
        self._prefix = f"oai:{repository.host}:"

    # -- entry point ---------------------------------------------------------
    def handle(self, pairs: Sequence[tuple[str, str]]) -> bytes:
        """The response document; raises :class:`Unavailable` for a 503."""
        base = self.repository.base_url
        try:
            verb, args = parse_arguments(pairs)
        except OaiError as exc:  # no echo of the arguments after badVerb/badArgument
            return xml.to_bytes(xml.error_document(base, None, [(exc.code, exc.message)]))
        echoed = {"verb": verb, **args}
        root = xml.envelope(base, echoed)
        try:
            handler: Callable[[etree._Element, dict[str, str]], None] = getattr(self, f"_{verb}")
            body = xml.sub(root, verb)
            handler(body, args)
        except OaiError as exc:
            arguments = None if exc.code == "badArgument" else echoed
            return xml.to_bytes(xml.error_document(base, arguments, [(exc.code, exc.message)]))
        return xml.to_bytes(root)

    # -- helpers -------------------------------------------------------------
    def identifier(self, record_id: str) -> str:
        return f"{self._prefix}{record_id}"

    def _entry(self, identifier: str) -> HarvestEntry:
        if identifier.startswith(self._prefix):
            entry = self.harvest.get(identifier[len(self._prefix) :])
            if entry is not None:
                return entry
        raise OaiError("idDoesNotExist", f"No item has the identifier {identifier!r}.")

    def _format(self, prefix: str) -> MetadataFormat:
        fmt = self.formats.get(prefix)
        if fmt is None:
            raise OaiError("cannotDisseminateFormat", f"Unsupported metadataPrefix {prefix!r}.")
        return fmt

    def _member_specs(self, entries: Sequence[HarvestEntry]) -> dict[str, list[str]]:
        if self.query_sets is None:
            return {}
        return self.query_sets.membership.specs_of(e.id for e in entries)

    def _header(
        self, parent: etree._Element, entry: HarvestEntry, members: dict[str, list[str]]
    ) -> None:
        specs = (*self.sets.specs_of(entry.resource_type), *members.get(entry.id, ()))
        xml.header(parent, self.identifier(entry.id), entry.datestamp, specs, entry.deleted)

    def _record(
        self,
        parent: etree._Element,
        entry: HarvestEntry,
        fmt: MetadataFormat,
        members: dict[str, list[str]],
    ) -> None:
        node = xml.sub(parent, "record")
        self._header(node, entry, members)
        if entry.record is not None:
            xml.sub(node, "metadata").append(fmt.build(self.add_links(entry.record)))

    # -- verbs ---------------------------------------------------------------
    def _Identify(self, body: etree._Element, args: dict[str, str]) -> None:
        repo = self.repository
        earliest = self.harvest.earliest() or datetime.now(UTC)
        xml.sub(body, "repositoryName", repo.name)
        xml.sub(body, "baseURL", repo.base_url)
        xml.sub(body, "protocolVersion", "2.0")
        xml.sub(body, "adminEmail", repo.admin_email)
        xml.sub(body, "earliestDatestamp", xml.datestamp(earliest))
        xml.sub(body, "deletedRecord", "persistent")
        xml.sub(body, "granularity", GRANULARITY)
        if _REPOSITORY_ID.match(repo.host):
            xml.identifier_description(body, repo.host, self.identifier("abcde-fgh12"))

    def _ListMetadataFormats(self, body: etree._Element, args: dict[str, str]) -> None:
        if "identifier" in args:
            self._entry(args["identifier"])
        for fmt in self.formats.values():
            node = xml.sub(body, "metadataFormat")
            xml.sub(node, "metadataPrefix", fmt.prefix)
            xml.sub(node, "schema", fmt.schema)
            xml.sub(node, "metadataNamespace", fmt.namespace)

    def _ListSets(self, body: etree._Element, args: dict[str, str]) -> None:
        if "resumptionToken" in args:
            raise OaiError("badResumptionToken", "ListSets is never split: no token is valid.")
        for oai_set in self.sets.sets:
            node = xml.sub(body, "set")
            xml.sub(node, "setSpec", oai_set.spec)
            xml.sub(node, "setName", oai_set.name)
        if self.query_sets is not None:
            for defined in self.query_sets.service.all_sets():
                node = xml.sub(body, "set")
                xml.sub(node, "setSpec", defined.spec)
                xml.sub(node, "setName", defined.name)
                if defined.description:
                    xml.set_description(node, defined.description)

    def _GetRecord(self, body: etree._Element, args: dict[str, str]) -> None:
        fmt = self._format(args["metadataPrefix"])
        entry = self._entry(args["identifier"])
        self._record(body, entry, fmt, self._member_specs([entry]))

    def _ListIdentifiers(self, body: etree._Element, args: dict[str, str]) -> None:
        self._list(body, "ListIdentifiers", args)

    def _ListRecords(self, body: etree._Element, args: dict[str, str]) -> None:
        self._list(body, "ListRecords", args)

    # -- lists ---------------------------------------------------------------
    def _filter(
        self, set_spec: str | None, start: str | None, until: str | None
    ) -> tuple[HarvestFilter, str]:
        """The harvest's filter, and the version of the sets defined by a query it reads
        (a resumption token is good only for the same version)."""
        begin, end = date_range(start, until)
        if set_spec is None:
            return HarvestFilter(begin, end), ""
        oai_set = self.sets.get(set_spec)
        if oai_set is not None:
            return HarvestFilter(begin, end, oai_set.resource_types), ""
        # the set and, as OAI-PMH's hierarchy has it, its sub-sets (``spec:...``)
        defined = [
            d
            for d in (self.query_sets.service.all_sets() if self.query_sets else [])
            if d.spec == set_spec or d.spec.startswith(f"{set_spec}:")
        ]
        if not defined or self.query_sets is None:
            raise OaiError("noRecordsMatch", f"No set has the setSpec {set_spec!r}.")
        if not all(d.ready for d in defined) or not self._caught_up(self.query_sets):
            raise Unavailable(
                f"The members of set {set_spec!r} are being gathered; try again later.",
                BUILDING_RETRY_AFTER,
            )
        members = exists().where(
            OaiSetMember.set_id.in_([d.id for d in defined]),
            OaiSetMember.record_id == Record.id,
        )
        version = ",".join(f"{d.id}.{d.pattern_revision}" for d in defined)
        return HarvestFilter(begin, end, members=members), version

    @staticmethod
    def _caught_up(query_sets: QuerySets) -> bool:
        """Bring the members up to date with the change log (so the harvest sees everything
        committed before it began); False when there is too much to do in a request."""
        membership = query_sets.membership
        try:
            read = membership.catch_up(CATCH_UP_IN_REQUEST)
            return read < CATCH_UP_IN_REQUEST or not membership.behind()
        except Exception:  # the job catches up later; harvesters are told to come back
            log.exception("catching up with the change log for OAI-PMH sets failed")
            return False

    def _state(self, verb: str, args: dict[str, str]) -> tuple[ListState, HarvestFilter, bool]:
        """The list's state (from a token, or a first page) and its filter."""
        if "resumptionToken" in args:
            try:
                state = self.signer.loads(args["resumptionToken"])
            except BadToken as exc:
                raise OaiError("badResumptionToken", "The resumptionToken is invalid.") from exc
            if state.verb != verb or state.prefix not in self.formats:
                raise OaiError("badResumptionToken", f"The resumptionToken is not for {verb}.")
            try:
                where, version = self._filter(state.set_spec, state.start, state.until)
            except OaiError as exc:  # the set is gone
                raise OaiError("badResumptionToken", f"{exc.message} Start again.") from exc
            if version != state.set_version:
                message = f"Set {state.set_spec!r} was redefined since; start the list again."
                raise OaiError("badResumptionToken", message)
            return state, where, True
        prefix = args["metadataPrefix"]
        self._format(prefix)
        where, version = self._filter(args.get("set"), args.get("from"), args.get("until"))
        state = ListState(
            verb,
            prefix,
            args.get("set"),
            args.get("from"),
            args.get("until"),
            "",
            "",
            0,
            0,
            version,
        )
        return state, where, False

    def _list(self, body: etree._Element, verb: str, args: dict[str, str]) -> None:
        state, where, resumed = self._state(verb, args)
        size = self.repository.page_size
        after = None
        if resumed:
            after = (datetime.fromisoformat(state.after_stamp), state.after_id)
        records = verb == "ListRecords"
        entries = self.harvest.page(where, size + 1, after, with_records=records)
        if not entries and not resumed:
            raise OaiError("noRecordsMatch", "No records match the request.")
        more = len(entries) > size
        entries = entries[:size]
        fmt = self.formats[state.prefix]
        members = self._member_specs(entries)
        for entry in entries:
            if records:
                self._record(body, entry, fmt, members)
            else:
                self._header(body, entry, members)
        total = state.total if resumed else self.harvest.count(where)
        if more:
            last = entries[-1]
            token = self.signer.dumps(
                ListState(
                    verb,
                    state.prefix,
                    state.set_spec,
                    state.start,
                    state.until,
                    last.datestamp.isoformat(),
                    last.id,
                    state.cursor + len(entries),
                    max(total, state.cursor + len(entries) + 1),
                    state.set_version,
                )
            )
            xml.resumption(body, token, state.cursor, max(total, state.cursor + len(entries) + 1))
        elif resumed:
            xml.resumption(body, None, state.cursor, max(total, state.cursor + len(entries)))
