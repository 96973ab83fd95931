"""DOIs end to end against a DataCite stand-in (a real HTTP server validating every payload
against the kernel-4.5 XSD): the providers, assignment at publish, registration as a job
(outage, retry, refusal), updates on edit, hiding on delete/restriction, external DOIs."""

from __future__ import annotations

import copy

import pytest
from sqlalchemy import select

from cairn.app import doi_config
from cairn.core.errors import ValidationFailed
from cairn.core.identity import ANONYMOUS
from cairn.db.job_admin import JobAdministration
from cairn.db.jobs import Job
from cairn.jobs.queue import Backoff
from cairn.pids import DataCiteProvider, PermanentError, RetriableError
from cairn.settings import SettingsError, load_settings
from tests.conftest import _free_port, serve
from tests.contracts.test_datacite_xsd import EVERY_FIELD
from tests.factories import Factory, minimal_record
from tests.standins.datacite import DataCiteStandIn

PREFIX = "10.1234"
XML = b"""<?xml version="1.0" encoding="UTF-8"?>
<resource xmlns="http://datacite.org/schema/kernel-4"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
 xsi:schemaLocation="http://datacite.org/schema/kernel-4 http://schema.datacite.org/meta/kernel-4.5/metadata.xsd">
<identifier identifierType="DOI">%s</identifier>
<creators><creator><creatorName>Doe, Jane</creatorName></creator></creators>
<titles><title>A title</title></titles>
<publisher>Cairn</publisher><publicationYear>2024</publicationYear>
<resourceType resourceTypeGeneral="Dataset">Dataset</resourceType>
</resource>"""


@pytest.fixture
def standin():
    server = DataCiteStandIn().start()
    yield server
    server.stop()


@pytest.fixture
def provider(standin):
    client = DataCiteProvider(standin.url, standin.username, standin.password, timeout=5)
    yield client
    client.close()


def _served(tmp_path, db, **settings):
    served = serve(tmp_path, db, doi_prefix=PREFIX, **settings)
    served.app.state.jobs.backoff = Backoff(base=0, cap=0)  # retries are due at once
    return served


@pytest.fixture
def doi_app(tmp_path, db, standin):
    served = _served(
        tmp_path,
        db,
        doi_provider="datacite",
        datacite_url=standin.url,
        datacite_username=standin.username,
        datacite_password=standin.password,
    )
    yield served
    served.stop()


@pytest.fixture
def svc(doi_app):
    return doi_app.app.state.services


@pytest.fixture
def make(svc):
    return Factory(svc)


def _run_jobs(served) -> int:
    count = 0
    while served.app.state.jobs.run_once():
        count += 1
    return count


def _jobs(db) -> list[Job]:
    with db.read() as session:
        return list(session.scalars(select(Job).where(Job.kind == "pids.register")))


# -- the provider against the stand-in -----------------------------------------------------
def test_provider_reserves_registers_updates_and_hides(provider, standin):
    doi = f"{PREFIX}/abcde-12345"
    provider.reserve(doi)
    assert provider.state(doi) == "draft"
    provider.register(doi, "https://cairn.test/records/abcde-12345", XML % doi.encode())
    assert provider.state(doi) == "findable"
    assert standin.get(doi).url == "https://cairn.test/records/abcde-12345"
    provider.update(
        doi, "https://cairn.test/records/x", XML.replace(b"A title", b"New") % doi.encode()
    )
    assert standin.get(doi).title() == "New" and provider.state(doi) == "findable"
    provider.hide(doi)
    assert provider.state(doi) == "registered"


