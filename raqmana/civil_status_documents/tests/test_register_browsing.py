"""Nobody browses the register: an act is found by its reference together with a fact the requester knows, an
agent's lookups are limited and the excess alerted, a restricted copy issued elsewhere is recorded at the office
that keeps the act, and a failed issue leaves no sealed PDF behind."""

from datetime import date, timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.db import transaction
from django.urls import reverse

from raqmana.access.roles import Role
from raqmana.access.services import grant_role
from raqmana.accounts.tests.factories import UserFactory
from raqmana.audit.models import AuditEvent
from raqmana.audit.services import record
from raqmana.civil_status.constants import AuthorityKind, MentionKind
from raqmana.civil_status.names import is_first_name_of
from raqmana.civil_status.services.mentions import record_mention
from raqmana.civil_status_documents import selectors
from raqmana.civil_status_documents.constants import CivilStatusDocument
from raqmana.civil_status_documents.services import issue_at_counter
from raqmana.civil_status_documents.tests.conftest import HOLDER
from raqmana.documents import services
from raqmana.documents.constants import DOCUMENT_REGISTER
from raqmana.documents.models import IssuedDocument
from raqmana.kernel.sequences import Sequence
from raqmana.notifications.models import Notification
from raqmana.territories.constants import PROVINCIAL_LEVELS, Level
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
        "kind": CivilStatusDocument.BIRTH_FULL_COPY,
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
    wrong_date = client.get(COUNTER, {"reference": birth_act.idcs, "birth_date": "2001-01-01"})
    no_such_act = client.get(COUNTER, {"reference": f"{birth_act.office.code}/1999/7", "first_name": "Youssef"})
    assert birth_act.first_name_ar not in wrong_date.text
    assert "No signed act has this IDCS or reference with this date of birth or first name" in wrong_date.text
    error = 'class="errorlist nonfield"'
    assert wrong_date.text.split(error)[1].split("</ul>")[0] == no_such_act.text.split(error)[1].split("</ul>")[0]
    assert client.get(COUNTER, {"reference": birth_act.idcs, "first_name": "Karim"}).text.count("يوسف") == 0
    assert not AuditEvent.objects.filter(action="act.read").exists()

    # The act's first name in any script, by the register's keys; with the IDCS, its date of birth alone too.
    for fact in [{"first_name": "Youcef"}, {"first_name": "يوسف"}, {"first_name": "ⵢⵓⵙⴼ"}]:
        found = client.get(COUNTER, {"reference": birth_act.reference, **fact})
        assert birth_act.first_name_ar in found.text, fact
    found = client.get(COUNTER, {"reference": birth_act.idcs, "birth_date": birth_act.birth_date.isoformat()})
    assert birth_act.first_name_ar in found.text
    both_but_one_wrong = {"birth_date": "2001-01-01", "first_name": "Youssef"}
    assert birth_act.first_name_ar not in client.get(COUNTER, {"reference": birth_act.idcs, **both_but_one_wrong}).text


def test_an_act_found_by_its_reference_needs_the_first_name(verified_client, birth_act, agadir_agent):
    # Reference numbers follow each other and births are declared within 30 days: the neighbouring acts bound
    # the date of birth, so with the reference the date alone is no fact. The IDCS is not sequential.
    agent, office = agadir_agent
    client = english(verified_client(agent))
    born = birth_act.birth_date.isoformat()
    by_reference = client.get(COUNTER, {"reference": birth_act.reference, "birth_date": born})
    assert "needs the holder&#x27;s first name too" in by_reference.text
    assert birth_act.first_name_ar not in by_reference.text
    assert "with the reference, the first name is needed" in by_reference.text  # the form says so beforehand
    assert not AuditEvent.objects.filter(action="act.read").exists()
    assert birth_act.first_name_ar in client.get(COUNTER, {"reference": birth_act.idcs, "birth_date": born}).text
    both = {"reference": birth_act.reference, "birth_date": born, "first_name": "Youssef"}
    assert birth_act.first_name_ar in client.get(COUNTER, both).text

    extract = full_copy_payload(office, birth_act, kind=CivilStatusDocument.BIRTH_EXTRACT, requester_relation="other")
    refused = verified_client(agent).post(
        "/api/documents/", {**extract, "act": birth_act.reference}, content_type="application/json"
    )
    assert refused.status_code == 422 and not IssuedDocument.objects.exists()


