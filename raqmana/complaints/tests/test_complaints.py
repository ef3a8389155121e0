"""Complaints (decree 2-17-265): filing and numbering, anonymity, the handling steps and who takes them, the answer
sealed, rating and the one re-opening, the escalation of the late ones by the clocks' runner, scoping, figures."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext

from raqmana.audit.models import AuditEvent
from raqmana.complaints import selectors, services
from raqmana.complaints.constants import COMPLAINT_REGISTER, ComplaintState
from raqmana.complaints.models import Complaint
from raqmana.documents.models import IssuedDocument
from raqmana.kernel.tests import samples
from raqmana.kernel.tests.test_uploads import EICAR
from raqmana.notifications.models import Notification
from raqmana.workflows.models import Clock, ClockState
from raqmana.workflows.services import run_due_clocks

pytestmark = pytest.mark.django_db


def test_a_request_is_numbered_in_its_commune_s_register_at_once_and_its_two_delays_start(filed, complainant, temara):
    first, second = filed(), filed(kind="suggestion", category="roads")
    assert (first.number, second.number) == (1, 2)
    assert first.unit.kind == "collectivity" and first.unit.territory == temara
    assert first.reference == f"{temara.code}/{timezone.localdate().year}/1"
    clocks = {clock.name: clock for clock in Clock.objects.filter(workflow="complaints.complaint", subject_id=first.pk)}
    assert set(clocks) == {"qualification", "answer"}
    assert (clocks["qualification"].due_at - clocks["qualification"].started_at).days == 15
    assert (clocks["answer"].due_at - clocks["answer"].started_at).days == 60
    first.refresh_from_db()
    assert first.answer_due_at == clocks["answer"].due_at
    assert Notification.objects.filter(user=complainant, kind="complaints.filed").count() == 2
    assert AuditEvent.objects.filter(action="complaint.filed", target_id=str(first.pk)).exists()
    assert COMPLAINT_REGISTER == "complaints"


def test_only_an_observation_is_anonymous_and_it_is_followed_with_its_number_and_code(complainant, temara):
    with pytest.raises(ValidationError) as refused:
        services.file_complaint(
            by=complainant,
            kind="complaint",
            category="other",
            collectivity=temara,
            subject="S",
            text="T",
            anonymous=True,
        )
    assert "anonymous" in refused.value.message_dict
    observation, code = services.file_complaint(
        by=complainant, kind="observation", category="other", collectivity=temara, subject="S", text="T", anonymous=True
    )
    assert observation.complainant is None and len(code) == 10 and code not in observation.follow_code_hash
    assert not Notification.objects.filter(user=complainant).exists()
    assert AuditEvent.objects.get(action="complaint.filed", target_id=str(observation.pk)).actor is None
    assert selectors.followed(observation.reference, code.lower()) == observation
    assert selectors.followed(observation.reference, "WRONGCODE1") is None
    assert selectors.followed("nonsense", code) is None
    assert selectors.followed(f"{temara.code}/99999999999/1", code) is None


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"kind": "praise"}, "kind"),
        ({"category": "weather"}, "category"),
        ({"subject": "  "}, "subject"),
        ({"text": "x" * 5001}, "text"),
    ],
)
def test_a_request_with_bad_input_is_refused_on_its_field_and_numbers_nothing(filed, changes, field):
    with pytest.raises(ValidationError) as refused:
        filed(**changes)
    assert field in refused.value.message_dict
    assert not Complaint.objects.exists()


def test_a_request_names_a_collectivity_not_an_arrondissement(filed):
    from raqmana.territories.models import Territory

    with pytest.raises(ValidationError) as refused:
        filed(collectivity=Territory.objects.filter(level="arrondissement").first())
    assert "collectivity" in refused.value.message_dict


def test_a_province_s_and_a_region_s_services_receive_and_handle_their_own_requests(filed, handler, temara):
    from raqmana.access.roles import Role
    from raqmana.access.tests.fixtures import holding

    prefecture, region = temara.parent, temara.parent.parent
    at_prefecture, at_region = filed(collectivity=prefecture), filed(collectivity=region)
    assert at_prefecture.unit.name_fr == "Préfecture de Skhirate-Témara" and at_prefecture.number == 1
    assert at_prefecture.reference == f"{prefecture.code}/{timezone.localdate().year}/1"
    assert at_region.unit.name_ar.startswith("جهة ")
    provincial = holding(Role.COMPLAINTS_HANDLER, "Agent préfectoral", territory=prefecture)
    assert set(selectors.queue(provincial)) >= {at_prefecture}
    assert at_region not in set(selectors.queue(provincial))
    with pytest.raises(Http404):
        selectors.complaint_for_agent(handler, at_prefecture.pk)  # the commune's handler: not the prefecture's
    services.forward(at_prefecture, by=provincial, forwarded_to="Division des affaires rurales")
    with pytest.raises(PermissionDenied):
        services.forward(at_region, by=provincial, forwarded_to="X")


def test_selectors_find_the_collectivity_from_the_complainant_s_commune(temara):
    assert selectors.collectivity_of(temara, "commune") == temara
    assert selectors.collectivity_of(temara, "province") == temara.parent
    assert selectors.collectivity_of(temara, "region") == temara.parent.parent


def test_the_commune_s_handler_forwards_and_answers_with_a_sealed_document(
    filed, handler, complainant, django_capture_on_commit_callbacks
):
    complaint = filed()
    services.forward(complaint, by=handler, forwarded_to="Service de la propreté", category="cleanliness")
    complaint.refresh_from_db()
    assert complaint.state == ComplaintState.FORWARDED and complaint.forwarded_at is not None
    assert Clock.objects.get(subject_id=complaint.pk, name="qualification").state == ClockState.STOPPED
    with django_capture_on_commit_callbacks(execute=True):
        services.answer(complaint, by=handler, text="La collecte reprend lundi.", outcome="favourable")
    complaint.refresh_from_db()
    assert complaint.state == ComplaintState.ANSWERED
    document = IssuedDocument.objects.get(pk=complaint.answer_id)
    assert document.kind == "complaint_answer" and document.unit == complaint.unit
    assert document.pdf.open("rb").read(5) == b"%PDF-"
    assert Clock.objects.get(subject_id=complaint.pk, name="answer").state == ClockState.STOPPED
    kinds = set(Notification.objects.filter(user=complainant).values_list("kind", flat=True))
    assert {"complaints.forwarded", "complaints.answered"} <= kinds
    steps = list(complaint.transitions.values_list("to_state", "by_id"))
    assert steps == [("received", complainant.pk), ("forwarded", handler.pk), ("answered", handler.pk)]


def test_nobody_but_the_commune_s_handlers_takes_its_steps(filed, skhirate_handler, complainant, governor_services):
    complaint = filed()
    for outsider in (skhirate_handler, complainant, governor_services):
        with pytest.raises(PermissionDenied):
            services.forward(complaint, by=outsider, forwarded_to="Service")
    complaint.refresh_from_db()
    assert complaint.state == ComplaintState.RECEIVED


def test_a_request_closed_as_not_admissible_keeps_its_reasons_and_cannot_be_answered(filed, handler):
    complaint = filed()
    with pytest.raises(ValidationError):
        services.close_not_admissible(complaint, by=handler, reasons=" ")
    services.close_not_admissible(complaint, by=handler, reasons="Litige privé entre voisins.")
    complaint.refresh_from_db()
    assert complaint.state == ComplaintState.NOT_ADMISSIBLE
    assert complaint.inadmissible_reasons == "Litige privé entre voisins."
    with pytest.raises(ValidationError):
        services.answer(complaint, by=handler, text="Réponse", outcome="favourable")


def test_the_complainant_rates_the_answer_and_re_opens_it_once_within_its_period(filed, handler, complainant, settings):
    complaint = filed()
    first_due = complaint.answer_due_at
    services.answer(complaint, by=handler, text="Réponse", outcome="unfavourable")
    complaint.refresh_from_db()
    assert complaint.answer_due_at is None  # answered: no delay runs
    with pytest.raises(PermissionDenied):
        services.rate(complaint, by=handler, rating="satisfied")
    services.rate(complaint, by=complainant, rating="unsatisfied")
    complaint.refresh_from_db()
    assert complaint.rating == "unsatisfied"
    services.reopen(complaint, by=complainant, reason="Rien n'a changé.")
    complaint.refresh_from_db()
    assert complaint.state == ComplaintState.REOPENED and complaint.reopened_at is not None
    assert complaint.answer_due_at is not None and complaint.answer_due_at > first_due
    assert IssuedDocument.objects.get(pk=complaint.answer_id).kind == "complaint_answer"
    services.answer(complaint, by=handler, text="Nouvelle réponse", outcome="favourable")
    complaint.refresh_from_db()
    assert complaint.rating == ""  # a new answer is rated anew
    with pytest.raises(ValidationError) as refused:
        services.reopen(complaint, by=complainant, reason="Encore")
    assert refused.value.messages == [gettext("This request was already re-opened once: it cannot be re-opened again.")]


def test_an_answer_is_re_opened_only_within_its_period(filed, handler, complainant, settings):
    settings.RAQMANA_COMPLAINT_REOPEN_DAYS = 30
    complaint = filed()
    services.answer(complaint, by=handler, text="Réponse", outcome="partly")
    Complaint.objects.filter(pk=complaint.pk).update(answered_at=timezone.now() - timedelta(days=31))
    with pytest.raises(ValidationError):
        services.reopen(complaint, by=complainant, reason="Trop tard")
    with pytest.raises(PermissionDenied):
        services.reopen(complaint, by=handler, reason="Pas le plaignant")


def test_a_request_left_beyond_its_delays_is_escalated_to_the_supervisors_and_stays_where_it_is(
    filed, handler, supervisor, governor_services, skhirate_handler
):
    complaint = filed()
    now = timezone.now()
    assert run_due_clocks(now + timedelta(days=14)) == 0
    assert run_due_clocks(now + timedelta(days=16)) == 1
    complaint.refresh_from_db()
    assert complaint.state == ComplaintState.RECEIVED and complaint.escalated_at is not None
    told = set(Notification.objects.filter(kind="complaints.escalated").values_list("user_id", flat=True))
    assert told == {supervisor.pk, governor_services.pk}
    assert selectors.is_late(complaint)
    assert list(selectors.queue(handler, late=True)) == [complaint]
    assert run_due_clocks(now + timedelta(days=16)) == 0  # taken once
    assert run_due_clocks(now + timedelta(days=61)) == 1  # the answer's delay, then
    assert AuditEvent.objects.filter(action="complaint.escalated", target_id=str(complaint.pk)).count() == 2
    complaint.refresh_from_db()
    assert complaint.state == ComplaintState.RECEIVED
    # Still answerable, late: the handler answers it.
    services.answer(complaint, by=handler, text="Réponse tardive", outcome="favourable")
    complaint.refresh_from_db()
    assert not selectors.is_late(complaint)


def test_an_agent_reads_the_requests_of_their_communes_only(
    filed, complainant, skhirate, handler, skhirate_handler, governor_services
):
    at_temara, at_skhirate = filed(), filed(collectivity=skhirate)
    assert list(selectors.queue(handler)) == [at_temara]
    assert list(selectors.queue(skhirate_handler)) == [at_skhirate]
    assert set(selectors.queue(governor_services)) == {at_temara, at_skhirate}
    with pytest.raises(Http404):
        selectors.complaint_for_agent(handler, at_skhirate.pk)
    assert selectors.complaint_for_agent(handler, at_temara.pk) == at_temara
    assert AuditEvent.objects.filter(action="complaint.read", actor=handler, target_id=str(at_temara.pk)).exists()
    assert not selectors.complaints_visible_to(complainant).exists()
    assert list(selectors.complaints_of(complainant).order_by("pk")) == [at_temara, at_skhirate]


def test_the_public_figures_count_per_commune(filed, handler, complainant, temara, skhirate):
    answered, _, _ = filed(), filed(), filed(collectivity=skhirate)
    services.answer(answered, by=handler, text="Réponse", outcome="favourable")
    services.rate(answered, by=complainant, rating="satisfied")
    rows = {row.collectivity_id: row for row in selectors.public_figures(timezone.localdate().year)}
    at_temara = rows[temara.pk]
    assert (at_temara.received, at_temara.answered, at_temara.favourable, at_temara.in_progress) == (2, 1, 1, 1)
    assert (at_temara.satisfied, at_temara.unsatisfied, at_temara.favourable_share) == (1, 0, 100.0)
    assert at_temara.average_days is not None and at_temara.average_days < 1
    assert rows[skhirate.pk].received == 1 and rows[skhirate.pk].favourable_share is None
    months = selectors.monthly_delays(timezone.localdate().year, temara.pk)
    assert [received for _, _, received in months] == [2]


def test_a_request_answered_late_and_re_opened_has_its_answer_s_delay_start_over(filed, handler, complainant):
    """Its answer's clock ran out (escalated), then it was answered: re-opened, it is a new wait of 60 days, not
    late at once, whereas moving between the states of a running delay keeps it late (forwarded after escalation)."""
    complaint = filed()
    now = timezone.now()
    run_due_clocks(now + timedelta(days=61))
    services.forward(complaint, by=handler, forwarded_to="Voirie")
    complaint.refresh_from_db()
    assert selectors.is_late(complaint) and complaint.answer_due_at is not None
    services.answer(complaint, by=handler, text="Réponse", outcome="unfavourable")
    services.reopen(complaint, by=complainant, reason="Rien n'a changé.")
    complaint.refresh_from_db()
    clock = Clock.objects.get(subject_id=complaint.pk, name="answer")
    assert clock.state == ClockState.RUNNING and clock.due_at > now + timedelta(days=59)
    assert not selectors.is_late(complaint) and complaint.answer_due_at == clock.due_at


def test_files_are_kept_rewritten_and_a_threat_refuses_the_whole_request(filed, handler, skhirate_handler, clamav):
    photo = SimpleUploadedFile("rue/atlas.pdf", samples.pdf(b"BT /F1 12 Tf (photo) Tj ET"))
    complaint = filed(files=[photo])
    kept = complaint.attachments.get()
    assert kept.name == "atlas.pdf" and kept.extension == "pdf" and kept.file.open("rb").read(5) == b"%PDF-"
    assert selectors.attachment_for(handler, kept.pk) == kept
    assert selectors.attachment_for(skhirate_handler, kept.pk) is None
    infected = SimpleUploadedFile("virus.pdf", samples.pdf(content=b"% " + EICAR + b"\n"))
    with pytest.raises(ValidationError) as refused:
        filed(files=[infected])
    assert "files" in refused.value.message_dict
    with pytest.raises(ValidationError) as too_many:
        filed(files=[photo] * 4)
    assert "files" in too_many.value.message_dict
    assert Complaint.objects.count() == 1


def test_a_request_with_files_is_refused_while_the_scanner_is_away(filed, scanner_away):
    with pytest.raises(ValidationError) as refused:
        filed(files=[SimpleUploadedFile("a.pdf", samples.pdf(b"BT ET"))])
    away = gettext("The virus scanner does not answer: file the request again in a few minutes.")
    assert refused.value.message_dict["files"] == [away]
    assert not Complaint.objects.exists()


@pytest.mark.parametrize("typed", ["Voirie\x00", "Voirie\u202e", "<script>x</script>"])
def test_a_hidden_character_or_markup_in_a_step_is_refused_on_its_field(filed, handler, complainant, typed):
    complaint = filed()
    with pytest.raises(ValidationError) as refused:
        services.forward(complaint, by=handler, forwarded_to=typed)
    assert "forwarded_to" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.answer(complaint, by=handler, text=typed, outcome="favourable")
    assert "answer_text" in refused.value.message_dict
    complaint.refresh_from_db()
    assert complaint.state == ComplaintState.RECEIVED