def test_provider_errors_are_retriable_or_permanent(provider, standin):
    doi = f"{PREFIX}/bad"
    with pytest.raises(PermanentError, match="422"):
        provider.register(doi, "https://cairn.test/records/bad", b"<resource/>")
    with pytest.raises(PermanentError, match="identifier"):
        provider.register(doi, "https://x.test/", XML % b"10.9999/other")
    standin.outage = True
    with pytest.raises(RetriableError, match="503"):
        provider.register(doi, "https://x.test/", XML % doi.encode())
    standin.outage = False
    wrong = DataCiteProvider(standin.url, standin.username, "wrong", timeout=5)
    with pytest.raises(PermanentError, match="401"):
        wrong.register(doi, "https://x.test/", XML % doi.encode())
    wrong.close()
    gone = DataCiteProvider(f"http://127.0.0.1:{_free_port()}", "u", "p", timeout=2)
    with pytest.raises(RetriableError, match="could not be reached"):
        gone.hide(doi)
    gone.close()


# -- publish, register, update, hide -------------------------------------------------------
def test_publish_assigns_a_doi_and_a_job_registers_it(doi_app, svc, make, standin, db):
    owner = make.user()
    record = make.record(owner, title="Registered at DataCite")
    doi = f"{PREFIX}/{record.id}"
    assert record.data["pids"]["doi"]["identifier"] == doi
    assert record.data["pids"]["doi"]["provider"] == "datacite"
    assert record.data["pids"]["doi"]["status"] == "registering"
    assert standin.get(doi) is None  # nothing sent inside the publish transaction
    assert len(_jobs(db)) == 2  # the version DOI and the parent's concept DOI
    assert _run_jobs(doi_app) == 2
    stored = standin.get(doi)
    assert stored.state == "findable"
    assert stored.url == f"{doi_app.base}/records/{record.id}"
    assert stored.title() == "Registered at DataCite"
    seen = svc.records.read(owner.identity, record.id).data["pids"]["doi"]
    assert seen["status"] == "registered" and "error" not in seen
    public = svc.records.read(ANONYMOUS, record.id).data["pids"]["doi"]
    assert public == {"identifier": doi, "provider": "datacite", "client": "datacite"}


def test_a_record_with_every_field_registers_valid_xml(doi_app, svc, make, standin):
    owner = make.user()
    record = make.record(owner, **EVERY_FIELD)
    _run_jobs(doi_app)  # the stand-in refuses (422) any payload the XSD rejects
    stored = standin.get(record.data["pids"]["doi"]["identifier"])
    assert stored.state == "findable" and stored.title() == EVERY_FIELD["title"]
    concept = standin.get(record.data["parent"]["pids"]["doi"]["identifier"])
    assert concept.state == "findable" and concept.title() == EVERY_FIELD["title"]
    assert svc.records.read(owner.identity, record.id).data["pids"]["doi"]["status"] == "registered"


def test_an_outage_never_blocks_publishing_and_the_retry_registers(doi_app, svc, make, standin):
    owner = make.user()
    standin.outage = True
    record = make.record(owner)  # publishing works while DataCite is down
    doi = record.data["pids"]["doi"]["identifier"]
    assert doi_app.app.state.jobs.run_once()
    seen = svc.records.read(owner.identity, record.id).data["pids"]["doi"]
    assert seen["status"] == "failed" and seen["will_retry"] is True
    assert "503" in seen["error"]
    assert "status" not in svc.records.read(ANONYMOUS, record.id).data["pids"]["doi"]
    standin.outage = False
    assert _run_jobs(doi_app) == 2  # the retry, and the concept DOI's job
    assert standin.get(doi).state == "findable"
    assert svc.records.read(owner.identity, record.id).data["pids"]["doi"]["status"] == "registered"


def test_after_the_last_attempt_an_admin_retry_registers(doi_app, svc, make, standin, db):
    owner, admin = make.user(), make.user(admin=True)
    standin.outage = True
    record = make.record(owner)
    assert _run_jobs(doi_app) == 10  # every attempt of both jobs, backoff zero
    seen = svc.records.read(owner.identity, record.id).data["pids"]["doi"]
    assert seen["status"] == "failed" and seen["will_retry"] is False
    (job,) = [j for j in _jobs(db) if j.payload["record_id"] == record.id]
    assert job.state == "failed" and "503" in (job.last_error or "")
    standin.outage = False
    JobAdministration(db).retry(admin.identity, job.id)  # as `cairn jobs retry`
    assert _run_jobs(doi_app) == 1
    assert svc.records.read(owner.identity, record.id).data["pids"]["doi"]["status"] == "registered"


