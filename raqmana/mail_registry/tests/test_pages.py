"""The mail registry's pages: a clerk registers a letter and its answer, finds them, reads the day's register and
exports it; a confidential subject stays hidden from the services; outsiders reach nothing."""

import pytest
from django.urls import reverse
from django.utils import timezone

from raqmana.mail_registry.models import MailEntry
from raqmana.procedures.tests.test_pages import signed_in

pytestmark = pytest.mark.django_db


def test_a_clerk_registers_a_letter_and_its_answer(clerk):
    client = signed_in(clerk)
    assert client.get(reverse("mail_registry:register")).status_code == 200
    answer = client.post(
        reverse("mail_registry:register"),
        {"direction": "incoming", "correspondent": "Lydec", "subject": "Travaux de voirie", "routed_to": "Voirie"},
        follow=True,
    )
    incoming = MailEntry.objects.get()
    assert answer.redirect_chain[-1][0] == reverse("mail_registry:letter", args=[incoming.pk])
    client.post(
        reverse("mail_registry:register"),
        {"direction": "outgoing", "correspondent": "Lydec", "subject": "Réponse", "in_reply_to": incoming.reference},
    )
    outgoing = MailEntry.objects.get(direction="outgoing")
    assert outgoing.in_reply_to == incoming
    page = client.get(reverse("mail_registry:letter", args=[incoming.pk]))
    assert outgoing.reference in page.text


def test_a_refused_letter_keeps_what_was_typed(clerk):
    answer = signed_in(clerk).post(
        reverse("mail_registry:register"),
        {"direction": "outgoing", "correspondent": "Lydec", "subject": "Réponse", "in_reply_to": "A-2026/999"},
    )
    assert answer.status_code == 200 and "Réponse" in answer.text and not MailEntry.objects.exists()


def test_the_search_and_the_day_s_register_hide_a_confidential_subject_from_the_services(
    registered, clerk, permits_agent
):
    registered(subject="Enquête administrative", confidential=True, correspondent="Wilaya")
    registered(subject="Coupure d'eau", correspondent="Lydec")
    assert "Enquête administrative" in signed_in(clerk).get(reverse("mail_registry:day")).text
    services_page = signed_in(permits_agent).get(reverse("mail_registry:day"))
    assert "Enquête administrative" not in services_page.text and "Coupure d&#x27;eau" in services_page.text
    found = signed_in(permits_agent).get(reverse("mail_registry:search"), {"correspondent": "lydec"})
    assert len(found.context["rows"]) == 1
    export = signed_in(permits_agent).get(reverse("mail_registry:day_csv"), {"day": timezone.localdate().isoformat()})
    text = b"".join(export.streaming_content).decode()
    assert text.startswith("\ufeff") and "Lydec" in text and "Enquête administrative" not in text


def test_outsiders_reach_nothing(registered, skhirate_clerk, complainant_like):
    letter = registered()
    assert signed_in(skhirate_clerk).get(reverse("mail_registry:letter", args=[letter.pk])).status_code == 404
    assert signed_in(complainant_like).get(reverse("mail_registry:search")).status_code == 403
    assert (
        signed_in(skhirate_clerk).get(reverse("mail_registry:search"), {"number": letter.reference}).context["rows"]
        == []
    )
    bad = signed_in(skhirate_clerk).get(reverse("mail_registry:day"), {"day": "not-a-day"})
    assert bad.status_code == 200


@pytest.fixture
def complainant_like(db):
    from raqmana.accounts.tests.factories import UserFactory

    return UserFactory()


@pytest.mark.parametrize("language", ["ar", "fr"])
def test_the_day_s_register_prints_as_a_pdf_with_confidential_subjects_hidden(
    registered, permits_agent, language, tmp_path
):
    import subprocess

    registered(subject="Enquête administrative", confidential=True, correspondent="Wilaya")
    registered(subject="Coupure d'eau programmée", correspondent="Lydec")
    answer = signed_in(permits_agent, language).get(reverse("mail_registry:day_pdf"))
    assert answer.status_code == 200 and answer.content.startswith(b"%PDF-")
    pdf = tmp_path / "day.pdf"
    pdf.write_bytes(answer.content)
    try:
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    except FileNotFoundError:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    assert "Lydec" in text and "Enquête administrative" not in text


def test_a_letter_names_the_complaint_it_concerns_by_its_number(clerk, temara):
    from raqmana.accounts.tests.factories import UserFactory
    from raqmana.complaints.services import file_complaint

    complaint, _code = file_complaint(
        by=UserFactory(),
        kind="complaint",
        category="roads",
        collectivity=temara,
        subject="Nids-de-poule",
        text="Rue Atlas.",
    )
    client = signed_in(clerk)
    letter = {"direction": "outgoing", "correspondent": "M. Alami", "subject": "Suite à votre réclamation"}
    unknown = client.post(reverse("mail_registry:register"), {**letter, "complaint": f"{temara.code}/2001/9"})
    assert unknown.status_code == 200 and "Suite à votre réclamation" in unknown.text
    assert not MailEntry.objects.exists()
    assert client.post(reverse("mail_registry:register"), {**letter, "dossier": "nonsense"}).status_code == 200
    client.post(reverse("mail_registry:register"), {**letter, "complaint": complaint.reference})
    registered = MailEntry.objects.get()
    assert registered.complaint == complaint
    assert complaint.reference in client.get(reverse("mail_registry:letter", args=[registered.pk])).text