def test_the_api_needs_the_same_fact(verified_client, birth_act, agadir_agent):
    agent, office = agadir_agent
    api = verified_client(agent)
    extract = full_copy_payload(office, birth_act, kind=CivilStatusDocument.BIRTH_EXTRACT, requester_relation="other")
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

    found = {"reference": birth_act.reference, "first_name": "Youssef"}
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
    payload = full_copy_payload(office, birth_act, kind=CivilStatusDocument.BIRTH_EXTRACT, requester_relation="other")
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
    assert not IssuedDocument.objects.exists() and not Sequence.objects.filter(register=DOCUMENT_REGISTER).exists()

    typed = full_copy_payload(office, birth_act, requester_document="ab 123-456")
    issued = api.post("/api/documents/", typed, content_type="application/json")
    assert issued.status_code == 201, issued.content
    assert IssuedDocument.objects.get().requester_document == "AB123456"
    event = AuditEvent.objects.get(action="act.copy_issued_elsewhere")
    assert (event.unit, event.actor_unit, event.details["requester_document"]) == (
        birth_act.office,
        office,
        "AB123456",
    )

    keeping = english(verified_client(officer)).get(reverse("portal:workspace"))
    assert "AB123456" in keeping.text and "issued by another office" in keeping.text
    third_office = CivilStatusOffice.objects.filter(territory__name_fr__icontains="Fès").first()
    third = UserFactory()
    grant_role(third, Role.CIVIL_STATUS_OFFICER, unit=third_office, by=None, reason="test")
    assert "AB123456" not in english(verified_client(third)).get(reverse("portal:workspace")).text


