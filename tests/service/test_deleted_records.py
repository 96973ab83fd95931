"""Listing deleted records for administrators, against the real database (SQLite, or
PostgreSQL from CAIRN_TEST_DATABASE_URL): admins only, newest deletion first, paged, filtered
on the id or the title with LIKE's wildcards taken literally, in one query plus one count."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event

from cairn.core.errors import InvalidRequest, PermissionDenied
from cairn.core.identity import ANONYMOUS, SYSTEM
from cairn.db.like import like_pattern
from cairn.records.deleted import MAX_PAGE_SIZE
from tests.factories import Factory, User


@pytest.fixture
def owner(factory: Factory) -> User:
    return factory.user()


@pytest.fixture
def admin(factory: Factory) -> User:
    return factory.user(admin=True)


def _delete(
    services: Any, admin: User, record_id: str, reason: str = "spam", note: str = ""
) -> None:
    body = {"removal_reason": {"id": reason}, "note": note, "citation_text": "Cite nothing."}
    services.records.delete_record(admin.identity, record_id, body)


@contextmanager
def _selects(db: Any) -> Iterator[list[str]]:
    """The SELECT statements run meanwhile."""
    seen: list[str] = []

    def listen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)


def test_lists_deleted_records_newest_deletion_first_with_their_tombstone(
    services: Any, factory: Factory, owner: User, admin: User
) -> None:
    first = factory.record(owner, title="Spam about glaciers")
    second = factory.record(owner, title="Copied dataset")
    kept = factory.record(owner, title="A genuine dataset")
    before = datetime.now(UTC) - timedelta(seconds=1)
    _delete(services, admin, second.id, "copyright", "Taken from elsewhere.")
    _delete(services, admin, first.id, "spam", "Advertising.")

    found = services.records.list_deleted(admin.identity)

    assert found.total == 2 and found.page == 1 and found.pages == 1
    assert [i.id for i in found.items] == [first.id, second.id]
    spam, copied = found.items
    assert spam.title == "Spam about glaciers"
    assert spam.removal_reason == "spam" and spam.removal_reason_title == "Spam"
    assert spam.note == "Advertising." and spam.citation_text == "Cite nothing."
    assert spam.removed_by == str(admin.id) and spam.is_visible
    assert before <= spam.removal_date <= datetime.now(UTC)
    assert copied.removal_reason == "copyright" and copied.note == "Taken from elsewhere."
    assert copied.removal_date <= spam.removal_date
    assert kept.id not in [i.id for i in found.items]
    oldest = services.records.list_deleted(admin.identity, sort="oldest")
    assert [i.id for i in oldest.items] == [second.id, first.id]


def test_pages(services: Any, factory: Factory, owner: User, admin: User) -> None:
    ids = [factory.record(owner, title=f"Record {n}").id for n in range(5)]
    for record_id in ids:
        _delete(services, admin, record_id)
    pages = [services.records.list_deleted(admin.identity, page=n, size=2) for n in (1, 2, 3)]
    assert [p.total for p in pages] == [5, 5, 5]
    assert [p.pages for p in pages] == [3, 3, 3]
    assert [[i.id for i in p.items] for p in pages] == [ids[4:2:-1], ids[2:0:-1], ids[:1]]
    beyond = services.records.list_deleted(admin.identity, page=4, size=2)
    assert beyond.items == [] and beyond.total == 5


def test_filters_on_title_or_id_in_any_case(
    services: Any, factory: Factory, owner: User, admin: User
) -> None:
    melt = factory.record(owner, title="Glacier Melt Rates")
    other = factory.record(owner, title="Ocean salinity")
    factory.record(owner, title="Glacier survey (published)")
    _delete(services, admin, melt.id)
    _delete(services, admin, other.id)

    by_title = services.records.list_deleted(admin.identity, q="  glacier melt ")
    assert [i.id for i in by_title.items] == [melt.id] and by_title.total == 1
    by_id = services.records.list_deleted(admin.identity, q=other.id[3:8].upper())
    assert [i.id for i in by_id.items] == [other.id] and by_id.total == 1
    nothing = services.records.list_deleted(admin.identity, q="survey")
    assert nothing.items == [] and nothing.total == 0


def test_like_wildcards_match_literally(
    services: Any, factory: Factory, owner: User, admin: User
) -> None:
    titles = ["100% pure", "1000 pure", "snake_case data", "snakeXcase data", r"back\slash"]
    records = {t: factory.record(owner, title=t).id for t in titles}
    for record_id in records.values():
        _delete(services, admin, record_id)

    def titles_for(q: str) -> list[str]:
        return [i.title for i in services.records.list_deleted(admin.identity, q=q).items]

    assert titles_for("0%") == ["100% pure"]
    assert titles_for("%") == ["100% pure"]
    assert titles_for("e_c") == ["snake_case data"]
    assert titles_for("_") == ["snake_case data"]
    assert titles_for("k\\s") == [r"back\slash"]
    assert sorted(titles_for("pure")) == ["100% pure", "1000 pure"]
    assert like_pattern("a%b_c\\") == "%a\\%b\\_c\\\\%"


def test_restored_records_leave_the_list(
    services: Any, factory: Factory, owner: User, admin: User
) -> None:
    record = factory.record(owner, title="Back again")
    _delete(services, admin, record.id)
    assert services.records.list_deleted(admin.identity).total == 1
    services.records.restore(admin.identity, record.id)
    found = services.records.list_deleted(admin.identity)
    assert found.total == 0 and found.items == []


def test_only_admins_may_list(services: Any, factory: Factory, owner: User, admin: User) -> None:
    record = factory.record(owner, title="Mine, deleted")
    _delete(services, admin, record.id)
    for who in (owner.identity, ANONYMOUS):
        with pytest.raises(PermissionDenied):
            services.records.list_deleted(who)
    assert services.records.list_deleted(SYSTEM).total == 1


@pytest.mark.parametrize(
    "kwargs",
    [
        {"page": 0},
        {"size": 0},
        {"size": MAX_PAGE_SIZE + 1},
        {"sort": "title"},
        {"q": "x" * 201},
    ],
)
def test_arguments_out_of_range_are_refused(services: Any, admin: User, kwargs: Any) -> None:
    with pytest.raises(InvalidRequest):
        services.records.list_deleted(admin.identity, **kwargs)


def test_one_query_for_the_page_and_one_count(
    services: Any, factory: Factory, owner: User, admin: User, db: Any
) -> None:
    for n in range(3):
        _delete(services, admin, factory.record(owner, title=f"Counted {n}").id)
    services.records.list_deleted(admin.identity)  # warm the pool
    with _selects(db) as seen:
        found = services.records.list_deleted(admin.identity, q="counted", size=MAX_PAGE_SIZE)
    assert len(found.items) == 3
    assert len(seen) == 2, seen
