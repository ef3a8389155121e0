"""The complaints' pages, as people use them: filing (in one's name, or an anonymous observation followed with its
code), the commune's queue with the late ones in red, a request's handling with refusals shown beside what was
typed, rating and re-opening, the public figures; in Arabic right to left, and out of reach for outsiders."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from raqmana.complaints.constants import ComplaintState
from raqmana.complaints.models import Complaint
from raqmana.kernel.tests import samples
from raqmana.procedures.tests.test_pages import signed_in
from raqmana.workflows.services import run_due_clocks

pytestmark = pytest.mark.django_db


def said(text, language="fr"):
    """A sentence of the pages as it reads in `language`, escaped as a page writes it."""
    with translation.override(language):
        return str(escape(translation.gettext(text)))


def form_data(temara, **changes):
    return {
        "kind": "complaint",
        "commune": temara.code,
        "level": "commune",
        "category": "roads",
        "subject": "Lampadaire éteint",
        "text": "Le lampadaire devant le n° 12 est éteint depuis un mois.",
        **changes,
    }


def test_a_person_files_a_request_and_finds_it_in_their_account(complainant, temara):
    client = signed_in(complainant)
    assert client.get(reverse("complaints:file")).status_code == 200
    answer = client.post(reverse("complaints:file"), form_data(temara), follow=True)
    complaint = Complaint.objects.get()
    assert answer.redirect_chain[-1][0] == reverse("complaints:complaint", args=[complaint.pk])
    assert complaint.reference in answer.text
    assert complaint.reference in client.get(reverse("complaints:mine")).text


def test_a_request_against_the_province_s_services_goes_to_the_prefecture(complainant, temara):
    client = signed_in(complainant)
    client.post(reverse("complaints:file"), form_data(temara, level="province"))
    complaint = Complaint.objects.get()
    assert complaint.collectivity == temara.parent and complaint.unit.territory == temara.parent


def test_a_refused_request_keeps_what_was_typed(complainant, temara):
    client = signed_in(complainant)
    answer = client.post(reverse("complaints:file"), form_data(temara, anonymous="on"))
    assert answer.status_code == 200
    assert "Lampadaire éteint" in answer.text and "Le lampadaire devant" in answer.text
    assert (
        said("Only an observation may be made without your name: a complaint or a suggestion is answered.")
        in answer.text
    )
    assert not Complaint.objects.exists()


def test_an_anonymous_observation_shows_its_code_once_and_is_followed_with_it(complainant, temara):
    client = signed_in(complainant)
    answer = client.post(reverse("complaints:file"), form_data(temara, kind="observation", anonymous="on"))
    complaint = Complaint.objects.get()
    code = answer.context["code"]
    assert code in answer.text and complaint.complainant is None
    visitor = Client()
    page = visitor.post(reverse("complaints:follow"), {"reference": complaint.reference, "code": code})
    assert page.context["complaint"] == complaint and "Lampadaire éteint" in page.text
    wrong = visitor.post(reverse("complaints:follow"), {"reference": complaint.reference, "code": "AAAAAAAAAA"})
    assert wrong.context["complaint"] is None and said("No request has this number and code.", "ar") in wrong.text


def test_the_queue_shows_the_late_requests_in_red_and_the_handler_answers(filed, handler, complainant):
    on_time, late = filed(), filed(subject="Nids de poule")
    Complaint.objects.filter(pk=late.pk).update(filed_at=timezone.now() - timedelta(days=20))
    run_due_clocks(timezone.now() + timedelta(days=16))
    client = signed_in(handler)
    page = client.get(reverse("complaints:queue"))
    assert page.status_code == 200
    assert page.text.count('class="late"') == 2  # both ran out in the clocks' future
    only_late = client.get(reverse("complaints:queue"), {"late": "on"})
    assert len(only_late.context["rows"]) == 2
    refused = client.post(reverse("complaints:answer", args=[on_time.pk]), {"outcome": "favourable", "answer_text": ""})
    assert refused.status_code == 200 and Complaint.objects.get(pk=on_time.pk).state == ComplaintState.RECEIVED
    done = client.post(
        reverse("complaints:answer", args=[on_time.pk]),
        {"outcome": "favourable", "answer_text": "Réparé ce matin."},
        follow=True,
    )
    assert done.status_code == 200
    assert Complaint.objects.get(pk=on_time.pk).state == ComplaintState.ANSWERED


def test_the_complainant_rates_and_re_opens_on_the_request_s_page(
    filed, handler, complainant, django_capture_on_commit_callbacks
):
    complaint = filed()
    with django_capture_on_commit_callbacks(execute=True):
        signed_in(handler).post(
            reverse("complaints:answer", args=[complaint.pk]), {"outcome": "unfavourable", "answer_text": "Non."}
        )
    client = signed_in(complainant)
    page = client.get(reverse("complaints:complaint", args=[complaint.pk]))
    assert said("Re-open the request") in page.text
    client.post(reverse("complaints:rate", args=[complaint.pk]), {"rating": "unsatisfied"})
    client.post(reverse("complaints:reopen", args=[complaint.pk]), {"reason": "Toujours éteint."})
    assert Complaint.objects.get(pk=complaint.pk).state == ComplaintState.REOPENED
    assert client.get(reverse("complaints:answer_pdf", args=[complaint.pk])).status_code == 200


def test_outsiders_reach_no_request(filed, skhirate_handler, complainant, handler):
    complaint = filed()
    assert signed_in(skhirate_handler).get(reverse("complaints:handle", args=[complaint.pk])).status_code == 404
    assert signed_in(complainant).get(reverse("complaints:queue")).status_code == 403
    other = signed_in(handler)
    assert other.get(reverse("complaints:complaint", args=[complaint.pk])).status_code == 404
    assert Client().get(reverse("complaints:file")).status_code == 302


def test_the_public_figures_read_in_arabic_right_to_left(filed, temara):
    filed()
    visitor = Client()
    visitor.cookies["django_language"] = "ar"
    page = visitor.get(reverse("complaints:figures"))
    assert page.status_code == 200 and 'dir="rtl"' in page.text
    assert temara.name_ar in page.text
    months = visitor.get(reverse("complaints:figures"), {"collectivity": temara.pk})
    assert len(months.context["months"]) == 1
    assert visitor.get(reverse("complaints:figures"), {"year": "abc", "collectivity": "9" * 30}).status_code == 200


def test_a_file_given_with_a_request_is_read_by_its_complainant_and_the_commune_only(
    complainant, temara, handler, skhirate_handler, clamav
):
    photo = SimpleUploadedFile("lampadaire.pdf", samples.pdf(b"BT /F1 12 Tf (photo) Tj ET"))
    signed_in(complainant).post(reverse("complaints:file"), {**form_data(temara), "files": [photo]})
    kept = Complaint.objects.get().attachments.get()
    page = signed_in(complainant).get(reverse("complaints:complaint", args=[kept.complaint_id]))
    assert reverse("complaints:attachment", args=[kept.pk]) in page.text
    assert signed_in(complainant).get(reverse("complaints:attachment", args=[kept.pk])).status_code == 200
    assert signed_in(handler).get(reverse("complaints:attachment", args=[kept.pk])).status_code == 200
    assert signed_in(skhirate_handler).get(reverse("complaints:attachment", args=[kept.pk])).status_code == 404
