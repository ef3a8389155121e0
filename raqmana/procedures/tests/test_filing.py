"""A dossier from its draft to its decision: drafts keep what is well formed, the register fills the applicant's
identity, files are typed and scanned, filing routes, numbers, starts the delay and issues the receipt at once."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from raqmana.audit.models import AuditEvent
from raqmana.documents.selectors import check_file
from raqmana.kernel.scanning import ScanState
from raqmana.kernel.tests import samples
from raqmana.notifications.models import Notification
from raqmana.procedures import routing
from raqmana.procedures.constants import DossierState
from raqmana.procedures.models import Attachment, Dossier, Procedure, ProcedureVersion
from raqmana.procedures.services import attachments, filing, review
from raqmana.procedures.workflows import lock_dossier
from raqmana.workflows.models import Clock, ClockState
from raqmana.workflows.services import run_due_clocks

from .conftest import SMALL_BUILDING, complete, labels, pdf_upload


def test_a_draft_keeps_what_is_well_formed_and_names_the_rest(draft, applicant):
    with translation.override("fr"):
        checked = filing.save_answers(draft, {"use": "castle", "area": "12,5"}, by=applicant)
    draft.refresh_from_db()
    assert draft.answers == {"area": "12.50"}
    assert set(checked.errors) == {"use"}
    assert draft.state == DossierState.DRAFT


def test_filing_routes_numbers_starts_the_delay_and_issues_the_receipt(filed, temara_window, applicant):
    assert filed.state == DossierState.FILED
    assert filed.unit == temara_window
    assert filed.number == 1 and filed.reference == f"URB-04.501.01.07/{timezone.localdate().year}/1"
    assert filed.delay_days == 10 and filed.silence_means_approval
    assert filed.answers["area"] == "120.50"
    assert filed.answers["applicant"]["names"]["first_name_latin"] == "Youssef"
    clock = Clock.objects.get(subject_id=str(filed.pk), workflow="procedures.dossier")
    assert clock.state == ClockState.RUNNING and filed.decision_due_at == clock.due_at
    assert abs(clock.due_at - filed.filed_at - timedelta(days=10)) < timedelta(seconds=1)
    receipt = filed.receipt
    assert receipt.kind == "dossier_receipt" and receipt.requester == applicant
    assert check_file(receipt.pdf.read()).document == receipt
    assert AuditEvent.objects.filter(action="dossier.filed", target_id=str(filed.pk)).exists()
    assert Notification.objects.filter(user=applicant, kind="procedures.dossier_filed").exists()


def test_the_receipt_lists_the_files_the_answers_hold_read_once(
    draft, applicant, applicant_act, birth_data, temara_window
):
    complete(draft, applicant, applicant_act, birth_data)
    taken_off = attachments.attach(draft, "plans", pdf_upload("first draft.pdf"), by=applicant)
    attachments.remove_attachment(taken_off, by=applicant)
    infected = attachments.attach(draft, "plans", pdf_upload("found infected.pdf"), by=applicant)
    Attachment.objects.filter(pk=infected.pk).update(scan=ScanState.INFECTED)  # as a later scan finds it
    with CaptureQueriesContext(connection) as queries:
        filed = filing.file_dossier(draft, by=applicant)
    assert sum('FROM "procedures_attachment"' in query["sql"] for query in queries.captured_queries) == 1
    kept = Attachment.objects.get(dossier=filed, name="plans.pdf")
    assert filed.answers["plans"] == [kept.pk]
    listed = next(row for row in filed.receipt.content["rows"] if row["label"][1] == "Pièces déposées")
    assert [value["text"] for value in listed["values"]] == ["1", "plans.pdf"]


def test_filing_a_draft_reads_no_clock_since_a_draft_never_had_one(
    draft, applicant, applicant_act, birth_data, temara_window
):
    complete(draft, applicant, applicant_act, birth_data)
    with CaptureQueriesContext(connection) as queries:
        filed = filing.file_dossier(draft, by=applicant)
    clocks_read = [
        query["sql"] for query in queries if query["sql"].startswith("SELECT") and "workflows_clock" in query["sql"]
    ]
    assert clocks_read == []
    clock = Clock.objects.get(subject_id=str(filed.pk))
    assert clock.state == ClockState.RUNNING
    # Its decision's due time goes with the dossier's own row, written once.
    dossier_writes = [query["sql"] for query in queries if query["sql"].startswith('UPDATE "procedures_dossier"')]
    assert len(dossier_writes) == 1
    filed.refresh_from_db()
    assert filed.decision_due_at == clock.due_at


def test_an_incomplete_dossier_is_not_filed_and_every_fault_is_named(draft, applicant, temara_window):
    with pytest.raises(ValidationError) as refused:
        filing.file_dossier(draft, by=applicant)
    assert {"applicant", "use", "area", "site", "plans"} <= set(refused.value.message_dict)
    draft.refresh_from_db()
    assert draft.state == DossierState.DRAFT and draft.number is None


SITE_ELSEWHERE = "The project lies in another commune than this dossier's: start a dossier for that commune."


def test_a_project_lying_in_another_commune_is_named_in_the_draft_and_not_filed(
    draft, applicant, applicant_act, birth_data, temara_window
):
    complete(draft, applicant, applicant_act, birth_data)
    targuist = {"commune": "01.051.01.07", "street": "Douar Ait"}
    with translation.override("en"):
        checked = filing.save_answers(
            draft, {"use": "individual_housing", "area": "100", "site": targuist}, by=applicant
        )
        assert checked.errors == {"site": [SITE_ELSEWHERE]}
        draft.refresh_from_db()
        assert draft.answers["site"] == targuist  # kept as typed, to be corrected
        with pytest.raises(ValidationError) as refused:
            filing.file_dossier(draft, by=applicant)
    assert refused.value.message_dict == {"site": [SITE_ELSEWHERE]}
    draft.refresh_from_db()
    assert draft.state == DossierState.DRAFT and draft.number is None


@pytest.mark.parametrize(
    ("kind", "started_in", "site_in", "served"),
    [
        # A city whose first arrondissement runs its own single window, the second being served by the city's.
        ("urbanism_service", "first", "first", True),
        ("urbanism_service", "second", "city", True),  # the site named less precisely, served by the same window
        ("urbanism_service", "city", "second", True),
        ("urbanism_service", "city", "first", False),  # the site has its own window: not the city's dossier
        ("urbanism_service", "first", "city", False),  # somewhere in the city: maybe not the first's
        ("urbanism_service", "first", "second", False),
        ("urbanism_service", "city", "elsewhere", False),
        # What the commune decides alone goes to its own services, whichever arrondissement.
        ("collectivity", "first", "second", True),
        ("collectivity", "city", "first", True),
        ("collectivity", "first", "elsewhere", False),
    ],
)
def test_the_site_is_served_by_the_office_the_dossier_went_to(procedure, kind, started_in, site_in, served):
    from raqmana.territories.constants import Level, UnitKind
    from raqmana.territories.models import AdministrativeUnit, Territory

    first = Territory.objects.filter(level=Level.ARRONDISSEMENT, parent__population_2024__gt=50_000).first()
    second = Territory.objects.filter(parent=first.parent, level=Level.ARRONDISSEMENT).exclude(pk=first.pk).first()
    places = {
        "first": first,
        "second": second,
        "city": first.parent,
        "elsewhere": Territory.objects.get(code="04.501.01.07"),
    }
    procedure.competent_unit_kind = kind
    opened = [first.parent, first] if kind == UnitKind.URBANISM_SERVICE else [first.parent]
    for n, territory in enumerate([*opened, places["elsewhere"]]):
        AdministrativeUnit.objects.create(
            kind=kind, code=f"T-{n}", territory=territory, name_ar="شباك", name_fr="Guichet"
        )
    assert routing.site_served_here(procedure, places[site_in], places[started_in]) is served
    assert routing.site_served_here(procedure, None, places[started_in]) is False


def test_a_site_where_no_office_is_open_is_not_taken_for_the_dossier_s(procedure):
    from raqmana.territories.constants import Level
    from raqmana.territories.models import Territory

    first = Territory.objects.filter(level=Level.ARRONDISSEMENT).select_related("parent").first()
    assert routing.site_served_here(procedure, first, first.parent) is False  # neither has a window


def test_a_procedure_unpublished_meanwhile_is_not_filed_from_an_earlier_read(
    procedure, draft, applicant, applicant_act, birth_data, temara_window
):
    from raqmana.procedures.models import Procedure

    complete(draft, applicant, applicant_act, birth_data)
    Procedure.objects.filter(pk=procedure.pk).update(published=False)  # the administration, after the draft was read
    with pytest.raises(ValidationError):
        filing.file_dossier(draft, by=applicant)
    draft.refresh_from_db()
    assert draft.state == DossierState.DRAFT


def test_the_civil_status_link_is_never_typed(draft, applicant):
    forged = {"idcs": "123456789012", "names": {"first_name_ar": "x"}}
    filing.save_answers(draft, {"applicant": forged}, by=applicant)
    draft.refresh_from_db()
    assert "applicant" not in draft.answers


def test_a_wrong_first_name_finds_no_act_and_the_miss_is_logged(draft, applicant, applicant_act, birth_data):
    with pytest.raises(ValidationError):
        filing.link_civil_status(
            draft, by=applicant, idcs=applicant_act.idcs, birth_date=birth_data["birth_date"], first_name="Karim"
        )
    assert AuditEvent.objects.filter(action="dossier.civil_status_link_missed").exists()


def test_only_the_applicant_changes_a_draft(draft, permits_agent):
    with pytest.raises(PermissionDenied):
        filing.save_answers(draft, {"use": "commercial"}, by=permits_agent)


def test_a_hidden_field_is_not_kept(draft, applicant):
    filing.save_answers(draft, {"use": "individual_housing", "shop_sign": "Atlas"}, by=applicant)
    draft.refresh_from_db()
    assert "shop_sign" not in draft.answers


def test_a_file_is_typed_by_content(draft, applicant):
    with pytest.raises(ValidationError):
        attachments.attach(draft, "plans", SimpleUploadedFile("plans.pdf", b"MZ not a pdf"), by=applicant)
    assert not Attachment.objects.exists()


def test_a_file_for_no_field_is_refused(draft, applicant):
    with pytest.raises(ValidationError):
        attachments.attach(draft, "passport", pdf_upload(), by=applicant)


def test_a_removed_file_leaves_its_field(draft, applicant):
    attachment = attachments.attach(draft, "plans", pdf_upload(), by=applicant)
    assert filing.checked_answers(draft, {}, complete=False).answers["plans"] == [attachment.pk]
    attachments.remove_attachment(attachment, by=applicant)
    assert "plans" not in filing.checked_answers(draft, {}, complete=False).answers
    assert Attachment.objects.filter(pk=attachment.pk, removed_at__isnull=False).exists()


def test_infected_file_refused_at_once(draft, applicant, clamav):
    eicar = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
    upload = SimpleUploadedFile("plans.pdf", samples.pdf(eicar), content_type="application/pdf")
    with pytest.raises(ValidationError):
        attachments.attach(draft, "plans", upload, by=applicant)
    assert not Attachment.objects.exists()
    assert AuditEvent.objects.filter(action="dossier.attachment_refused_infected").exists()


def test_a_file_waits_pending_while_the_scanner_is_away(draft, applicant, scanner_away):
    attachment = attachments.attach(draft, "plans", pdf_upload(), by=applicant)
    assert attachment.scan == ScanState.PENDING


def test_the_review_pauses_the_delay_while_the_applicant_corrects(filed, permits_agent, applicant):
    review.take_up(filed, by=permits_agent)
    review.request_information(filed, by=permits_agent, reason="incomplete", message="Ajoutez la façade.")
    clock = Clock.objects.get(subject_id=str(filed.pk))
    filed.refresh_from_db()
    assert clock.state == ClockState.PAUSED and filed.decision_due_at is None  # the queue shows it last
    review.answer_request(filed, by=applicant, message="Voici.")
    clock.refresh_from_db()
    filed.refresh_from_db()
    assert clock.state == ClockState.RUNNING and filed.state == DossierState.UNDER_REVIEW
    assert filed.decision_due_at == clock.due_at


def test_a_refusal_is_motivated_and_signed(filed, permits_agent, president):
    review.take_up(filed, by=permits_agent)
    with pytest.raises(ValidationError):
        review.refuse(filed, by=president, reasons="  ")
    refused = review.refuse(filed, by=president, reasons="Hauteur supérieure au plan d'aménagement.")
    assert refused.state == DossierState.REFUSED and refused.decision.issued_by == president
    assert check_file(refused.decision.pdf.read()).authentic


def test_the_agent_does_not_decide(filed, permits_agent):
    with pytest.raises(PermissionDenied):
        review.approve(filed, by=permits_agent)


def test_silence_approves_once_the_delay_runs_out(filed, applicant, committed):
    assert run_due_clocks(now=timezone.now() + timedelta(days=10, minutes=1)) == 1
    filed.refresh_from_db()
    assert filed.state == DossierState.APPROVED_BY_SILENCE and filed.decision is None
    committed()  # the attestation is issued once the sweep's move is committed
    filed.refresh_from_db()
    assert filed.decision.kind == "silence_attestation"
    assert Notification.objects.filter(user=applicant, kind="procedures.dossier_approved_by_silence").exists()


def test_without_silence_the_late_dossier_stays_and_is_marked_late(filed, permits_agent):
    Dossier.objects.filter(pk=filed.pk).update(silence_means_approval=False)
    assert run_due_clocks(now=timezone.now() + timedelta(days=11)) == 1
    filed.refresh_from_db()
    assert filed.state == DossierState.FILED
    clock = Clock.objects.get(subject_id=str(filed.pk))
    assert clock.state == ClockState.EXPIRED
    review.take_up(filed, by=permits_agent)
    clock.refresh_from_db()
    assert clock.state == ClockState.EXPIRED  # a decision late by law stays late


def test_a_file_beyond_a_block_s_entries_is_refused(draft, applicant):
    with pytest.raises(ValidationError):
        attachments.attach(draft, "plans.0.plans", pdf_upload(), by=applicant)


def test_answers_that_are_no_object_empty_nothing(draft, applicant):
    filing.save_answers(draft, {"use": "commercial"}, by=applicant)
    with pytest.raises(ValidationError):
        filing.save_answers(draft, ["use", "commercial"], by=applicant)
    draft.refresh_from_db()
    assert draft.answers == {"use": "commercial"}


def test_a_lost_attestation_is_issued_by_the_catch_up(filed, applicant):
    run_due_clocks(now=timezone.now() + timedelta(days=10, minutes=1))  # never committed: its task never runs
    assert review.issue_missing_attestations() == 1
    assert review.issue_missing_attestations() == 0
    filed.refresh_from_db()
    assert filed.decision.kind == "silence_attestation"


def test_removing_an_entry_moves_the_later_entries_files_with_them(procedure, applicant, temara):
    blocks = {
        **SMALL_BUILDING,
        "fields": [
            *SMALL_BUILDING["fields"],
            {
                "key": "lots",
                "type": "repeat",
                "label": labels("Lots"),
                "required": False,
                "max": 5,
                "fields": [{"key": "plan", "type": "file", "document": "plans", "label": labels("Plan")}],
            },
        ],
    }
    blocks["fields"] = [item for item in blocks["fields"] if item["key"] != "plans"]
    version = ProcedureVersion.objects.create(procedure=procedure, number=3, definition=blocks, source="test")
    procedure.current_version = version
    procedure.save(update_fields=["current_version"])
    draft = filing.start_draft(applicant, procedure, commune=temara)
    first = attachments.attach(draft, "lots.0.plan", pdf_upload(), by=applicant)
    second = attachments.attach(draft, "lots.1.plan", pdf_upload(), by=applicant)
    attachments.remove_entry(draft, "lots", 0, by=applicant)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.removed_at is not None and second.path == "lots.0.plan"
    assert filing.checked_answers(draft, {}, complete=False).answers["lots"] == [{"plan": [second.pk]}]


def test_a_locked_dossier_reads_its_procedure_as_the_administration_left_it(draft, procedure, committed):
    committed()
    assert lock_dossier(draft.pk).procedure.delay_days == 10
    with CaptureQueriesContext(connection) as read:
        locked = lock_dossier(draft.pk, ("procedure",))
    assert len(read) == 1 and locked.procedure == procedure  # the procedure from the cache: no join, no query

    Procedure.objects.filter(pk=procedure.pk).update(delay_days=12, published=False)  # in bulk
    committed()
    locked = lock_dossier(draft.pk)
    assert (locked.procedure.delay_days, locked.procedure.published) == (12, False)

    procedure.refresh_from_db()
    procedure.delay_days = 14
    procedure.save()  # as the admin saves it
    committed()
    locked = lock_dossier(draft.pk)
    assert locked.procedure.delay_days == 14
    locked.procedure.delay_days = 99  # a copy of its own: the next reader does not see it
    assert lock_dossier(draft.pk).procedure.delay_days == 14


def test_filing_decides_on_the_procedure_as_its_row_stands_not_as_cached(
    draft, procedure, applicant, applicant_act, birth_data, temara_window, committed
):
    """Another process's change reaches this one's cache up to a second later: filing reads what it decides on."""
    complete(draft, applicant, applicant_act, birth_data)
    committed()
    assert lock_dossier(draft.pk).procedure.published  # cached
    models.QuerySet.update(Procedure.objects.filter(pk=procedure.pk), published=False)  # the cache not told
    with pytest.raises(ValidationError) as refused:
        filing.file_dossier(draft, by=applicant)
    assert refused.value.code == "not_published"

    models.QuerySet.update(Procedure.objects.filter(pk=procedure.pk), published=True, delay_days=7)
    assert lock_dossier(draft.pk).procedure.delay_days == 10  # still cached
    assert filing.file_dossier(draft, by=applicant).delay_days == 7
