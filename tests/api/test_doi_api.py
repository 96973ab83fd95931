"""DOIs over HTTP: POST|DELETE /api/records/{id}/draft/pids/doi, DOI validation errors
(400 naming the field), the DOI state shown to owners and not to anonymous readers, with the
DataCite stand-in behind a served app."""

from __future__ import annotations

import pytest

from cairn.jobs.queue import Backoff
from tests.api.conftest import Api
from tests.conftest import serve
from tests.factories import Factory, minimal_record
from tests.standins.datacite import DataCiteStandIn

PREFIX = "10.1234"


@pytest.fixture
def standin():
    server = DataCiteStandIn().start()
    yield server
    server.stop()


@pytest.fixture
def served(tmp_path, db, standin):
    app = serve(
        tmp_path,
        db,
        doi_prefix=PREFIX,
        doi_provider="datacite",
        datacite_url=standin.url,
        datacite_username=standin.username,
        datacite_password=standin.password,
    )
    app.app.state.jobs.backoff = Backoff(base=0, cap=0)
    yield app
    app.stop()


@pytest.fixture
def owner_api(served) -> Api:
    user = Factory(served.app.state.services).user()
    return Api(served.base, user.token)


def _run_jobs(served) -> None:
    while served.app.state.jobs.run_once():
        pass


def _draft(api: Api, **body) -> dict:
    response = api.post("/api/records", json={**minimal_record(), **body})
    assert response.status_code == 201, response.text
    return response.json()


def test_reserve_and_discard_a_doi_on_a_draft(served, owner_api, standin):
    draft = _draft(owner_api)
    url = f"/api/records/{draft['id']}/draft/pids/doi"
    assert Api(served.base).post(url).status_code == 403
    reserved = owner_api.post(url)
    assert reserved.status_code == 201, reserved.text
    doi = reserved.json()["pids"]["doi"]
    assert doi["identifier"] == f"{PREFIX}/{draft['id']}"
    assert (doi["provider"], doi["client"], doi["status"]) == ("datacite", "datacite", "reserved")
    assert standin.requests == []
    # the draft read back (with the read-only status) can be sent back unchanged
    body = owner_api.get(f"/api/records/{draft['id']}/draft").json()
    assert owner_api.put(f"/api/records/{draft['id']}/draft", json=body).status_code == 200
    discarded = owner_api.delete(url)
    assert discarded.status_code == 200 and discarded.json()["pids"] == {}


def test_publish_registers_and_only_owners_see_the_state(served, owner_api, standin):
    draft = _draft(owner_api)
    published = owner_api.post(f"/api/records/{draft['id']}/draft/actions/publish")
    assert published.status_code == 202, published.text
    assert published.json()["pids"]["doi"]["status"] == "registering"
    standin.outage = True
    assert served.app.state.jobs.run_once()
    failed = owner_api.get(f"/api/records/{draft['id']}").json()["pids"]["doi"]
    assert failed["status"] == "failed" and "503" in failed["error"] and failed["will_retry"]
    anonymous = Api(served.base).get(f"/api/records/{draft['id']}").json()["pids"]["doi"]
    assert anonymous == {
        "identifier": f"{PREFIX}/{draft['id']}",
        "provider": "datacite",
        "client": "datacite",
    }
    standin.outage = False
    _run_jobs(served)
    doi = owner_api.get(f"/api/records/{draft['id']}").json()["pids"]["doi"]
    assert doi["status"] == "registered" and "error" not in doi
    assert standin.get(doi["identifier"]).url == f"{served.base}/records/{draft['id']}"


def _field(response) -> str:
    assert response.status_code == 400, response.text
    return response.json()["errors"][0]["field"]


def test_external_doi_errors_name_the_field(served, owner_api):
    bad = {"doi": {"identifier": "10.x", "provider": "external"}}
    assert _field(owner_api.post("/api/records", json={**minimal_record(), "pids": bad})) == (
        "pids.doi.identifier"
    )
    own = {"doi": {"identifier": f"{PREFIX}/abc", "provider": "external"}}
    assert _field(owner_api.post("/api/records", json={**minimal_record(), "pids": own})) == (
        "pids.doi"
    )
    ext = {"doi": {"identifier": "10.5555/twice", "provider": "external"}}
    first, second = _draft(owner_api, pids=ext), _draft(owner_api, pids=ext)
    assert owner_api.post(f"/api/records/{first['id']}/draft/actions/publish").status_code == 202
    refused = owner_api.post(f"/api/records/{second['id']}/draft/actions/publish")
    assert _field(refused) == "pids.doi.identifier"
    reserve = owner_api.post(f"/api/records/{second['id']}/draft/pids/doi")
    assert _field(reserve) == "pids.doi"  # remove the external DOI first


def test_without_a_doi_provider_reserving_is_refused(live_server, factory):
    api = Api(live_server, factory.user().token)
    draft = _draft(api)
    assert _field(api.post(f"/api/records/{draft['id']}/draft/pids/doi")) == "pids.doi"
    assert api.post("/api/records/nope1-23456/draft/pids/doi").status_code == 404
