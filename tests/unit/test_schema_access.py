"""cairn.records.schema: access, embargo, files, pids and custom fields."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.test_schema import load

# --- access, files, pids, custom fields ----------------------------------------------------------


def test_access() -> None:
    data, errors = load({"access": {"record": "private", "files": "restricted", "status": "open"}})
    assert errors == {"access.record": ["Must be one of: public, restricted."]}
    assert data == {"access": {"files": "restricted"}}


@pytest.mark.parametrize(
    ("embargo", "stored", "errors"),
    [
        (
            {"active": True, "until": "2131-01-01", "reason": "r"},
            {"active": True, "until": "2131-01-01", "reason": "r"},
            {},
        ),
        ({"active": False, "until": None, "reason": None}, {"active": False}, {}),
        ({"active": False, "until": "2001-01-01"}, {"active": False, "until": "2001-01-01"}, {}),
        (
            {"active": True, "until": "2001-01-01"},
            None,
            {
                "access.embargo.until": [
                    "Embargo end date must be set to a future date if active is True."
                ]
            },
        ),
        (
            {"active": True, "reason": "r"},
            None,
            {
                "access.embargo.until": [
                    "Embargo end date must be set to a future date if active is True."
                ]
            },
        ),
        (
            {"active": False, "until": "2131-01-01", "reason": "r"},
            {"active": False, "reason": "r"},
            {
                "access.embargo.until": [
                    "Embargo end date must be unset or in the past if active is False."
                ]
            },
        ),
        ({"active": True, "until": "soon"}, None, {"access.embargo.until": ["Not a valid date."]}),
        ({"until": "2131-01-01T10:00:00+00:00"}, {"until": "2131-01-01"}, {}),
    ],
)
def test_embargo(
    embargo: dict[str, Any], stored: dict[str, Any] | None, errors: dict[str, Any]
) -> None:
    data, found = load({"access": {"record": "public", "embargo": embargo}})
    assert found == errors
    assert data["access"].get("embargo") == stored


def test_files() -> None:
    body = {
        "files": {
            "enabled": True,
            "default_preview": "a.csv",
            "order": ["a.csv", "b.txt"],
            "count": 2,
        }
    }
    data, errors = load(body)
    assert errors == {}
    assert data == {
        "files": {"enabled": True, "default_preview": "a.csv", "order": ["a.csv", "b.txt"]}
    }


def test_pids() -> None:
    pids = {
        "doi": {"identifier": "https://doi.org/10.1234/ABC", "provider": "external"},
        "oai": {"identifier": "oai:example.org:1"},
        "Handle!": {"identifier": "1/2", "provider": "h"},
        "ark": {"identifier": "ark:/1/2", "provider": "x", "client": "c", "extra": 1},
    }
    data, errors = load({"pids": pids})
    assert errors == {
        "pids.oai.provider": ["Missing data for required field."],
        "pids.Handle!": ["Not a valid PID scheme."],
        "pids.ark.extra": ["Unknown field."],
    }
    assert data == {
        "pids": {
            "doi": {"identifier": "10.1234/ABC", "provider": "external"},
            "ark": {"identifier": "ark:/1/2", "provider": "x", "client": "c"},
        }
    }
    data, errors = load({"pids": {"doi": {"identifier": "nope", "provider": "external"}}})
    assert errors == {"pids.doi.identifier": ["Invalid DOI identifier."]}
    assert data == {}


def test_custom_fields() -> None:
    deep: Any = "bottom"
    for _ in range(40):
        deep = [deep]
    fields = {
        "journal:journal": {"title": "Nature", "issue": "7", "pages": "1-2", "volume": None},
        "thesis:university": "Uni",
        "code:stars": 12,
        "no_namespace": "x",
        "a:deep": deep,
        "a:nan": float("nan"),
        "a:huge": 2**70,
        "a:nul": {"k\x00": "x\x00y"},
        "bad key:x": 1,
    }
    data, errors = load({"custom_fields": fields})
    assert errors == {
        "custom_fields.no_namespace": ["Custom field names must look like 'namespace:name'."],
        "custom_fields.a:deep": ["Values may be nested at most 32 levels deep."],
        "custom_fields.a:nan": ["Not a valid JSON value."],
        "custom_fields.a:huge": ["Integers must fit in 64 bits."],
        "custom_fields.bad key:x": ["Custom field names must look like 'namespace:name'."],
    }
    kept = {k: fields[k] for k in ("journal:journal", "thesis:university", "code:stars")}
    assert data == {"custom_fields": kept | {"a:nul": {"k": "xy"}}}
