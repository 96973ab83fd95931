"""Racing writers: exactly one wins, the others get a clear error, nothing is half-written."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from cairn.core.errors import CairnError, Conflict, NotFound, RevisionMismatch
from cairn.db.changes import Change
from cairn.records.models import Draft, Record
from tests.factories import minimal_record

RACERS = 4


def race(fn, n=RACERS):
    barrier = threading.Barrier(n)
    results: list[object] = [None] * n

    def run(i):
        barrier.wait()
        try:
            results[i] = fn(i)
        except CairnError as exc:
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


@pytest.mark.parametrize("round_", range(3))
def test_concurrent_publish_exactly_one_wins(services, factory, db, round_):
    user = factory.user()
    draft = factory.draft(user)
    results = race(lambda _i: services.records.publish(user.identity, draft.id))
    winners = [r for r in results if not isinstance(r, Exception)]
    losers = [r for r in results if isinstance(r, Exception)]
    assert len(winners) == 1, results
    assert all(isinstance(e, NotFound | Conflict) for e in losers), losers
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Record)) == 1
        assert session.scalar(select(func.count()).select_from(Draft)) == 0
        publishes = session.scalar(
            select(func.count()).select_from(Change).where(Change.op == "publish")
        )
        assert publishes == 1


def test_concurrent_new_versions_give_one_draft(services, factory, db):
    user = factory.user()
    record = factory.record(user)
    results = race(lambda _i: services.records.new_version(user.identity, record.id))
    drafts = {r.id for r in results if not isinstance(r, Exception)}
    assert len(drafts) == 1 and all(
        isinstance(r, Conflict) for r in results if isinstance(r, Exception)
    )
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Draft)) == 1


def test_concurrent_updates_with_if_match(services, factory):
    user = factory.user()
    draft = factory.draft(user)
    rev = draft.revision_id

    def update(i):
        return services.records.update_draft(
            user.identity, draft.id, minimal_record(title=f"Title {i}"), revision_id=rev
        )

    results = race(update)
    winners = [r for r in results if not isinstance(r, Exception)]
    assert len(winners) == 1
    assert all(isinstance(r, RevisionMismatch | Conflict) for r in results if r not in winners)
    final = services.records.read_draft(user.identity, draft.id)
    assert final.data["metadata"]["title"] == winners[0].data["metadata"]["title"]
    assert final.revision_id == rev + 1