def test_a_refusal_is_kept_as_failed_without_retries(tmp_path, db, standin):
    served = _served(
        tmp_path,
        db,
        doi_provider="datacite",
        datacite_url=standin.url,
        datacite_username=standin.username,
        datacite_password="wrong",
    )
    try:
        make = Factory(served.app.state.services)
        owner = make.user()
        record = make.record(owner)
        assert _run_jobs(served) == 2  # once each, no retries
        seen = served.app.state.services.records.read(owner.identity, record.id)
        doi = seen.data["pids"]["doi"]
        assert doi["status"] == "failed" and doi["will_retry"] is False
        assert "401" in doi["error"] and "Bad credentials" in doi["error"]
    finally:
        served.stop()


def test_edit_and_publish_updates_the_metadata(doi_app, svc, make, standin):
    owner = make.user()
    record = make.record(owner, title="First title")
    _run_jobs(doi_app)
    draft = svc.records.edit(owner.identity, record.id)
    body = {k: copy.deepcopy(draft.data[k]) for k in ("metadata", "access", "files", "pids")}
    body["metadata"]["title"] = "Second title"
    svc.records.update_draft(owner.identity, record.id, body)
    again = svc.records.publish(owner.identity, record.id)
    assert again.data["pids"]["doi"]["identifier"] == record.data["pids"]["doi"]["identifier"]
    _run_jobs(doi_app)
    stored = standin.get(record.data["pids"]["doi"]["identifier"])
    assert stored.title() == "Second title" and stored.state == "findable"
    assert stored.history.count("metadata") == 2


def test_an_edit_published_while_a_job_runs_keeps_the_newer_state(doi_app, svc, make, standin):
    owner = make.user()
    record = make.record(owner, title="Old title")
    doi = record.data["pids"]["doi"]["identifier"]

    def edit_and_publish() -> None:
        draft = svc.records.edit(owner.identity, record.id)
        body = {k: copy.deepcopy(draft.data[k]) for k in ("metadata", "access", "files", "pids")}
        body["metadata"]["title"] = "New title"
        svc.records.update_draft(owner.identity, record.id, body)
        svc.records.publish(owner.identity, record.id)

    standin.before = edit_and_publish  # while the first job waits for DataCite
    assert doi_app.app.state.jobs.run_once()
    assert standin.get(doi).title() == "Old title"
    seen = svc.records.read(owner.identity, record.id).data["pids"]["doi"]
    assert seen["status"] == "registering"  # the newer job is still to run
    _run_jobs(doi_app)
    assert standin.get(doi).title() == "New title"
    assert svc.records.read(owner.identity, record.id).data["pids"]["doi"]["status"] == "registered"


def test_delete_hides_and_restore_shows_again(doi_app, svc, make, factory, standin):
    owner, admin = make.user(), make.user(admin=True)
    record = make.record(owner)
    doi = record.data["pids"]["doi"]["identifier"]
    _run_jobs(doi_app)
    svc.records.delete_record(admin.identity, record.id, {"note": "spam"})
    _run_jobs(doi_app)
    assert standin.get(doi).state == "registered"  # resolvable, not findable
    svc.records.restore(admin.identity, record.id)
    _run_jobs(doi_app)
    assert standin.get(doi).state == "findable"
    assert svc.records.read(owner.identity, record.id).data["pids"]["doi"]["status"] == "registered"


