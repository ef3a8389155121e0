"""Nobody browses the register: an act is found by its reference together with a fact the requester knows, an
agent's lookups are limited and the excess alerted, a restricted copy issued elsewhere is recorded at the office
that keeps the act, and a failed issue leaves no sealed PDF behind."""

from pathlib import Path
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.db import transaction
from django.urls import reverse

from raqmana.accounts.constants import Role
from raqmana.accounts.services import grant_role
from raqmana.accounts.tests.factories import UserFactory
from raqmana.audit.models import AuditEvent
from raqmana.civil_status.models import Act
from raqmana.documents import services
from raqmana.documents.constants import DocumentKind
from raqmana.documents.models import DocumentSequence, IssuedDocument
from raqmana.documents.selectors import is_first_name_of
from raqmana.documents.services import issue_at_counter
from raqmana.documents.tests.conftest import HOLDER
from raqmana.notifications.models import Notification
from raqmana.territories.constants import PROVINCIAL_LEVELS
from raqmana.territories.models import CivilStatusOffice, Territory

pytestmark = pytest.mark.django_db
COUNTER = reverse("documents:counter")


def province_of(office):
    return Territory.objects.get(descendant_links__descendant=office.territory, level__in=PROVINCIAL_LEVELS)


def stored_files():
    return {path for path in Path(storages["documents"].location).rglob("*") if path.is_file()}


def english(client):
    client.cookies["django_language"] = "en"
    return client


def full_copy_payload(office, act, **changes):
    return {
        "office_code": office.code,
        "act": act.idcs,
        "birth_date": act.birth_date.isoformat(),
        "kind": DocumentKind.BIRTH_FULL_COPY,
        "requester_name": "Mohamed El Alaoui",
        "requester_document": "",
        "requester_relation": "ascendant",
        "purpose": "Dossier de bourse",
        "identity_checked": True,
        **changes,
    }


def test_a_reference_alone_shows_no_act_and_a_miss_says_nothing(verified_client, birth_act, agadir_agent):
    agent, _office = agadir_agent
    client = english(verified_client(agent))
    alone = client.get(COUNTER, {"reference": birth_act.reference})
    assert "date of birth or first name" in alone.text and birth_act.first_name_ar not in alone.text
    wrong_date = client.get(COUNTER, {"reference": birth_act.reference, "birth_date": "2001-01-01"})
    no_such_act = client.get(COUNTER, {"reference": f"{birth_act.office.code}/1999/7", "birth_date": "2001-01-01"})
    assert birth_act.first_name_ar not in wrong_date.text
    assert "No signed act has this IDCS or reference with this date of birth or first name" in wrong_date.text
    error = 'class="errorlist nonfield"'
    assert wrong_date.text.split(error)[1].split("</ul>")[0] == no_such_act.text.split(error)[1].split("</ul>")[0]
    assert client.get(COUNTER, {"reference": birth_act.idcs, "first_name": "Karim"}).text.count("يوسف") == 0
    assert not AuditEvent.objects.filter(action="act.read").exists()

    # The act's first name in any script, by the register's keys, or its date of birth.
    for fact in [{"first_name": "Youcef"}, {"first_name": "يوسف"}, {"first_name": "ⵢⵓⵙⴼ"},
                 {"birth_date": birth_act.birth_date.isoformat()}]:  # fmt: skip
        found = client.get(COUNTER, {"reference": birth_act.reference, **fact})
        assert birth_act.first_name_ar in found.text, fact
    both_but_one_wrong = {"birth_date": "2001-01-01", "first_name": "Youssef"}
    assert birth_act.first_name_ar not in client.get(COUNTER, {"reference": birth_act.idcs, **both_but_one_wrong}).text


def test_the_api_needs_the_same_fact(verified_client, birth_act, agadir_agent):
    agent, office = agadir_agent
    api = verified_client(agent)
    extract = full_copy_payload(office, birth_act, kind=DocumentKind.BIRTH_EXTRACT, requester_relation="other")
    del extract["birth_date"]
    refused = api.post("/api/documents/", extract, content_type="application/json")
    assert refused.status_code == 422 and not IssuedDocument.objects.exists()
    wrong = api.post("/api/documents/", {**extract, "first_name": "Karim"}, content_type="application/json")
    assert wrong.status_code == 404
    issued = api.post("/api/documents/", {**extract, "first_name": "Youssef"}, content_type="application/json")
    assert issued.status_code == 201, issued.content


