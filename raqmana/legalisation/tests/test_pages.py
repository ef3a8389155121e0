"""The legalisation's pages, as people use them: a citizen prepares a request (a refusal keeps what was typed),
follows it, withdraws it, downloads the stamped PDF; an officer enrols a signer, completes or refuses a request
beside the enrolled specimen, legalises at the counter, reads the register; the public figures; in Arabic right to
left, and out of reach of another office's officer."""

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from raqmana.legalisation import services
from raqmana.legalisation.constants import RequestState
from raqmana.legalisation.models import LegalisationRequest, Signer
from raqmana.procedures.tests.test_pages import signed_in

from .conftest import document, pdf_pages, specimen_image, upload

pytestmark = pytest.mark.django_db


def said(text, language="fr"):
    with translation.override(language):
        return str(escape(translation.gettext(text)))


def prepare_data(temara, **changes):
    return {
        "service": "signature",
        "commune": temara.code,
        "subject": "Engagement de location",
        "document": upload(pdf_pages(2)),
        "stamp_page": "2",
        "stamp_place": "bottom_right",
        "copies": "1",
        **changes,
    }


def test_a_citizen_prepares_follows_and_withdraws_a_request(enrolled, citizen, temara):
    client = signed_in(citizen, "ar")
    mine = client.get(reverse("legalisation:mine"))
    assert 'dir="rtl"' in mine.text and enrolled.office.name_ar in mine.text
    assert client.get(reverse("legalisation:prepare")).status_code == 200
    answer = client.post(reverse("legalisation:prepare"), prepare_data(temara), follow=True)
    prepared = LegalisationRequest.objects.get()
    assert answer.redirect_chain[-1][0] == reverse("legalisation:request", args=[prepared.pk])
    assert prepared.reference == "" and "MAD" in answer.text and prepared.subject in answer.text
    client.post(reverse("legalisation:withdraw", args=[prepared.pk]))
    prepared.refresh_from_db()
    assert prepared.state == RequestState.WITHDRAWN


def test_a_refused_request_keeps_what_was_typed(enrolled, citizen, temara):
    client = signed_in(citizen)
    answer = client.post(reverse("legalisation:prepare"), prepare_data(temara, stamp_page="7"))
    assert answer.status_code == 200 and "Engagement de location" in answer.text
    assert said("Enter a whole number from %(least)d to %(most)d.") % {"least": 1, "most": 2} in answer.text
    assert not LegalisationRequest.objects.exists()


def test_the_officer_enrols_then_completes_beside_the_specimen(officer, citizen, temara, clamav):
    client = signed_in(officer)
    assert client.get(reverse("legalisation:enrol")).status_code == 200
    bad = client.post(
        reverse("legalisation:enrol"),
        {
            "office": officer_office(officer),
            "national_id": "123",
            "full_name": "Ahmed Bennani",
            "specimen": specimen_image(),
        },
    )
    assert bad.status_code == 200 and "Ahmed Bennani" in bad.text and not Signer.objects.exists()
    client.post(
        reverse("legalisation:enrol"),
        {
            "office": officer_office(officer),
            "national_id": "AB123456",
            "full_name": "Ahmed Bennani",
            "specimen": specimen_image(),
        },
    )
    assert Signer.objects.get().account == citizen
    prepared = services.prepare_request(
        by=citizen, service="signature", office=Signer.objects.get().office, document=document()
    )
    queue = client.get(reverse("legalisation:queue"))
    assert reverse("legalisation:handle", args=[prepared.pk]) in queue.text
    page = client.get(reverse("legalisation:handle", args=[prepared.pk]))
    assert reverse("legalisation:specimen", args=[prepared.pk]) in page.text
    assert client.get(reverse("legalisation:specimen", args=[prepared.pk])).status_code == 200
    assert client.get(reverse("legalisation:brought", args=[prepared.pk])).status_code == 200
    unchecked = client.post(
        reverse("legalisation:complete", args=[prepared.pk]), {"completion": "counter", "duty_receipt": "ET-9"}
    )
    assert said("Check the signer's identity card in person before legalising.") in unchecked.text
    done = client.post(
        reverse("legalisation:complete", args=[prepared.pk]),
        {"completion": "counter", "identity_checked": "on", "duty_receipt": "ET-9"},
        follow=True,
    )
    prepared.refresh_from_db()
    assert prepared.number == 1 and prepared.reference in done.text
    register = client.get(reverse("legalisation:register", args=[prepared.office_id, prepared.year]))
    assert "Ahmed Bennani" in register.text and "AB123456" in register.text


def officer_office(officer):
    from raqmana.legalisation.selectors import counters_of

    return counters_of(officer)[0].pk


def test_the_counter_certifies_a_copy_at_once(officer, clamav, django_capture_on_commit_callbacks):
    client = signed_in(officer)
    data = {
        "office": officer_office(officer),
        "service": "copy",
        "national_id": "CD4321",
        "requester_name": "Fatima Zahra",
        "subject": "Diplôme de licence",
        "document": upload(pdf_pages(1)),
        "stamp_page": "1",
        "stamp_place": "top_right",
        "copies": "2",
        "identity_checked": "on",
        "duty_receipt": "ET-10",
    }
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(reverse("legalisation:counter"), data, follow=True)
    found = LegalisationRequest.objects.get()
    assert found.state == RequestState.COMPLETED and found.copies == 2 and found.output.kind == "certified_copy"
    pdf = client.get(reverse("legalisation:output_pdf", args=[found.pk]))
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert found.reference in answer.text


def test_another_office_s_officer_reaches_nothing(enrolled, citizen, skhirate_officer, temara_office):
    prepared = services.prepare_request(by=citizen, service="signature", office=temara_office, document=document())
    client = signed_in(skhirate_officer)
    for name in ("handle", "brought", "specimen", "output_pdf"):
        assert client.get(reverse(f"legalisation:{name}", args=[prepared.pk])).status_code == 404
    assert client.post(reverse("legalisation:refuse", args=[prepared.pk]), {"reason": "x"}).status_code == 404
    assert client.get(reverse("legalisation:request", args=[prepared.pk])).status_code == 404
    assert (
        client.get(reverse("legalisation:register", args=[temara_office.pk, timezone.localdate().year])).status_code
        == 404
    )
    assert signed_in(citizen).get(reverse("legalisation:queue")).status_code == 403


def test_the_figures_are_public(enrolled, citizen, temara_office, client):
    services.prepare_request(by=citizen, service="signature", office=temara_office, document=document())
    page = client.get(reverse("legalisation:figures"))
    assert page.status_code == 200 and temara_office.name_ar in page.text and "Ahmed" not in page.text
    assert client.get(reverse("legalisation:figures"), {"year": "abc"}).status_code == 200