def test_restricting_hides_and_restricted_records_get_no_doi(doi_app, svc, make, standin):
    owner = make.user()
    body = minimal_record()
    body["access"]["record"] = "restricted"
    draft = svc.records.create(owner.identity, body)
    restricted = svc.records.publish(owner.identity, draft.id)
    assert "doi" not in restricted.data["pids"]

    record = make.record(owner)
    doi = record.data["pids"]["doi"]["identifier"]
    _run_jobs(doi_app)
    draft = svc.records.edit(owner.identity, record.id)
    body = {k: copy.deepcopy(draft.data[k]) for k in ("metadata", "access", "files", "pids")}
    body["access"]["record"] = "restricted"
    svc.records.update_draft(owner.identity, record.id, body)
    svc.records.publish(owner.identity, record.id)
    _run_jobs(doi_app)
    assert standin.get(doi).state == "registered"
    assert svc.records.read(owner.identity, record.id).data["pids"]["doi"]["status"] == "hidden"


def test_versions_get_their_own_dois_and_the_parent_a_concept_doi(doi_app, svc, make, standin):
    owner, admin = make.user(), make.user(admin=True)
    first = make.record(owner)
    parent_id = first.data["parent"]["id"]
    concept = f"{PREFIX}/{parent_id}"
    assert first.data["parent"]["pids"]["doi"]["identifier"] == concept
    _run_jobs(doi_app)
    v1 = f"{PREFIX}/{first.id}"
    assert ("IsVersionOf", concept) in standin.get(v1).related()
    assert standin.get(concept).related() == [("HasVersion", v1)]
    assert standin.get(concept).url == f"{doi_app.base}/records/{parent_id}"

    draft = svc.records.new_version(owner.identity, first.id)
    assert draft.data["pids"] == {}
    body = {k: copy.deepcopy(draft.data[k]) for k in ("metadata", "access", "files")}
    body["metadata"]["publication_date"] = "2021-01-01"
    body["metadata"]["title"] = "Second version"
    svc.records.update_draft(owner.identity, draft.id, body)
    second = svc.records.publish(owner.identity, draft.id)
    v2 = f"{PREFIX}/{second.id}"
    assert second.data["pids"]["doi"]["identifier"] == v2
    assert second.data["parent"]["pids"]["doi"]["identifier"] == concept
    _run_jobs(doi_app)
    assert standin.get(v1).state == standin.get(v2).state == "findable"
    assert standin.get(concept).related() == [("HasVersion", v1), ("HasVersion", v2)]
    assert standin.get(concept).title() == "Second version"  # the latest version's
    seen = svc.records.read(owner.identity, second.id).data["parent"]["pids"]["doi"]
    assert seen["status"] == "registered"
    assert "status" not in svc.records.read(ANONYMOUS, second.id).data["parent"]["pids"]["doi"]

    svc.records.delete_record(admin.identity, second.id, {})
    _run_jobs(doi_app)
    assert standin.get(concept).related() == [("HasVersion", v1)]
    svc.records.delete_record(admin.identity, first.id, {})
    _run_jobs(doi_app)
    assert standin.get(concept).state == "registered"  # no version left: hidden


# -- drafts: reserve, discard, external DOIs -----------------------------------------------
def test_reserve_and_discard_on_a_draft(doi_app, svc, make, standin):
    owner = make.user()
    draft = make.draft(owner)
    reserved = svc.records.reserve_doi(owner.identity, draft.id)
    doi = reserved.data["pids"]["doi"]
    assert doi["identifier"] == f"{PREFIX}/{draft.id}" and doi["status"] == "reserved"
    assert standin.requests == []  # reserving is local, as in InvenioRDM
    discarded = svc.records.discard_doi(owner.identity, draft.id)
    assert discarded.data["pids"] == {}
    svc.records.reserve_doi(owner.identity, draft.id)
    published = svc.records.publish(owner.identity, draft.id)
    assert published.data["pids"]["doi"]["identifier"] == f"{PREFIX}/{draft.id}"
    _run_jobs(doi_app)
    svc.records.edit(owner.identity, draft.id)
    with pytest.raises(ValidationFailed) as refused:
        svc.records.discard_doi(owner.identity, draft.id)
    assert refused.value.errors[0].field == "pids.doi"