def test_the_keeping_office_issues_a_full_copy_without_an_extra_record(birth_act, agent, temara_office):
    issue_at_counter(
        birth_act,
        CivilStatusDocument.BIRTH_FULL_COPY,
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
    assert (
        not draw.called
        and not Sequence.objects.filter(register=DOCUMENT_REGISTER).exists()
        and stored_files() == before
    )

    # A value no text check reads (a choice) is checked too, before the number: not only by the database's save.
    relation = {**HOLDER, "relation": "a cousin of the holder's neighbour"}
    with pytest.raises(ValidationError) as refused:
        issue_at_counter(
            birth_act, CivilStatusDocument.BIRTH_EXTRACT, office=office, by=agent, requester=relation, purpose="x"
        )
    assert "requester_relation" in refused.value.message_dict
    assert not Sequence.objects.filter(register=DOCUMENT_REGISTER).exists() and stored_files() == before

    form = {"kind": CivilStatusDocument.BIRTH_EXTRACT, "requester_name": "Fatima", "requester_document": "AB123456",
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
            birth_act, CivilStatusDocument.BIRTH_EXTRACT, office=temara_office, by=agent, requester=HOLDER, purpose="x"
        )
        raise RuntimeError("the caller's transaction fails after the issue")
    assert callbacks == [] and stored_files() == before
    assert not IssuedDocument.objects.exists() and not Sequence.objects.filter(register=DOCUMENT_REGISTER).exists()

    with django_capture_on_commit_callbacks(execute=True):
        document = issue_at_counter(
            birth_act, CivilStatusDocument.BIRTH_EXTRACT, office=temara_office, by=agent, requester=HOLDER, purpose="x"
        )
        assert stored_files() == before  # not before the commit
    assert stored_files() - before == {Path(document.pdf.path)} and document.number == 1


def test_a_pdf_the_storage_lost_is_said_so(verified_client, birth_act, agent, temara_office):
    # Without the commit (the test's transaction never commits), the record has no file, as after a storage failure.
    document = issue_at_counter(
        birth_act, CivilStatusDocument.BIRTH_EXTRACT, office=temara_office, by=agent, requester=HOLDER, purpose="x"
    )
    client = english(verified_client(agent))
    screen = client.get(reverse("documents:pdf", args=[document.pk]), follow=True)
    assert "could not be stored" in screen.text
    assert client.get(f"/api/documents/{document.pk}/pdf").status_code == 503


@pytest.mark.parametrize(
    ("typed", "same"),
    [("نورالدين", True), ("نور الدين", True), ("Noureddine", True), ("Nour-Eddine", True), ("NOUR EDDINE", True),
     ("ⵏⵓⵔ ⴷⴷⵉⵏ", True), ("Karim", False), ("كريم", False), ("", False),
     # A compound name is compared whole; a contracted spelling is another transliteration, not the same key.
     ("نور", False), ("Nour", False), ("Eddine", False), ("ⵏⵓⵔ", False), ("nourdine", False)],
)  # fmt: skip
def test_a_first_name_matches_in_any_script(typed, same):
    names = {"first_name_ar": "نور الدين", "first_name_latin": "Noureddine", "first_name_tfng": "ⵏⵓⵔⴷⴷⵉⵏ"}
    assert is_first_name_of(names, typed) is same


# The tester's list: each name with what a sound-alike key let through in its place.
NOT_THE_SAME_NAME = [
    (("علي", "Ali"), ["l", "L", "Lou", "Ella", "Ole", "Leo", "Ail"]),
    (("يحيى", "Yahya"), ["h", "Hay", "Hoa", "Aha"]),
    (("إلياس", "Ilyas"), ["s", "Issa", "Aissa", "Sy", "Eyes"]),
    (("أمين", "Amine"), ["Imane", "Mouna", "Amina", "Mina", "Yamina", "Mn", "Amna", "إيمان", "أمينة"]),
    (("ياسين", "Yassine"), ["Sanae", "Sana", "Hassna", "Sony", "Sn"]),
    (("عائشة", "Aicha"), ["c", "Ash", "Che"]),
    (("محمد", "Mohamed"), ["Mhmd", "Mahmoud", "Hamid", "محمود", "م"]),
    (("نور", "Nour"), ["Nora", "Noura", "Nouri", "Nr", "Nawar", "Anwar", "أنور"]),
    (("محمد أمين", "Mohamed Amine"), ["Mohamed", "Amine", "محمد", "أمين"]),
]
SAME_NAME = [
    (("يوسف", "Youssef"), ["Youcef", "Yousef", "YOUSSEF", "يوسف", "يُوسُف", "یوسف"]),
    (("محمد", "Mohamed"), ["Mohammed", "Muhammad", "Mohamed", "مُحَمَّد"]),
    (("لحسن", "Lahcen"), ["Lahsen", "Lahssen"]),
    (("حسين", "Houcine"), ["Houssine"]),
    (("عائشة", "Aicha"), ["Aïcha", "Aisha", "عائشه"]),
    (("خديجة", "Khadija"), ["Khadidja", "Khadijah"]),
    (("عبد الرحمن", "Abderrahmane"), ["Abderrahman", "Abd Errahmane", "عبدالرحمن"]),
    (("محمد أمين", "Mohamed Amine"), ["Mohammed Amine", "Mohamed-Amine", "محمد أمين"]),
]


@pytest.mark.parametrize(("holder", "typed"), [(holder, name) for holder, names in NOT_THE_SAME_NAME for name in names])
def test_another_name_or_a_fragment_is_not_the_first_name(holder, typed):
    names = {"first_name_ar": holder[0], "first_name_latin": holder[1], "first_name_tfng": ""}
    assert not is_first_name_of(names, typed)


@pytest.mark.parametrize(("holder", "typed"), [(holder, name) for holder, names in SAME_NAME for name in names])
def test_spellings_of_the_same_first_name_match(holder, typed):
    names = {"first_name_ar": holder[0], "first_name_latin": holder[1], "first_name_tfng": ""}
    assert is_first_name_of(names, typed)


def correct(act, officer, changes):
    record_mention(
        act,
        kind=MentionKind.SUBSTANTIVE_CORRECTION,
        authority_kind=AuthorityKind.COURT,
        authority_name="المحكمة الابتدائية بتمارة",
        reference_number="9/2026",
        decided_on=date.today(),
        legal_basis="القانون 36.21",
        text_ar="تصحيح",
        changes=changes,
        by=officer,
    )


def test_both_lookups_compare_the_act_as_corrected_by_its_mentions(birth_act, agent, officer, temara_office):
    correct(birth_act, officer, {"first_name_ar": "يونس", "first_name_latin": "Younes", "first_name_tfng": "ⵢⵓⵏⵙ"})
    born, citizen = birth_act.birth_date, UserFactory()

    def at_counter(**facts):
        return selectors.act_for_issuance(agent, temara_office, birth_act.reference, reason="r", **facts)

    def online(first_name, event_date=born):
        return selectors.act_for_order(citizen, birth_act.idcs, event_date, first_name, reason="r")

    for name in ["Younes", "يونس", "ⵢⵓⵏⵙ"]:
        assert at_counter(first_name=name) == birth_act and online(name) == birth_act, name
    at_the_counter = AuditEvent.objects.filter(action="act.read", actor=agent).last()
    assert (at_the_counter.unit, at_the_counter.actor_unit) == (birth_act.office, temara_office)
    for name in ["Youssef", "يوسف", "ⵢⵓⵙⴼ"]:
        assert at_counter(first_name=name) is None and online(name) is None, name

    correct(birth_act, officer, {"birth_date": born - timedelta(days=2)})
    assert at_counter(first_name="Younes", birth_date=born - timedelta(days=2)) == birth_act
    assert online("Younes", born - timedelta(days=2)) == birth_act
    assert at_counter(first_name="Younes", birth_date=born) is None and online("Younes") is None


def test_a_citizens_lookups_are_counted_once_across_page_and_api_and_misses_are_kept(client, birth_act, monkeypatch):
    monkeypatch.setattr("raqmana.civil_status_documents.lookups.LOOKUP_RATE", "3/h")
    citizen = UserFactory()
    client.force_login(citizen)
    english(client)
    page, born = reverse("documents:order_new"), birth_act.birth_date.isoformat()
    facts = {"kind": "birth_extract", "reference": birth_act.idcs, "event_date": born}
    form = {"kind": "birth_extract", "act": birth_act.idcs, "event_date": born, "requester_relation": "other",
            "purpose": "Dossier"}  # fmt: skip
    assert birth_act.first_name_ar not in client.get(page, {**facts, "first_name": "Karim"}).text
    assert birth_act.first_name_ar in client.get(page, {**facts, "first_name": "Youssef"}).text
    assert client.get(page, {**facts, "first_name": "Youssef"}).status_code == 200  # the same again: not counted
    assert client.post("/api/documents/orders", {**form, "first_name": "Ahmed"}).status_code == 404
    assert client.post("/api/documents/orders", {**form, "first_name": "Omar"}).status_code == 429
    assert client.get(page, {**facts, "first_name": "Ali"}).status_code == 429
    assert AuditEvent.objects.filter(action="document_order.lookup_missed", actor=citizen).count() == 2
    assert AuditEvent.objects.filter(action="document_order.lookup_limit_reached", actor=citizen).count() == 1


def test_a_lookup_alert_always_reaches_someone(temara_office):
    superuser = UserFactory(is_superuser=True, is_staff=True)
    assert selectors.lookup_supervisors(temara_office) == [superuser]
    dgct = UserFactory()
    grant_role(dgct, Role.DGCT, by=None, reason="test")
    assert selectors.lookup_supervisors(temara_office) == [dgct]
    wali = UserFactory()
    region = Territory.objects.get(descendant_links__descendant=temara_office.territory, level=Level.REGION)
    grant_role(wali, Role.WALI_SERVICES, territory=region, by=None, reason="test")
    elsewhere = UserFactory()
    other_region = Territory.objects.filter(level=Level.REGION).exclude(pk=region.pk).first()
    grant_role(elsewhere, Role.WALI_SERVICES, territory=other_region, by=None, reason="test")
    assert selectors.lookup_supervisors(temara_office) == [wali]
    inspector = UserFactory()
    grant_role(inspector, Role.PROVINCIAL_INSPECTOR, territory=province_of(temara_office), by=None, reason="test")
    assert selectors.lookup_supervisors(temara_office) == [inspector]


def issue_full_copy(api, office, act, requester_document):
    payload = full_copy_payload(office, act, requester_document=requester_document)
    assert api.post("/api/documents/", payload, content_type="application/json").status_code == 201


def test_only_the_register_staff_see_register_events_and_requesters_identity_documents(
    verified_client, birth_act, agadir_agent, officer, agent
):
    issuing_agent, office = agadir_agent
    typed = full_copy_payload(office, birth_act, requester_document="AB123456")
    assert (
        verified_client(issuing_agent).post("/api/documents/", typed, content_type="application/json").status_code
        == 201
    )
    assert AuditEvent.objects.filter(action="act.read", target_id=str(birth_act.pk)).exists()
    commune = birth_act.office.territory
    workspace = reverse("portal:workspace")

    def feed_of(user):
        return english(verified_client(user)).get(workspace).text

    for staff in (officer, agent):
        seen = feed_of(staff)
        assert "AB123456" in seen and "issued by another office" in seen and "Act read" in seen
    president = UserFactory()
    grant_role(president, Role.COMMUNE_PRESIDENT, territory=commune, by=None, reason="test")
    seen = feed_of(president)  # the civil status officer by law: reads the register, not the requesters' papers
    assert "Act read" in seen and "AB123456" not in seen
    for role in (Role.PERMITS_AGENT, Role.MAIL_REGISTRY_AGENT):
        other = UserFactory()
        grant_role(other, role, territory=commune, by=None, reason="test")
        seen = feed_of(other)
        assert "Role granted" in seen, role  # the events of their own domain
        for personal in ("AB123456", birth_act.reference, "Act read", "Document issued", "another office"):
            assert personal not in seen, (role, personal)
    assert "AB123456" not in feed_of(issuing_agent)  # the issuing office has its own record: the document


def test_the_keeping_office_lists_every_copy_issued_elsewhere_page_by_page(
    verified_client, birth_act, agadir_agent, officer, monkeypatch
):
    issuing_agent, office = agadir_agent
    typed = full_copy_payload(office, birth_act, requester_document="AB123456")
    assert (
        verified_client(issuing_agent).post("/api/documents/", typed, content_type="application/json").status_code
        == 201
    )
    later = full_copy_payload(office, birth_act, requester_document="CD654321")
    assert (
        verified_client(issuing_agent).post("/api/documents/", later, content_type="application/json").status_code
        == 201
    )
    for number in range(20):  # the feed keeps the last events only: these push the copies out of it
        record(actor=officer, action="act.read", target=birth_act, unit=birth_act.office, reason=f"r{number}")
    client = english(verified_client(officer))
    workspace = reverse("portal:workspace")
    assert "AB123456" not in client.get(workspace).text

    monkeypatch.setattr("raqmana.portal.views.COPIES_PER_PAGE", 1)
    first = client.get(workspace, {"shown": "copies_elsewhere"}).text
    second = client.get(workspace, {"shown": "copies_elsewhere", "page": 2}).text
    assert "CD654321" in first and "AB123456" not in first and "Page 1 of 2" in first
    assert "AB123456" in second and "CD654321" not in second
    assert issuing_agent.full_name in second

    for outsider in (issuing_agent, UserFactory()):
        if outsider != issuing_agent:
            grant_role(outsider, Role.PERMITS_AGENT, territory=birth_act.office.territory, by=None, reason="test")
        listed = english(verified_client(outsider)).get(workspace, {"shown": "copies_elsewhere"}).text
        assert "AB123456" not in listed and "CD654321" not in listed
