"""OAI-PMH sets defined by a query: ``/api/oaipmh/sets`` over HTTP, and harvesting them at
``/oai2d`` — members as a search finds them, kept current from the change log, deletions
and restrictions of members reported in the set, and 503 while a set is being built."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from lxml import etree

from cairn.core.identity import SYSTEM
from cairn.db import Database
from cairn.db.changes import last_seq
from cairn.db.jobs import Job
from cairn.oaipmh.membership import BUILD_JOB
from cairn.oaipmh.models import OaiSet, OaiSetFeed
from tests.conftest import ServedApp, serve
from tests.factories import Factory, User, minimal_record

NS = {"o": "http://www.openarchives.org/OAI/2.0/", "dc": "http://purl.org/dc/elements/1.1/"}
SETS = "/api/oaipmh/sets"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, db: Database) -> Iterator[ServedApp]:
    served = serve(tmp_path_factory.mktemp("oai-sets"), db, jobs_in_server=False)
    yield served
    served.stop()


def auth(user: User) -> dict[str, str]:
    return {"Authorization": f"Bearer {user.token}"}


def create(server: ServedApp, admin: User, **body: Any) -> requests.Response:
    return requests.post(server.base + SETS, json=body, headers=auth(admin), timeout=30)


def built(server: ServedApp, set_id: int) -> None:
    """Run the set's pending build job, as a worker would."""
    services = server.app.state.services
    with services.records.db.read() as session:
        row = session.get(OaiSet, set_id)
        assert row is not None and not row.ready
        revision = row.pattern_revision
    assert services.oai_members.build(set_id, revision)


def harvest(server: ServedApp, verb: str = "ListIdentifiers", **args: str) -> etree._Element:
    params = {"verb": verb, "metadataPrefix": "oai_dc", **args}
    params = {k: v for k, v in params.items() if v}  # metadataPrefix="" leaves it out
    response = requests.get(server.base + "/oai2d", params=params, timeout=60)
    assert response.status_code == 200, response.text
    return etree.fromstring(response.content)


def headers(doc: etree._Element) -> dict[str, tuple[bool, list[str]]]:
    """record id -> (deleted, setSpecs)."""
    out = {}
    for header in doc.iterfind(".//o:header", NS):
        rid = header.findtext("o:identifier", namespaces=NS).rsplit(":", 1)[1]
        specs = [s.text for s in header.iterfind("o:setSpec", NS)]
        out[rid] = (header.get("status") == "deleted", specs)
    return out


def publish(factory: Factory, user: User, title: str, access: str = "public") -> str:
    records = factory.services.records
    body = minimal_record(title=title)
    body["access"]["record"] = access
    draft = records.create(user.identity, body)
    return str(records.publish(user.identity, draft.id).id)


def republish(factory: Factory, user: User, record_id: str, title: str, access: str) -> None:
    records = factory.services.records
    records.edit(user.identity, record_id)
    body = minimal_record(title=title)
    body["access"]["record"] = access
    records.update_draft(user.identity, record_id, body)
    records.publish(user.identity, record_id)