def test_lookups_past_the_limit_are_refused_and_alerted_once(verified_client, birth_act, agent, officer, settings):
    settings.RAQMANA_COUNTER_LOOKUP_RATE = "3/h"
    office = birth_act.office
    inspector, elsewhere = UserFactory(), UserFactory()
    grant_role(inspector, Role.PROVINCIAL_INSPECTOR, territory=province_of(office), by=None, reason="test")
    agadir = CivilStatusOffice.objects.filter(territory__name_fr__icontains="Agadir").first()
    grant_role(elsewhere, Role.PROVINCIAL_INSPECTOR, territory=province_of(agadir), by=None, reason="test")
    client = english(verified_client(agent))

    found = {"reference": birth_act.reference, "birth_date": birth_act.birth_date.isoformat()}
    assert client.get(COUNTER, found).status_code == 200
    assert client.get(COUNTER, found).status_code == 200  # the same lookup again is not counted
    walk = [{**found, "reference": f"{office.code}/{birth_act.year}/{number}"} for number in range(2, 7)]
    statuses = [client.get(COUNTER, lookup).status_code for lookup in walk]
    assert statuses == [200, 200, 429, 429, 429]
    refused = client.get(COUNTER, walk[-1])
    assert "more acts than the limit allows (3/h)" in refused.text and birth_act.first_name_ar not in refused.text

    alerted = Notification.objects.filter(subject__contains="تجاوز")  # in the recipients' language, Arabic
    assert sorted(alerted.values_list("user_id", flat=True)) == sorted([officer.pk, inspector.pk])
    assert AuditEvent.objects.filter(action="act.lookup_limit_reached", actor=agent).count() == 1
    # The API counts with the screens.
    payload = full_copy_payload(office, birth_act, kind=DocumentKind.BIRTH_EXTRACT, requester_relation="other")
    assert client.post("/api/documents/", payload, content_type="application/json").status_code == 429
    assert alerted.count() == 2


def test_a_full_copy_issued_elsewhere_records_the_identity_document_at_the_keeping_office(
    verified_client, birth_act, agadir_agent, officer
):
    agent, office = agadir_agent
    api = verified_client(agent)
    missing = api.post("/api/documents/", full_copy_payload(office, birth_act), content_type="application/json")
    assert missing.status_code == 422 and "requester_document" in missing.json()["detail"]
    odd = full_copy_payload(office, birth_act, requester_document="n/a")
    assert api.post("/api/documents/", odd, content_type="application/json").status_code == 422
    assert not IssuedDocument.objects.exists() and not DocumentSequence.objects.exists()

    typed = full_copy_payload(office, birth_act, requester_document="ab 123-456")
    issued = api.post("/api/documents/", typed, content_type="application/json")
    assert issued.status_code == 201, issued.content
    assert IssuedDocument.objects.get().requester_document == "AB123456"
    event = AuditEvent.objects.get(action="act.copy_issued_elsewhere")
    assert (event.office, event.actor_office, event.details["requester_document"]) == (
        birth_act.office,
        office,
        "AB123456",
    )

    keeping = english(verified_client(officer)).get(reverse("core:workspace"))
    assert "AB123456" in keeping.text and "issued by another office" in keeping.text
    third_office = CivilStatusOffice.objects.filter(territory__name_fr__icontains="Fès").first()
    third = UserFactory()
    grant_role(third, Role.CIVIL_STATUS_OFFICER, office=third_office, by=None, reason="test")
    assert "AB123456" not in english(verified_client(third)).get(reverse("core:workspace")).text


def test_the_keeping_office_issues_a_full_copy_without_an_extra_record(birth_act, agent, temara_office):
    issue_at_counter(
        birth_act,
        DocumentKind.BIRTH_FULL_COPY,
        office=temara_office,
        by=agent,
        requester={**HOLDER, "document": ""},
        purpose="Visa",
    )
    assert not AuditEvent.objects.filter(action="act.copy_issued_elsewhere").exists()


