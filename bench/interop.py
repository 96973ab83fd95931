"""Benchmark interoperability: DataCite XML serialization rate and an OAI-PMH harvest.

    python -m bench.interop --serialize 20000 [--seed 1] [--validate 500] [--out PATH]
    python -m bench.interop --harvest 100000 [--seed 1] [--database-url URL] [--out PATH]
    python -m bench.interop --set 100000 [--seed 1] [--database-url URL] [--out PATH]

``--serialize N`` generates N realistic records in the API's JSON shape (titles, abstracts,
creators and affiliations from :class:`bench.search.Corpus`, plus DOIs, ORCIDs, ROR ids,
related identifiers, dates, funding and locations on a share of them, all from ``--seed``),
then times the registry's ``datacite-xml`` format turning each record into XML bytes — the
whole path a request or an OAI-PMH page takes (record -> DataCite structure -> lxml -> bytes),
single-threaded. It reports records/s (best of three passes over the corpus, and the mean),
checks the first ``--validate`` outputs against the kernel-4.5 XSD, and merges its results
into ``bench/results/interop.json`` under ``"serialize"``.

``--harvest N`` inserts N published records into a fresh instance (SQLite, or the empty
PostgreSQL database of ``--database-url``) with :func:`bench.search.generate`, builds the search
indexes (so the indexer does not compete with the harvest), starts ``cairn serve`` and harvests
every record with ``ListRecords`` in ``oai_datacite`` over one keep-alive HTTP connection,
following resumption tokens and parsing each page with lxml; it reports records/s end to end
under ``"harvest"``.

``--set N`` prepares the same instance, then creates an OAI-PMH set defined by a query
(``metadata.resource_type.id:dataset``, about a third of the records) and times
:meth:`SetMembership.build <cairn.oaipmh.membership.SetMembership.build>` gathering its
members (records walked per second); harvests the set with ``ListRecords`` in
``oai_datacite`` from ``cairn serve`` as ``--harvest`` does, checking it yields every member;
then switches 1,000 random records in or out of the set (their resource type, in the table),
appends a ``publish`` change for each to the change log, and times
:meth:`SetMembership.catch_up <cairn.oaipmh.membership.SetMembership.catch_up>` applying them,
checking the member count afterwards. Its results go under ``"sets"`` (SQLite) or
``"sets_postgresql"``; these have no target.

Targets (issue 6): >= 2,000 records/s for ``--serialize`` and ``--harvest``. Each mode writes
its own key of the results file.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import platform
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from lxml import etree
from sqlalchemy import func, select

from bench.lifecycle import free_port, start_server
from bench.search import Corpus, build_indexes, generate, git_commit, log
from cairn.accounts.service import AccountService
from cairn.cli.common import progress_bar
from cairn.core.identity import SYSTEM
from cairn.db import Database
from cairn.db.changes import record_changes
from cairn.db.migrate import upgrade
from cairn.files.component import FilesComponent
from cairn.formats import default_registry
from cairn.oaipmh.membership import SetMembership
from cairn.oaipmh.models import OaiSetMember
from cairn.oaipmh.set_service import OaiSetService
from cairn.records.index_docs import DocumentSource
from cairn.records.models import Record
from cairn.search.percolate import Percolator
from cairn.settings import Settings, ensure_instance, load_settings

RESULTS = Path(__file__).parent / "results"
OUT = RESULTS / "interop.json"
KERNEL = Path(__file__).resolve().parents[2] / "shared/data/datacite-schema/kernel-4.5/metadata.xsd"
TARGETS = {"serialize_records_per_s": 2000, "harvest_records_per_s": 2000}
OAI_NS = "http://www.openarchives.org/OAI/2.0/"
RELATIONS = ["cites", "issupplementto", "references", "isderivedfrom", "ispartof", "isnewversionof"]
RORS = ["01ggx4157", "00k4n6c32", "03yrm5c26", "05gq02987", "0524sp257"]
DATE_TYPES = ["collected", "created", "valid", "accepted"]
SET_TYPE = "dataset"  # about a third of bench.search's records
SET_QUERY = f"metadata.resource_type.id:{SET_TYPE}"
CHANGES = 1000  # records changed before timing catch_up


def _orcid(rng: random.Random) -> str:
    digits = [rng.randrange(10) for _ in range(15)]
    total = 0
    for d in digits:
        total = (total + d) * 2
    check = (12 - total % 11) % 11
    body = "".join(map(str, digits)) + ("X" if check == 10 else str(check))
    return "-".join(body[i : i + 4] for i in range(0, 16, 4))


def records(count: int, seed: int) -> Iterator[dict[str, Any]]:
    """``count`` records as the API returns them (``links`` included)."""
    corpus = Corpus(count, seed)
    rng = random.Random(seed + 1)
    for n in range(count):
        md = corpus.metadata()
        for creator in md["creators"]:
            if rng.random() < 0.4:
                creator["person_or_org"]["identifiers"] = [
                    {"scheme": "orcid", "identifier": _orcid(rng)}
                ]
            if rng.random() < 0.3:
                creator["affiliations"][0]["id"] = rng.choice(RORS)
        if rng.random() < 0.3:
            md["related_identifiers"] = [
                {
                    "identifier": f"10.{rng.randint(1000, 9999)}/x{rng.getrandbits(24):x}",
                    "scheme": "doi",
                    "relation_type": {"id": rng.choice(RELATIONS)},
                    "resource_type": {"id": "publication-article"},
                }
                for _ in range(rng.randint(1, 4))
            ]
        if rng.random() < 0.3:
            year = rng.randint(1990, 2024)
            md["dates"] = [
                {
                    "date": f"{year}/{year + rng.randint(0, 5)}",
                    "type": {"id": rng.choice(DATE_TYPES)},
                }
            ]
        if rng.random() < 0.2:
            md["funding"] = [
                {
                    "funder": {"id": rng.choice(RORS), "name": "A funder"},
                    "award": {
                        "number": str(rng.randint(10**5, 10**6)),
                        "title": {"en": "A project"},
                    },
                }
            ]
        if rng.random() < 0.15:
            lon, lat = rng.uniform(-180, 180), rng.uniform(-90, 90)
            md["locations"] = {
                "features": [{"geometry": {"type": "Point", "coordinates": [lon, lat]}}]
            }
        rid = f"{n:05d}-{rng.getrandbits(20):05x}"
        record: dict[str, Any] = {
            "id": rid,
            "created": "2024-05-06T07:08:09.123456+00:00",
            "updated": "2024-05-06T07:08:09.123456+00:00",
            "pids": {"oai": {"identifier": f"oai:cairn.bench:{rid}", "provider": "oai"}},
            "metadata": md,
            "access": {"record": "public", "files": "public", "status": "open"},
            "links": {
                "self": f"https://cairn.bench/api/records/{rid}",
                "self_html": f"https://cairn.bench/records/{rid}",
            },
        }
        if rng.random() < 0.8:
            record["pids"]["doi"] = {"identifier": f"10.5281/cairn.{rid}", "provider": "datacite"}
        yield record


def _environment() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "commit": git_commit(),
        "measured": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def _write(out: Path, results: dict[str, Any]) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")


def _timed(
    write: Callable[[dict[str, Any]], bytes], corpus: list[dict[str, Any]]
) -> tuple[float, int]:
    start = time.perf_counter()
    size = sum(len(write(record)) for record in corpus)
    return time.perf_counter() - start, size


def serialize(count: int, seed: int, validate: int) -> dict[str, Any]:
    log(f"generating {count:,} records (seed {seed})")
    corpus = list(records(count, seed))
    fmt = default_registry().by_name("datacite-xml")
    assert fmt is not None

    def write(record: dict[str, Any]) -> bytes:
        return fmt.serialize(record)

    schema = etree.XMLSchema(etree.parse(str(KERNEL), etree.XMLParser(no_network=True)))
    invalid = [
        r["id"] for r in corpus[:validate] if not schema.validate(etree.fromstring(write(r)))
    ]
    log(f"validated {min(validate, count):,} outputs against kernel-4.5: {len(invalid)} invalid")
    passes = []
    size = 0
    for number in range(3):
        seconds, size = _timed(write, corpus)
        passes.append(count / seconds)
        log(f"pass {number + 1}: {count / seconds:,.0f} records/s")
    return {
        "records": count,
        "seed": seed,
        "records_per_s": round(max(passes)),
        "records_per_s_mean": round(sum(passes) / len(passes)),
        "mean_bytes": round(size / count),
        "validated": min(validate, count),
        "invalid": invalid,
    }


def _harvest_pages(client: Any, first: str) -> Iterator[tuple[int, int]]:
    """(records, bytes) of each ListRecords page, following resumption tokens."""
    path = first
    while path:
        status, body = client.request("GET", path)
        if status != 200:
            raise RuntimeError(f"{path}: HTTP {status}")
        root = etree.fromstring(body)
        error = root.find(f"{{{OAI_NS}}}error")
        if error is not None:
            raise RuntimeError(f"{path}: {error.get('code')}: {error.text}")
        listing = root.find(f"{{{OAI_NS}}}ListRecords")
        assert listing is not None
        yield len(listing.findall(f"{{{OAI_NS}}}record")), len(body)
        token = listing.find(f"{{{OAI_NS}}}resumptionToken")
        path = (
            f"/oai2d?verb=ListRecords&resumptionToken={quote(token.text)}"
            if (token is not None and token.text)
            else ""
        )


@dataclass(frozen=True)
class _Instance:
    settings: Settings
    db: Database
    token: str
    database_url: str | None

    def harvest(self, query: str) -> tuple[int, int, int, float]:
        """Harvest ``ListRecords&<query>`` from a ``cairn serve`` of this instance:
        (records, pages, bytes, seconds)."""
        self.db.dispose()  # the server's connections only
        env = {k: v for k, v in os.environ.items() if not k.startswith("CAIRN_")}
        env.update(
            {
                "CAIRN_INSTANCE": str(self.settings.instance),
                "CAIRN_PORT": str(self.settings.port),
                "CAIRN_LOG_LEVEL": "warning",
                "CAIRN_JOBS_IN_SERVER": "false",
            }
        )
        if self.database_url:
            env["CAIRN_DATABASE_URL"] = self.database_url
        server, client = start_server(env, self.settings.port, self.token)
        try:
            log(f"harvesting ListRecords&{query}")
            start = time.perf_counter()
            harvested = pages = size = 0
            for got, length in _harvest_pages(client, f"/oai2d?verb=ListRecords&{query}"):
                harvested, pages, size = harvested + got, pages + 1, size + length
            seconds = time.perf_counter() - start
        finally:
            server.terminate()
            server.wait(timeout=30)
        log(f"{harvested:,} records in {seconds:.1f} s over {pages} pages")
        return harvested, pages, size, seconds


@contextmanager
def _instance(count: int, seed: int, database_url: str | None) -> Iterator[_Instance]:
    """A fresh instance holding ``count`` published records, its search indexes built (so
    the indexer stays idle), removed afterwards."""
    tmp = Path(tempfile.mkdtemp(prefix="cairn-interop-bench-"))
    overrides: dict[str, Any] = {"instance": tmp / "instance", "port": free_port()}
    if database_url:
        overrides["database_url"] = database_url
    settings = ensure_instance(load_settings({}, **overrides))
    db = Database(settings.effective_database_url, settings.db_pool_size)
    try:
        upgrade(db)
        owner = AccountService(db).create_user(SYSTEM, "bench@example.org")
        _, token = AccountService(db).create_token(SYSTEM, owner.email, "bench")
        log(f"inserting {count:,} published records")
        generate(db, Corpus(count, seed), count, owner.id, 0)
        log("building the search indexes first, so the indexer stays idle")
        build_indexes(settings, db, count)
        yield _Instance(settings, db, token, database_url)
    finally:
        db.dispose()
        shutil.rmtree(tmp, ignore_errors=True)


def harvest(count: int, seed: int, database_url: str | None) -> dict[str, Any]:
    with _instance(count, seed, database_url) as instance:
        harvested, pages, size, seconds = instance.harvest("metadataPrefix=oai_datacite")
    if harvested != count:
        raise SystemExit(f"harvested {harvested:,} records of {count:,}")
    return {
        "records": count,
        "seed": seed,
        "database": "postgresql" if database_url else "sqlite",
        "pages": pages,
        "seconds": round(seconds, 2),
        "records_per_s": round(harvested / seconds),
        "mean_bytes_per_record": round(size / harvested),
    }


def _members(db: Database, set_id: int) -> int:
    with db.read() as session:
        query = select(func.count()).where(OaiSetMember.set_id == set_id)
        return int(session.scalar(query) or 0)


def _flip(db: Database, count: int, seed: int) -> int:
    """Switch ``count`` random records in or out of :data:`SET_QUERY` (a dataset becomes
    software, anything else a dataset) and log them as published; returns how many more
    members the set should have."""
    delta = 0
    with db.write() as uow:
        session = uow.session
        ids = sorted(session.scalars(select(Record.id)))
        chosen = random.Random(seed).sample(ids, min(count, len(ids)))
        for record in session.scalars(select(Record).where(Record.id.in_(chosen))):
            data = copy.deepcopy(record.data)
            kind = data["metadata"]["resource_type"]
            delta += -1 if kind["id"] == SET_TYPE else 1
            kind["id"] = "software" if kind["id"] == SET_TYPE else SET_TYPE
            record.data = data
        session.flush()
        record_changes(session, [("record", rid, "publish") for rid in chosen])
    return delta


def query_set(count: int, seed: int, database_url: str | None) -> dict[str, Any]:
    with _instance(count, seed, database_url) as instance:
        db, settings = instance.db, instance.settings
        created = OaiSetService(db).create(
            SYSTEM, {"name": "Datasets", "spec": "bench-datasets", "search_pattern": SET_QUERY}
        )
        membership = SetMembership(
            db, DocumentSource([FilesComponent()]), Percolator(settings.search_language)
        )
        with progress_bar() as bar:
            task = bar.add_task("building the set", total=count)
            start = time.perf_counter()
            membership.build(created["id"], 1, lambda n: bar.advance(task, n))
            build_seconds = time.perf_counter() - start
        members = _members(db, created["id"])
        log(f"{members:,} members of {count:,} records in {build_seconds:.1f} s")
        membership.catch_up()  # nothing is left for the server's first request
        harvested, pages, _size, harvest_seconds = instance.harvest(
            f"metadataPrefix=oai_datacite&set={created['spec']}"
        )
        if harvested != members:
            raise SystemExit(f"harvested {harvested:,} records of {members:,} members")
        log(f"changing {CHANGES:,} records through the change log")
        delta = _flip(db, CHANGES, seed)
        start = time.perf_counter()
        applied = membership.catch_up()
        catch_up_seconds = time.perf_counter() - start
        after = _members(db, created["id"])
        if after != members + delta:
            raise SystemExit(f"{after:,} members after catch_up, expected {members + delta:,}")
        log(f"caught up with {applied:,} changes in {catch_up_seconds:.2f} s")
    return {
        "records": count,
        "seed": seed,
        "database": "postgresql" if database_url else "sqlite",
        "search_pattern": SET_QUERY,
        "members": members,
        "build_seconds": round(build_seconds, 2),
        "build_records_per_s": round(count / build_seconds),
        "harvest_pages": pages,
        "harvest_seconds": round(harvest_seconds, 2),
        "harvest_records_per_s": round(harvested / harvest_seconds),
        "catch_up_changes": applied,
        "catch_up_seconds": round(catch_up_seconds, 3),
        "catch_up_changes_per_s": round(applied / catch_up_seconds),
        "members_after_catch_up": after,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--serialize", type=int, metavar="N", help="records to serialize")
    parser.add_argument("--harvest", type=int, metavar="N", help="records to harvest")
    parser.add_argument("--set", type=int, metavar="N", help="records behind a query set")
    parser.add_argument("--database-url", help="an empty PostgreSQL database (default SQLite)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--validate", type=int, default=500, help="outputs checked by the XSD")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    if not args.serialize and not args.harvest and not args.set:
        parser.error("choose a mode: --serialize N, --harvest N or --set N")
    results: dict[str, Any] = json.loads(args.out.read_text()) if args.out.exists() else {}
    if args.set:
        result = query_set(args.set, args.seed, args.database_url)
        result["environment"] = _environment()
        results["sets_postgresql" if args.database_url else "sets"] = result
        _write(args.out, results)
        print(
            f"OAI-PMH query set ({result['members']:,} members of {result['records']:,}, "
            f"{result['database']}): build {result['build_records_per_s']:,} records/s, "
            f"harvest {result['harvest_records_per_s']:,} records/s, "
            f"catch_up {result['catch_up_changes_per_s']:,} changes/s"
        )
        return
    if args.harvest:
        result = harvest(args.harvest, args.seed, args.database_url)
        target = TARGETS["harvest_records_per_s"]
        result["target_records_per_s"] = target
        result["meets_target"] = result["records_per_s"] >= target
        result["environment"] = _environment()
        results["harvest"] = result
        _write(args.out, results)
        print(
            f"OAI-PMH oai_datacite harvest: {result['records_per_s']:,} records/s "
            f"(target {target:,}): {'OK' if result['meets_target'] else 'BELOW TARGET'}"
        )
        if not result["meets_target"]:
            sys.exit(1)
        return
    result = serialize(args.serialize, args.seed, args.validate)
    result["target_records_per_s"] = TARGETS["serialize_records_per_s"]
    result["meets_target"] = result["records_per_s"] >= TARGETS["serialize_records_per_s"]
    result["environment"] = _environment()
    results["serialize"] = result
    _write(args.out, results)
    print(
        f"DataCite XML: {result['records_per_s']:,} records/s "
        f"(mean {result['records_per_s_mean']:,}; "
        f"target {TARGETS['serialize_records_per_s']:,}): "
        f"{'OK' if result['meets_target'] else 'BELOW TARGET'}; "
        f"{len(result['invalid'])} of {result['validated']} outputs invalid"
    )
    if result["invalid"] or not result["meets_target"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
