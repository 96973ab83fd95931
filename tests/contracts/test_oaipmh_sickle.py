"""A harvester's view: the ``sickle`` client harvests 20,000 records from /oai2d following
resumption tokens, then — after records are published, edited, deleted and restricted — an
incremental ``from=`` harvest returns exactly those changes, deletions included."""

from __future__ import annotations

import time
from typing import Any

from sickle import Sickle

from cairn.core.identity import SYSTEM
from cairn.core.timeutil import utcnow
from cairn.db import Database
from tests.factories import Factory, minimal_record
from tests.service.test_indexer import insert_published

COUNT = 20_000


def harvest(base: str, **args: Any) -> dict[str, bool]:
    """identifier (record id) -> deleted, for every record the harvest returns."""
    client = Sickle(base + "/oai2d", max_retries=0, timeout=120)
    seen: dict[str, bool] = {}
    for record in client.ListRecords(ignore_deleted=False, **args):
        rid = record.header.identifier.rsplit(":", 1)[1]
        assert rid not in seen, "a record was listed twice"
        seen[rid] = record.header.deleted
        if not record.header.deleted:
            assert record.metadata["title"], rid
    return seen


def test_incremental_harvest_with_deletions(
    live_server: str, db: Database, factory: Factory
) -> None:
    ids = insert_published(db, COUNT, "Harvested")
    started = time.perf_counter()
    full = harvest(live_server, metadataPrefix="oai_dc")
    elapsed = time.perf_counter() - started
    print(f"full oai_dc harvest: {COUNT} records in {elapsed:.1f}s ({COUNT / elapsed:.0f}/s)")
    assert set(full) == set(ids) and not any(full.values())

    time.sleep(1.1)  # changes fall in a later second than everything harvested
    since = utcnow().replace(microsecond=0)
    records = factory.services.records
    user = factory.user()
    published = [str(factory.record(user, title=f"New {i}").id) for i in range(3)]
    deleted = ids[100:102]
    for rid in deleted:
        records.delete_record(SYSTEM, rid, {})
    restricted = ids[200:202]
    edited = ids[300]
    for rid in [*restricted, edited]:
        records.edit(SYSTEM, rid)
        body = minimal_record(title="Changed")
        if rid in restricted:
            body["access"]["record"] = "restricted"
        records.update_draft(SYSTEM, rid, body)
        records.publish(SYSTEM, rid)

    changes = harvest(
        live_server, metadataPrefix="oai_dc", **{"from": since.strftime("%Y-%m-%dT%H:%M:%SZ")}
    )
    expected = {rid: False for rid in [*published, edited]}
    expected.update({rid: True for rid in [*deleted, *restricted]})
    assert changes == expected