def test_a_citizen_gives_the_first_name_too(client, birth_act):
    client.force_login(UserFactory())
    english(client)
    url = reverse("documents:order_new")
    facts = {"kind": "birth_extract", "reference": birth_act.idcs, "event_date": birth_act.birth_date.isoformat()}
    without = client.get(url, facts)
    assert "This field is required" in without.text and birth_act.first_name_ar not in without.text
    wrong = client.get(url, {**facts, "first_name": "Karim"})
    assert "with this date and first name" in wrong.text and birth_act.first_name_ar not in wrong.text
    assert birth_act.first_name_ar in client.get(url, {**facts, "first_name": "youssef"}).text

    form = {"kind": "birth_extract", "act": birth_act.idcs, "event_date": birth_act.birth_date.isoformat(),
            "requester_relation": "other", "purpose": "Dossier"}  # fmt: skip
    assert client.post("/api/documents/orders", form).status_code == 422
    assert client.post("/api/documents/orders", {**form, "first_name": "Karim"}).status_code == 404
    assert client.post("/api/documents/orders", {**form, "first_name": "يوسف"}).status_code == 201


def test_an_over_long_requester_field_is_refused_before_any_number_or_file(verified_client, birth_act, agadir_agent):
    agent, office = agadir_agent
    api = verified_client(agent)
    before = stored_files()
    payload = full_copy_payload(office, birth_act, requester_document="AB123456", requester_name="م" * 201)
    with mock.patch.object(services, "draw", wraps=services.draw) as draw:
        refused = api.post("/api/documents/", payload, content_type="application/json")
    assert refused.status_code == 422 and "requester_name" in refused.json()["detail"]
    assert not draw.called and not DocumentSequence.objects.exists() and stored_files() == before

    # A value no text check reads (a choice) is checked too, before the number: not only by the database's save.
    relation = {**HOLDER, "relation": "a cousin of the holder's neighbour"}
    with pytest.raises(ValidationError) as refused:
        issue_at_counter(
            birth_act, DocumentKind.BIRTH_EXTRACT, office=office, by=agent, requester=relation, purpose="x"
        )
    assert "requester_relation" in refused.value.message_dict
    assert not DocumentSequence.objects.exists() and stored_files() == before

    form = {"kind": DocumentKind.BIRTH_EXTRACT, "requester_name": "Fatima", "requester_document": "AB123456",
            "requester_relation": "other", "purpose": "x" * 201, "identity_checked": "on"}  # fmt: skip
    screen = api.post(f"{COUNTER}?reference={birth_act.idcs}&first_name=Youssef", form)
    assert screen.status_code == 200 and 'aria-invalid="true"' in screen.text
    assert not IssuedDocument.objects.exists() and stored_files() == before


def test_the_pdf_is_stored_only_once_the_record_is_committed(
    birth_act, agent, temara_office, django_capture_on_commit_callbacks
):
    before = stored_files()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        issue_at_counter(
            birth_act, DocumentKind.BIRTH_EXTRACT, office=temara_office, by=agent, requester=HOLDER, purpose="x"
        )
        raise RuntimeError("the caller's transaction fails after the issue")
    assert callbacks == [] and stored_files() == before
    assert not IssuedDocument.objects.exists() and not DocumentSequence.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        document = issue_at_counter(
            birth_act, DocumentKind.BIRTH_EXTRACT, office=temara_office, by=agent, requester=HOLDER, purpose="x"
        )
        assert stored_files() == before  # not before the commit
    assert stored_files() - before == {Path(document.pdf.path)} and document.number == 1


def test_a_pdf_the_storage_lost_is_said_so(verified_client, birth_act, agent, temara_office):
    # Without the commit (the test's transaction never commits), the record has no file, as after a storage failure.
    document = issue_at_counter(
        birth_act, DocumentKind.BIRTH_EXTRACT, office=temara_office, by=agent, requester=HOLDER, purpose="x"
    )
    client = english(verified_client(agent))
    screen = client.get(reverse("documents:pdf", args=[document.pk]), follow=True)
    assert "could not be stored" in screen.text
    assert client.get(f"/api/documents/{document.pk}/pdf").status_code == 503


@pytest.mark.parametrize(
    ("typed", "same"),
    [("نورالدين", True), ("نور الدين", True), ("Noureddine", True), ("Nour-Eddine", True), ("nourdine", True),
     ("ⵏⵓⵔ ⴷⴷⵉⵏ", True), ("Karim", False), ("كريم", False), ("", False)],
)  # fmt: skip
def test_a_first_name_matches_in_any_script(typed, same):
    act = Act(first_name_ar="نور الدين", first_name_latin="Noureddine", first_name_tfng="ⵏⵓⵔⴷⴷⵉⵏ")
    assert is_first_name_of(act, typed) is same
