"""The ``files`` block of records read one by one and a page at a time."""

from __future__ import annotations

from cairn.files import component
from cairn.records.models import Parent, Record
from tests.factories import minimal_record


def _published(services, user, keys):  # type: ignore[no-untyped-def]
    body = minimal_record(title="files block")
    body["files"] = {"enabled": bool(keys)}
    draft = services.records.create(user.identity, body)
    if keys:
        services.files.init_files(user.identity, draft.id, [{"key": k} for k in keys])
        for key in keys:
            services.files.upload_content(user.identity, draft.id, key, [key.encode()])
            services.files.commit(user.identity, draft.id, key)
    return services.records.publish(user.identity, draft.id)


def test_a_page_shows_each_records_files_and_lists_at_most_a_bodys_worth(
    services, factory, monkeypatch
):
    monkeypatch.setattr(component, "ENTRIES_IN_BODY", 2)
    user = factory.user()
    many = _published(services, user, ["c.txt", "a.txt", "b.txt"])
    few = _published(services, user, ["z.csv"])
    none = _published(services, user, [])
    records = services.records
    with records.db.read() as session:
        rows = [
            (session.get(Record, item.id), session.get(Parent, item.data["parent"]["id"]))
            for item in (many, few, none)
        ]
        page = {i.id: i.data["files"] for i in records.record_items(session, user.identity, rows)}
    one_by_one = {i: records.read(user.identity, i).data["files"] for i in page}
    assert page == one_by_one

    assert page[many.id]["count"] == 3 and page[many.id]["total_bytes"] == 15
    assert list(page[many.id]["entries"]) == ["a.txt", "b.txt"]  # the first two by key
    assert list(page[few.id]["entries"]) == ["z.csv"] and page[few.id]["count"] == 1
    assert page[none.id]["enabled"] is False and page[none.id]["count"] == 0
