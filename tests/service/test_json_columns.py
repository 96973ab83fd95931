"""JSON columns read back exactly what was written, including strings orjson refuses.

Request bodies are parsed with orjson, which refuses lone surrogates (400), so none arrive
through the API; the reading side still falls back to the standard library for any that
were stored by other means (SQLite keeps them; PostgreSQL refuses them on write).
"""

from __future__ import annotations

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import DataError

from cairn.core.timeutil import utcnow
from cairn.records.models import Parent

ODD = {"title": "half a pair: \ud800", "nested": [{"x": "\udfff"}], "plain": "é"}


def _write(db):  # type: ignore[no-untyped-def]
    now = utcnow()
    row = {"id": "jsonc-olumn", "data": ODD, "latest_index": 0, "revision_id": 1}
    with db.write() as uow:
        uow.session.execute(insert(Parent.__table__), [{**row, "created": now, "updated": now}])


def test_json_with_a_lone_surrogate_reads_back(db):
    if db.dialect == "postgresql":
        with pytest.raises(DataError):
            _write(db)
        return
    _write(db)
    with db.read() as session:
        assert session.scalar(select(Parent.data).where(Parent.id == "jsonc-olumn")) == ODD