# -- the REST API ------------------------------------------------------------------------------
def test_create_read_list_update_delete(server: ServedApp, factory: Factory) -> None:
    admin = factory.user(admin=True)
    response = create(
        server,
        admin,
        name="Climate",
        spec="climate",
        search_pattern="metadata.title:climate",
        description="Records about the climate",
        id=99,  # read-only fields are ignored
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["id"] != 99 and isinstance(body["id"], int)
    assert {k: body[k] for k in ("name", "spec", "search_pattern", "description")} == {
        "name": "Climate",
        "spec": "climate",
        "search_pattern": "metadata.title:climate",
        "description": "Records about the climate",
    }
    assert body["system_created"] is False and body["created"] and body["updated"]
    links = body["links"]
    assert links["self"] == f"{server.base}{SETS}/{body['id']}"
    assert (
        "verb=ListRecords" in links["oai-listrecords"] and "set=climate" in links["oai-listrecords"]
    )
    assert "verb=ListIdentifiers" in links["oai-listidentifiers"]

    read = requests.get(links["self"], timeout=30)  # anyone may read
    assert read.status_code == 200 and read.json() == body

    create(server, admin, name="Oceans", spec="oceans", search_pattern="ocean")
    create(server, admin, name="Arctic", spec="polar:arctic", search_pattern="arctic")
    listing = requests.get(server.base + SETS, params={"sort": "spec", "size": 2}, timeout=30)
    assert listing.status_code == 200
    page = listing.json()
    assert page["hits"]["total"] == 3
    assert [h["spec"] for h in page["hits"]["hits"]] == ["climate", "oceans"]
    assert "next" in page["links"] and page["sortBy"] == "spec"
    rest = requests.get(page["links"]["next"], timeout=30).json()
    assert [h["spec"] for h in rest["hits"]["hits"]] == ["polar:arctic"]
    found = requests.get(server.base + SETS, params={"q": "ocean"}, timeout=30).json()
    assert [h["spec"] for h in found["hits"]["hits"]] == ["oceans"]
    newest = requests.get(
        server.base + SETS, params={"sort": "created", "sort_direction": "desc"}, timeout=30
    ).json()
    assert newest["hits"]["hits"][0]["spec"] == "polar:arctic"

    changed = requests.put(
        links["self"],
        json={"name": "Climate change", "spec": "climate", "search_pattern": "climate OR warming"},
        headers=auth(admin),
        timeout=30,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["name"] == "Climate change"
    assert changed.json()["description"] is None
    assert changed.json()["search_pattern"] == "climate OR warming"

    gone = requests.delete(links["self"], headers=auth(admin), timeout=30)
    assert gone.status_code == 204
    assert requests.get(links["self"], timeout=30).status_code == 404
    assert requests.delete(links["self"], headers=auth(admin), timeout=30).status_code == 404


def field_errors(response: requests.Response) -> dict[str, list[str]]:
    assert response.status_code == 400, response.text
    return {e["field"]: e["messages"] for e in response.json().get("errors", [])}


def test_invalid_sets_are_refused_naming_the_field(server: ServedApp, factory: Factory) -> None:
    admin = factory.user(admin=True)
    good = {"name": "Good", "spec": "good", "search_pattern": "good"}
    assert create(server, admin, **good).status_code == 201
    assert "spec" in field_errors(create(server, admin, **good))  # duplicate spec
    assert "spec" in field_errors(create(server, admin, **{**good, "spec": "has space"}))
    assert "spec" in field_errors(create(server, admin, **{**good, "spec": "a::b"}))
    assert "spec" in field_errors(create(server, admin, **{**good, "spec": "résumé"}))
    reserved = {**good, "spec": "resource_type:mine"}
    assert "spec" in field_errors(create(server, admin, **reserved))
    assert "spec" in field_errors(create(server, admin, **{**good, "spec": "x" * 256}))
    broken = {**good, "spec": "broken", "search_pattern": "title:(unclosed"}
    assert "search_pattern" in field_errors(create(server, admin, **broken))
    errors = field_errors(create(server, admin, spec="nothing"))
    assert {"name", "search_pattern"} <= errors.keys()
    assert "name" in field_errors(create(server, admin, **{**good, "spec": "n", "name": 7}))
    assert "name" in field_errors(create(server, admin, **{**good, "spec": "n", "name": "  "}))
    not_object = requests.post(server.base + SETS, json=[1], headers=auth(admin), timeout=30)
    assert not_object.status_code == 400
    not_json = requests.post(
        server.base + SETS,
        data=b"{",
        headers={**auth(admin), "Content-Type": "application/json"},
        timeout=30,
    )
    assert not_json.status_code == 400

    set_id = requests.get(server.base + SETS, timeout=30).json()["hits"]["hits"][0]["id"]
    url = f"{server.base}{SETS}/{set_id}"
    moved = requests.put(url, json={**good, "spec": "other"}, headers=auth(admin), timeout=30)
    assert "spec" in field_errors(moved)
    assert requests.get(f"{server.base}{SETS}/abc", timeout=30).status_code == 404
    assert requests.get(f"{server.base}{SETS}/99999999999", timeout=30).status_code == 404
    bad_sort = requests.get(server.base + SETS, params={"sort": "nope", "size": "0"}, timeout=30)
    assert {"sort", "size"} <= field_errors(bad_sort).keys()


def test_only_admins_change_sets(server: ServedApp, factory: Factory) -> None:
    admin, user = factory.user(admin=True), factory.user()
    body = {"name": "Mine", "spec": "mine", "search_pattern": "x"}
    assert requests.post(server.base + SETS, json=body, timeout=30).status_code in (401, 403)
    assert create(server, user, **body).status_code == 403
    set_id = create(server, admin, **body).json()["id"]
    url = f"{server.base}{SETS}/{set_id}"
    assert requests.put(url, json=body, headers=auth(user), timeout=30).status_code == 403
    assert requests.delete(url, headers=auth(user), timeout=30).status_code == 403
    assert requests.delete(url, timeout=30).status_code in (401, 403)
    assert requests.get(url, timeout=30).status_code == 200


# -- harvesting --------------------------------------------------------------------------------
def test_harvesting_a_set_follows_its_query_and_reports_members_that_went(
    server: ServedApp, factory: Factory
) -> None:
    admin, user = factory.user(admin=True), factory.user()
    climate = [publish(factory, user, f"Climate record {i}") for i in range(3)]
    other = publish(factory, user, "Ocean record")
    hidden = publish(factory, user, "Climate but restricted", access="restricted")
    created = create(
        server,
        admin,
        name="Climate",
        spec="climate",
        search_pattern="metadata.title:climate",
        description="Everything on climate",
    ).json()

    # not built yet: OAI-PMH's flow control
    early = requests.get(
        server.base + "/oai2d",
        params={"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "climate"},
        timeout=30,
    )
    assert early.status_code == 503 and int(early.headers["Retry-After"]) > 0
    with server.app.state.services.records.db.read() as session:
        assert session.query(Job).filter(Job.kind == BUILD_JOB).count() == 1
    built(server, created["id"])

    found = headers(harvest(server, set="climate"))
    # the restricted record was never public: no harvester hears of it
    assert set(found) == set(climate)
    assert all(not deleted and "climate" in specs for deleted, specs in found.values())
    everything = headers(harvest(server))
    assert "climate" not in everything[other][1] and hidden not in everything
    never = harvest(server, verb="GetRecord", identifier=f"oai:127.0.0.1:{hidden}")
    assert never.find("o:error", NS).get("code") == "idDoesNotExist"

    listed = requests.get(server.base + "/oai2d", params={"verb": "ListSets"}, timeout=30)
    doc = etree.fromstring(listed.content)
    mine = [
        s
        for s in doc.iterfind(".//o:set", NS)
        if s.findtext("o:setSpec", namespaces=NS) == "climate"
    ]
    assert len(mine) == 1
    assert mine[0].findtext("o:setName", namespaces=NS) == "Climate"
    assert mine[0].findtext(".//dc:description", namespaces=NS) == "Everything on climate"

    # changes show at once: the members follow the change log before each request
    time.sleep(1.1)
    since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    fresh = publish(factory, user, "Climate record, new")
    factory.services.records.delete_record(SYSTEM, climate[0], {})
    republish(factory, user, climate[1], "Climate record restricted", "restricted")
    republish(factory, user, climate[2], "Now about oceans", "public")
    republish(factory, user, other, "Ocean and climate", "public")
    changes = headers(harvest(server, set="climate", **{"from": since}))
    assert {rid: deleted for rid, (deleted, _) in changes.items()} == {
        fresh: False,
        climate[0]: True,  # deleted: still in the set, reported deleted
        climate[1]: True,  # restricted after publishing: reported deleted
        other: False,  # now matches
    }  # climate[2] no longer matches: it left the set
    records = harvest(server, verb="ListRecords", set="climate")
    titles = {t.text for t in records.iterfind(".//dc:title", NS)}
    assert titles == {"Climate record, new", "Ocean and climate"}  # no metadata if deleted

    # a new query rebuilds the members from scratch
    url = f"{server.base}{SETS}/{created['id']}"
    body = {"name": "Oceans", "search_pattern": "metadata.title:oceans"}
    assert requests.put(url, json=body, headers=auth(admin), timeout=30).status_code == 200
    assert (
        requests.get(
            server.base + "/oai2d",
            params={"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "set": "climate"},
            timeout=30,
        ).status_code
        == 503
    )
    built(server, created["id"])
    # "oceans" is stemmed as a search stems it: "Ocean and climate" is found too; the
    # deleted member stays, so harvesters of the set still learn it is gone
    rebuilt = headers(harvest(server, set="climate"))
    assert {rid: deleted for rid, (deleted, _) in rebuilt.items()} == {
        climate[2]: False,
        other: False,
        climate[0]: True,
    }

    requests.delete(url, headers=auth(admin), timeout=30)
    gone = harvest(server, set="climate")
    assert gone.find("o:error", NS).get("code") == "noRecordsMatch"


def test_a_build_for_an_older_query_changes_nothing(server: ServedApp, factory: Factory) -> None:
    admin, user = factory.user(admin=True), factory.user()
    alpha = publish(factory, user, "Alpha")
    created = create(server, admin, name="A", spec="a", search_pattern="alpha").json()
    url = f"{server.base}{SETS}/{created['id']}"
    body = {"name": "A", "search_pattern": "beta"}
    assert requests.put(url, json=body, headers=auth(admin), timeout=30).status_code == 200
    members = server.app.state.services.oai_members
    assert members.build(created["id"], 1) is False  # superseded by revision 2
    assert "a" not in headers(harvest(server))[alpha][1]
    built(server, created["id"])
    assert harvest(server, set="a").find("o:error", NS).get("code") == "noRecordsMatch"
    beta = publish(factory, user, "Beta")
    assert set(headers(harvest(server, set="a"))) == {beta}


def test_the_worker_in_the_server_builds_a_new_set(
    tmp_path: Path, db: Database, factory: Factory
) -> None:
    served = serve(tmp_path, db, jobs_poll_seconds=0.2)
    served.app.state.jobs.start()  # as the server's lifespan does (the test server has none)
    try:
        user, admin = factory.user(), factory.user(admin=True)
        rid = publish(factory, user, "Glacier survey")
        create(served, admin, name="Ice", spec="ice", search_pattern="glacier")
        params = {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "set": "ice"}
        deadline = time.monotonic() + 30
        while True:
            response = requests.get(served.base + "/oai2d", params=params, timeout=30)
            if response.status_code == 200 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert response.status_code == 200
        assert set(headers(etree.fromstring(response.content))) == {rid}
    finally:
        served.app.state.jobs.stop(grace=5)
        served.stop()


def test_a_long_backlog_answers_503_until_the_catch_up_job_is_through(
    server: ServedApp, factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin, user = factory.user(admin=True), factory.user()
    created = create(server, admin, name="Moss", spec="moss", search_pattern="moss").json()
    built(server, created["id"])
    monkeypatch.setattr("cairn.oaipmh.protocol.CATCH_UP_IN_REQUEST", 1)
    mosses = [publish(factory, user, f"Moss {i}") for i in range(3)]  # 3 batches of changes
    monkeypatch.setattr("cairn.oaipmh.membership.BATCH", 1)
    params = {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "set": "moss"}
    late = requests.get(server.base + "/oai2d", params=params, timeout=30)
    assert late.status_code == 503 and late.headers["Retry-After"] == "60"
    whole = headers(harvest(server))  # harvests without a query set go on
    assert set(mosses) <= set(whole)
    server.app.state.services.oai_members.catch_up()  # what the job does
    assert set(headers(harvest(server, set="moss"))) == set(mosses)


def test_the_first_set_skips_the_change_log_history(server: ServedApp, factory: Factory) -> None:
    admin, user = factory.user(admin=True), factory.user()
    old = [publish(factory, user, f"Lichen {i}") for i in range(2)]
    db = server.app.state.services.records.db

    def feed() -> int:
        with db.read() as session:
            row = session.get(OaiSetFeed, 1)
            return row.seq if row is not None else 0

    with db.read() as session:
        newest = last_seq(session)
    assert feed() < newest  # no OAI-PMH request has caught up yet
    first = create(server, admin, name="Lichen", spec="lichen", search_pattern="lichen").json()
    assert feed() == newest  # nothing before the first set needs evaluating
    publish(factory, user, "Lichen late")
    create(server, admin, name="Other", spec="other", search_pattern="other")
    assert feed() == newest  # a second set must not skip what the first still needs
    built(server, first["id"])
    assert set(old) <= set(headers(harvest(server, set="lichen")))
    assert len(headers(harvest(server, set="lichen"))) == 3


def test_a_set_holds_its_sub_sets_as_oai_pmh_hierarchy_has_it(
    server: ServedApp, factory: Factory
) -> None:
    admin, user = factory.user(admin=True), factory.user()
    fern, moss = publish(factory, user, "Fern"), publish(factory, user, "Moss plants")
    sub = create(server, admin, name="Ferns", spec="plants:ferns", search_pattern="fern").json()
    built(server, sub["id"])
    # "plants" is not defined: harvesting it gives its sub-sets' members
    assert set(headers(harvest(server, set="plants"))) == {fern}
    assert headers(harvest(server))[fern][1][-1:] == ["plants:ferns"]
    top = create(server, admin, name="Plants", spec="plants", search_pattern="moss").json()
    built(server, top["id"])
    assert set(headers(harvest(server, set="plants"))) == {fern, moss}
    assert set(headers(harvest(server, set="plants:ferns"))) == {fern}
    found = headers(harvest(server))
    assert {"plants", "plants:ferns"} <= set(found[fern][1])  # the set above is named too
    assert "plants:ferns" not in found[moss][1]


def test_a_token_is_refused_once_its_set_is_redefined_or_gone(
    server: ServedApp, factory: Factory
) -> None:
    admin, user = factory.user(admin=True), factory.user()
    for i in range(3):
        publish(factory, user, f"Reed {i}")
    created = create(server, admin, name="Reeds", spec="reeds", search_pattern="reed").json()
    built(server, created["id"])
    provider_page_size(server, 2)
    try:
        first = harvest(server, set="reeds")
        token = first.find(".//o:resumptionToken", NS).text
        assert token
        url = f"{server.base}{SETS}/{created['id']}"
        body = {"name": "Reeds", "search_pattern": "reed OR rush"}
        assert requests.put(url, json=body, headers=auth(admin), timeout=30).status_code == 200
        built(server, created["id"])
        again = harvest(server, verb="ListIdentifiers", resumptionToken=token, metadataPrefix="")
        assert again.find("o:error", NS).get("code") == "badResumptionToken"
        token = harvest(server, set="reeds").find(".//o:resumptionToken", NS).text
        assert requests.delete(url, headers=auth(admin), timeout=30).status_code == 204
        gone = harvest(server, verb="ListIdentifiers", resumptionToken=token, metadataPrefix="")
        assert gone.find("o:error", NS).get("code") == "badResumptionToken"
    finally:
        provider_page_size(server, 500)


def test_a_rebuild_keeps_the_deleted_members(server: ServedApp, factory: Factory) -> None:
    admin, user = factory.user(admin=True), factory.user()
    kept, gone = publish(factory, user, "Sedge one"), publish(factory, user, "Sedge two")
    created = create(server, admin, name="Sedges", spec="sedges", search_pattern="sedge").json()
    built(server, created["id"])
    factory.services.records.delete_record(SYSTEM, gone, {})
    url = f"{server.base}{SETS}/{created['id']}"
    body = {"name": "Sedges", "search_pattern": "sedge OR carex"}
    assert requests.put(url, json=body, headers=auth(admin), timeout=30).status_code == 200
    built(server, created["id"])
    found = headers(harvest(server, set="sedges"))
    assert {rid: deleted for rid, (deleted, _) in found.items()} == {kept: False, gone: True}
    assert all("sedges" in specs for _, specs in found.values())


def test_a_failing_catch_up_answers_503_for_query_sets_only(
    server: ServedApp, factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin, user = factory.user(admin=True), factory.user()
    rid = publish(factory, user, "Rush")
    created = create(server, admin, name="Rushes", spec="rushes", search_pattern="rush").json()
    built(server, created["id"])
    members = server.app.state.services.oai_members

    def broken(limit: int | None = None) -> int:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(members, "catch_up", broken)
    params = {"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "rushes"}
    failed = requests.get(server.base + "/oai2d", params=params, timeout=30)
    assert failed.status_code == 503 and failed.headers["Retry-After"]
    assert rid in headers(harvest(server))  # harvests without a query set go on
    monkeypatch.undo()
    assert set(headers(harvest(server, set="rushes"))) == {rid}


def test_listing_arguments_out_of_range_get_400(server: ServedApp) -> None:
    too_far = requests.get(server.base + SETS, params={"page": "10" * 30}, timeout=30)
    assert "page" in field_errors(too_far)
    wordy = requests.get(server.base + SETS, params={"q": "word " * 1200}, timeout=30)
    assert "q" in field_errors(wordy)
    assert requests.get(server.base + SETS, params={"page": "x"}, timeout=30).status_code == 400


def provider_page_size(served: ServedApp, size: int) -> None:
    requests.get(served.base + "/oai2d", params={"verb": "Identify"}, timeout=30)
    oai = served.app.state.oai_provider
    oai.repository = dataclasses.replace(oai.repository, page_size=size)


def test_headers_name_a_set_only_once_its_members_are_gathered(
    server: ServedApp, factory: Factory
) -> None:
    admin, user = factory.user(admin=True), factory.user()
    rid = publish(factory, user, "Heather")
    created = create(server, admin, name="Heath", spec="heath", search_pattern="heather").json()
    built(server, created["id"])
    assert "heath" in headers(harvest(server))[rid][1]
    url = f"{server.base}{SETS}/{created['id']}"
    body = {"name": "Heath", "search_pattern": "heather OR gorse"}
    assert requests.put(url, json=body, headers=auth(admin), timeout=30).status_code == 200
    assert "heath" not in headers(harvest(server))[rid][1]  # being rebuilt
    built(server, created["id"])
    assert "heath" in headers(harvest(server))[rid][1]


def test_identify_leaves_out_records_that_were_never_public(
    server: ServedApp, factory: Factory
) -> None:
    user = factory.user()
    publish(factory, user, "Hidden first", access="restricted")
    time.sleep(1.1)  # the public record's datestamp falls in a later second
    shown = publish(factory, user, "Shown second")
    stamp = headers_datestamp(harvest(server), shown)
    doc = harvest(server, verb="Identify", metadataPrefix="")
    assert doc.findtext(".//o:earliestDatestamp", namespaces=NS) == stamp


def headers_datestamp(doc: etree._Element, record_id: str) -> str:
    for header in doc.iterfind(".//o:header", NS):
        if header.findtext("o:identifier", namespaces=NS).endswith(f":{record_id}"):
            return str(header.findtext("o:datestamp", namespaces=NS))
    raise AssertionError(f"{record_id} not harvested")