def test_external_dois_are_validated(doi_app, svc, make):
    owner = make.user()
    body = minimal_record()
    body["pids"] = {"doi": {"identifier": "not a doi", "provider": "external"}}
    with pytest.raises(ValidationFailed) as bad:
        svc.records.create(owner.identity, body)
    assert bad.value.errors[0].field == "pids.doi.identifier"

    body["pids"] = {"doi": {"identifier": f"{PREFIX}/mine", "provider": "external"}}
    with pytest.raises(ValidationFailed) as own:
        svc.records.create(owner.identity, body)
    assert own.value.errors[0].field == "pids.doi"
    assert "belongs to this repository" in own.value.errors[0].messages[0]

    body["pids"] = {"doi": {"identifier": "10.5555/shared-1", "provider": "external"}}
    first = svc.records.create(owner.identity, body)
    second = svc.records.create(owner.identity, body)  # a draft may hold it meanwhile
    svc.records.publish(owner.identity, first.id)
    with pytest.raises(ValidationFailed) as dup:
        svc.records.publish(owner.identity, second.id)
    assert dup.value.errors[0].field == "pids.doi.identifier"
    with pytest.raises(ValidationFailed):
        svc.records.update_draft(owner.identity, second.id, body)
    # the first record changes its DOI: the old one is free again
    draft = svc.records.edit(owner.identity, first.id)
    changed = {k: copy.deepcopy(draft.data[k]) for k in ("metadata", "access", "files")}
    changed["pids"] = {"doi": {"identifier": "10.5555/shared-2", "provider": "external"}}
    svc.records.update_draft(owner.identity, first.id, changed)
    svc.records.publish(owner.identity, first.id)
    assert svc.records.publish(owner.identity, second.id).data["pids"]["doi"] == {
        "identifier": "10.5555/shared-1",
        "provider": "external",
    }

    body["pids"] = {"doi": {"identifier": f"{PREFIX}/made-up", "provider": "datacite"}}
    with pytest.raises(ValidationFailed) as managed:
        svc.records.create(owner.identity, body)
    assert managed.value.errors[0].field == "pids.doi"
    assert _jobs(doi_app.app.state.db) == []  # external DOIs are never sent anywhere


def test_records_keep_their_doi_after_the_provider_is_turned_off(doi_app, make, services, db):
    owner = make.user()
    record = make.record(owner)
    doi = record.data["pids"]["doi"]
    jobs = len(_jobs(db))
    draft = services.records.edit(owner.identity, record.id)  # an app with doi_provider none
    body = {k: copy.deepcopy(draft.data[k]) for k in ("metadata", "access", "files", "pids")}
    services.records.update_draft(owner.identity, record.id, body)
    again = services.records.publish(owner.identity, record.id)
    assert again.data["pids"]["doi"]["identifier"] == doi["identifier"]
    assert len(_jobs(db)) == jobs  # nothing to register it with


def test_doi_settings_are_checked():
    with pytest.raises(SettingsError, match="DOI_PROVIDER"):
        load_settings({}, doi_provider="crossref")
    with pytest.raises(SettingsError, match="DOI_PREFIX"):
        doi_config(load_settings({}, doi_provider="datacite"))
    assert doi_config(load_settings({}, doi_provider="local", doi_prefix=PREFIX)).prefix == PREFIX


def test_local_provider_registers_at_once(tmp_path, db):
    served = _served(tmp_path, db, doi_provider="local")
    try:
        make = Factory(served.app.state.services)
        owner = make.user()
        record = make.record(owner)
        doi = record.data["pids"]["doi"]
        assert doi["identifier"] == f"{PREFIX}/{record.id}" and doi["provider"] == "local"
        assert doi["status"] == "registered"
        assert _jobs(db) == []
    finally:
        served.stop()
