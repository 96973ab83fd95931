"""Listing published records and a user's drafts+records in SQL.

Full-text search arrives with the search engine; until then ``q`` matches titles
case-insensitively and permission filters become SQL conditions here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    exists,
    false,
    func,
    literal,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import Session

from cairn.core.filters import All, AnyOf, Filter, MatchAll, MatchNone, Term
from cairn.records.models import Draft, Parent, Record
from cairn.records.params import SearchParams


def to_sql(flt: Filter, columns: Mapping[str, Any]) -> ColumnElement[bool]:
    """Translate a permission filter into a SQL condition over ``columns``."""
    if isinstance(flt, MatchAll):
        return true()
    if isinstance(flt, MatchNone):
        return false()
    if isinstance(flt, Term):
        condition: ColumnElement[bool] = columns[flt.field] == flt.value
        return condition
    if isinstance(flt, AnyOf):
        return or_(*(to_sql(f, columns) for f in flt.filters))
    if isinstance(flt, All):
        return and_(*(to_sql(f, columns) for f in flt.filters))
    raise TypeError(f"unsupported filter {flt!r}")


def _title_match(column: Any, q: str) -> ColumnElement[bool]:
    pattern = "%" + q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    condition: ColumnElement[bool] = func.lower(column).like(pattern, escape="\\")
    return condition


def _page(session: Session, stmt: Any, params: SearchParams) -> tuple[list[Any], int]:
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = list(session.execute(stmt.limit(params.size).offset(params.offset)))
    return rows, int(total or 0)


def search_records(
    session: Session, flt: Filter, params: SearchParams, parent_id: str | None = None
) -> tuple[list[tuple[Record, Parent]], int]:
    """Published, not deleted records the filter allows; latest versions unless
    ``allversions`` or ``parent_id`` (a versions listing) is given."""
    columns = {
        "access.record": Record.access_record,
        "parent.access.owned_by.user": Parent.owner_id,
    }
    stmt = (
        select(Record, Parent)
        .join(Parent, Record.parent_id == Parent.id)
        .where(Record.is_deleted.is_(False), to_sql(flt, columns))
    )
    if parent_id is not None:
        stmt = stmt.where(Record.parent_id == parent_id)
    elif not params.allversions:
        stmt = stmt.where(Parent.latest_id == Record.id)
    if params.q:
        stmt = stmt.where(_title_match(Record.title, params.q))
    order: tuple[Any, ...] = {
        "oldest": (Record.created.asc(), Record.id.asc()),
        "version": (Record.index.desc(), Record.id.asc()),
    }.get(params.sort, (Record.created.desc(), Record.id.desc()))
    rows, total = _page(session, stmt.order_by(*order), params)
    return [(row[0], row[1]) for row in rows], total


def search_user_entries(
    session: Session, flt: Filter, params: SearchParams
) -> tuple[list[tuple[str, str]], int]:
    """A user's drafts and published records (a draft stands in for its record).

    Returns ``(kind, id)`` pairs, kind ``draft`` or ``record``.
    """
    drafts = select(
        Draft.id.label("id"),
        literal("draft").label("kind"),
        Draft.parent_id.label("parent_id"),
        Draft.index.label("index"),
        Draft.created.label("created"),
        Draft.updated.label("updated"),
        Draft.title.label("title"),
        Draft.access_record.label("access_record"),
        Draft.fork_revision_id.is_not(None).label("published"),
    )
    records = select(
        Record.id,
        literal("record"),
        Record.parent_id,
        Record.index,
        Record.created,
        Record.updated,
        Record.title,
        Record.access_record,
        literal(True),
    ).where(Record.is_deleted.is_(False), ~exists().where(Draft.id == Record.id))
    entries = union_all(drafts, records).subquery()
    columns = {
        "access.record": entries.c.access_record,
        "parent.access.owned_by.user": Parent.owner_id,
    }
    stmt = (
        select(entries.c.kind, entries.c.id)
        .join(Parent, Parent.id == entries.c.parent_id)
        .where(to_sql(flt, columns))
    )
    if not params.allversions:
        has_new_draft = and_(
            Parent.draft_id.is_not(None), Parent.draft_id != func.coalesce(Parent.latest_id, "")
        )
        newest = Parent.latest_index + case((has_new_draft, 1), else_=0)
        stmt = stmt.where(entries.c.index == newest)
    if params.q:
        stmt = stmt.where(_title_match(entries.c.title, params.q))
    if params.is_published is not None:
        stmt = stmt.where(entries.c.published.is_(params.is_published))
    if params.status == "published":
        stmt = stmt.where(entries.c.published.is_(True))
    elif params.status == "draft":
        stmt = stmt.where(entries.c.published.is_(False), entries.c.index == 1)
    elif params.status == "new_version_draft":
        stmt = stmt.where(entries.c.published.is_(False), entries.c.index > 1)
    order: tuple[Any, ...] = {
        "oldest": (entries.c.created.asc(), entries.c.id.asc()),
        "updated-desc": (entries.c.updated.desc(), entries.c.id.desc()),
        "updated-asc": (entries.c.updated.asc(), entries.c.id.asc()),
        "version": (entries.c.index.desc(), entries.c.id.asc()),
    }.get(params.sort, (entries.c.created.desc(), entries.c.id.desc()))
    rows, total = _page(session, stmt.order_by(*order), params)
    return [(row[0], row[1]) for row in rows], total
