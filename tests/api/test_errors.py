"""Bad input gets a clear 4xx in InvenioRDM's error envelope, never a 500."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import minimal_record


def _envelope(r, status):
    assert r.status_code == status, r.text
    body = r.json()
    assert body["status"] == status and isinstance(body["message"], str)
    return body


def test_malformed_json(api):
    r = api.post("/api/records", data=b"{not json", headers={"Content-Type": "application/json"})
    assert _envelope(r, 400)["message"] == "Unable to decode JSON data in request body."


def test_empty_body_and_non_object(api):
    _envelope(api.post("/api/records", data=b"", headers={"Content-Type": "application/json"}), 400)
    r = api.post("/api/records", json=[1, 2, 3])
    assert r.status_code in (201, 400)
    r = api.post("/api/records", json="a string")
    assert r.status_code in (201, 400)


def test_wrong_content_type(api):
    r = api.post("/api/records", data=b"<xml/>", headers={"Content-Type": "application/xml"})
    _envelope(r, 415)


def test_huge_body_gets_413(api, services):
    limit = services.max_request_body
    r = api.post(
        "/api/records", data=b" " * (limit + 10), headers={"Content-Type": "application/json"}
    )
    _envelope(r, 413)


def test_unknown_and_invalid_fields_are_reported_and_dropped(api):
    body = minimal_record(title=12, resource_type={"id": "no-such-type"})
    body["foo"] = "bar"
    r = api.post("/api/records", json=body)
    assert r.status_code == 201, r.text
    fields = {e["field"] for e in r.json()["errors"]}
    assert {"foo", "metadata.title", "metadata.resource_type"} <= fields
    assert "title" not in r.json()["metadata"]
    rid = r.json()["id"]
    r = api.post(f"/api/records/{rid}/draft/actions/publish")
    body = _envelope(r, 400)
    assert body["message"] == "A validation error occurred."
    assert {"metadata.title", "metadata.resource_type"} <= {e["field"] for e in body["errors"]}


@pytest.mark.parametrize(
    "path",
    [
        "/api/records/not-an-id",
        "/api/records/abcde-fgh12",
        "/api/records/%00",
        "/api/records/" + "x" * 5000,
    ],
)
def test_bad_ids_get_404(anon, path):
    r = anon.get(path)
    _envelope(r, 404)


@pytest.mark.parametrize(
    "params",
    [
        {"page": "abc"},
        {"page": "0"},
        {"size": "-1"},
        {"size": "100000"},
        {"sort": "nope"},
        {"allversions": "maybe"},
    ],
)
def test_bad_query_params(anon, params):
    body = _envelope(anon.get("/api/records", params=params), 400)
    assert body["message"] == "Invalid querystring parameters."
    assert body["errors"][0]["field"] == next(iter(params))


def test_unknown_route_and_method(anon):
    _envelope(anon.get("/api/nothing-here"), 404)
    _envelope(anon("PATCH", "/api/records"), 405)


def test_unacceptable_accept(anon, factory, user):
    rec = factory.record(user)
    _envelope(anon.get(f"/api/records/{rec.id}", headers={"Accept": "application/x-nope"}), 406)
    r = anon.get(f"/api/records/{rec.id}", headers={"Accept": "application/vnd.inveniordm.v1+json"})
    assert r.status_code == 200 and r.json()["ui"]["resource_type"]["title_l10n"] == "Photo"
    assert r.headers["content-type"].startswith("application/vnd.inveniordm.v1+json")


def test_prettyprint(anon, factory, user):
    rec = factory.record(user)
    r = anon.get(f"/api/records/{rec.id}", params={"prettyprint": "1"})
    assert r.text.startswith("{\n")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(
            st.sampled_from(
                [
                    "metadata",
                    "access",
                    "files",
                    "pids",
                    "custom_fields",
                    "title",
                    "creators",
                    "person_or_org",
                    "record",
                    "enabled",
                    "id",
                    "type",
                    "name",
                    "x",
                ]
            )
            | st.text(max_size=8),
            children,
            max_size=6,
        )
    ),
    max_leaves=30,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=json_values)
def test_random_json_never_500(api, body):
    r = api.post(
        "/api/records", data=json.dumps(body), headers={"Content-Type": "application/json"}
    )
    assert r.status_code in (201, 400), r.text
    if r.status_code == 201:
        rid = r.json()["id"]
        r = api.put(
            f"/api/records/{rid}/draft",
            data=json.dumps(body),
            headers={"Content-Type": "application/json"},
        )
        assert r.status_code == 200, r.text
        r = api.post(f"/api/records/{rid}/draft/actions/publish")
        assert r.status_code in (202, 400), r.text


def test_head_and_request_id(anon, factory, user):
    rec = factory.record(user)
    r = anon("HEAD", f"/api/records/{rec.id}")
    assert r.status_code == 200 and r.content == b""
    assert int(r.headers["content-length"]) > 0 and r.headers["etag"]
    r = anon.get("/api/records", headers={"X-Request-Id": "abc-123"})
    assert r.headers["x-request-id"] == "abc-123"
    assert len(anon.get("/api/records").headers["x-request-id"]) == 32


def test_a_body_with_a_lone_surrogate_is_a_400(api):
    """PostgreSQL cannot store a lone surrogate: such bodies are refused before anything
    is written."""
    r = api.post(
        "/api/records",
        data=b'{"metadata": {"title": "\\ud800"}}',
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 400
    assert r.json()["message"] == "Unable to decode JSON data in request body."
