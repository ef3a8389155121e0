"""A citizen orders a document online, pays through the (simulated) gateway, and receives it at once (an
extract) or after the check of the office that keeps the act (a full copy)."""

from datetime import timedelta
from urllib.parse import urlparse

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from raqmana.accounts.tests.factories import UserFactory
from raqmana.civil_status_documents.constants import CivilStatusDocument, OrderState
from raqmana.civil_status_documents.models import DocumentOrder
from raqmana.documents.constants import DocumentStatus
from raqmana.documents.selectors import check_file
from raqmana.kernel.tests import samples
from raqmana.payments.constants import PaymentState

pytestmark = pytest.mark.django_db
PDF_PROOF = samples.pdf()


@pytest.fixture
def citizen(client):
    user = UserFactory(full_name="Youssef El Alaoui", preferred_language="fr")
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return user


def order_url(act, kind=CivilStatusDocument.BIRTH_EXTRACT, date=None):
    date = date or act.birth_date
    return (
        f"{reverse('documents:order_new')}?kind={kind}&reference={act.idcs}&event_date={date:%Y-%m-%d}"
        f"&first_name={act.first_name_latin}"
    )


def pay(client, response, choice="pay"):
    """Follow the order's redirect to the simulated gateway, choose, and come back through its signed answer."""
    gateway = response.url
    answer = client.post(gateway, {"choice": choice})
    return client.get(answer.url), answer.url


def test_an_extract_is_issued_as_soon_as_it_is_paid(client, citizen, birth_act, django_capture_on_commit_callbacks):
    wrong_date = order_url(birth_act, date=birth_act.birth_date - timedelta(days=1))
    assert "No act has this" in client.get(wrong_date).text
    ordered = client.post(order_url(birth_act), {"requester_relation": "holder", "purpose": "Passport"})
    order = DocumentOrder.objects.get()
    assert order.state == OrderState.AWAITING_PAYMENT and order.payment.amount == 2
    with django_capture_on_commit_callbacks(execute=True):
        back, _answer = pay(client, ordered)
    assert back.url == reverse("documents:order", args=[order.pk])
    order.refresh_from_db()
    assert order.state == OrderState.ISSUED and order.payment.state == PaymentState.PAID
    document = order.document
    assert document.requester == citizen and document.issued_by is None and document.unit == birth_act.office
    pdf = b"".join(client.get(reverse("documents:order_pdf", args=[order.pk])).streaming_content)
    assert check_file(pdf).authentic
    assert [message.to for message in mail.outbox] == [[citizen.email]]
    assert "Extrait d'acte de naissance" in mail.outbox[0].subject  # in the citizen's language
    page = client.get(back.url)
    assert page.status_code == 200 and page.context["status"] == DocumentStatus.VALID


def test_a_declined_payment_can_be_paid_again_and_an_answer_counts_once(client, citizen, birth_act):
    ordered = client.post(order_url(birth_act), {"requester_relation": "other", "purpose": "Dossier"})
    pay(client, ordered, choice="decline")
    order = DocumentOrder.objects.get()
    assert order.payment.state == PaymentState.FAILED and order.state == OrderState.AWAITING_PAYMENT
    retried = client.post(reverse("documents:order_pay", args=[order.pk]))
    _back, answer = pay(client, retried)
    client.get(answer)  # the same answer again: the gateway's notification and the payer's return both arrive
    order.refresh_from_db()
    assert order.state == OrderState.ISSUED and order.payment.transitions.filter(to_state="paid").count() == 1


def test_a_forged_payment_answer_is_refused(client, citizen, birth_act):
    ordered = client.post(order_url(birth_act), {"requester_relation": "other", "purpose": "Dossier"})
    answer = client.post(ordered.url, {"choice": "pay"}).url
    forged = answer[:-3] + ("AAA" if not answer.endswith("AAA") else "BBB")
    assert client.get(forged).status_code == 400
    assert DocumentOrder.objects.get().state == OrderState.AWAITING_PAYMENT


def test_a_full_copy_waits_for_the_office_that_keeps_the_act(
    client, citizen, birth_act, agent, agadir_agent, verified_client, django_capture_on_commit_callbacks
):
    form = {"requester_relation": "ascendant", "purpose": "Bourse d'études"}
    url = order_url(birth_act, kind=CivilStatusDocument.BIRTH_FULL_COPY)
    missing = client.post(url, form)
    assert missing.status_code == 200 and "Attach your identity document" in missing.text
    wrong = client.post(url, {**form, "proof": SimpleUploadedFile("id.pdf", b"GIF89a" + b"\0" * 50)})
    assert "not accepted" in wrong.text and "Bourse d&#x27;études" in wrong.text  # what was typed is kept
    ordered = client.post(url, {**form, "proof": SimpleUploadedFile("id.pdf", PDF_PROOF)})
    with django_capture_on_commit_callbacks(execute=True):
        pay(client, ordered)
    order = DocumentOrder.objects.get()
    assert order.state == OrderState.AWAITING_CHECK and order.document is None

    outsider, _office = agadir_agent
    assert verified_client(outsider).get(reverse("documents:check", args=[order.pk])).status_code == 404
    office_client = verified_client(agent)
    assert order.act.reference in office_client.get(reverse("documents:checks")).text
    proof = b"".join(office_client.get(reverse("documents:check_proof", args=[order.pk])).streaming_content)
    assert proof.startswith(b"%PDF-")  # rewritten on arrival
    with django_capture_on_commit_callbacks(execute=True):
        office_client.post(reverse("documents:check", args=[order.pk]), {"decision": "approve"})
    order.refresh_from_db()
    assert order.state == OrderState.ISSUED and order.document.issued_by == agent
    assert len(mail.outbox) == 2  # paid and waiting, then issued


def test_a_refused_full_copy_is_refunded(client, citizen, birth_act, agent, verified_client):
    url = order_url(birth_act, kind=CivilStatusDocument.BIRTH_FULL_COPY)
    form = {"requester_relation": "spouse", "purpose": "Visa", "proof": SimpleUploadedFile("p.pdf", PDF_PROOF)}
    pay(client, client.post(url, form))
    order = DocumentOrder.objects.get()
    verified_client(agent).post(
        reverse("documents:check", args=[order.pk]), {"decision": "refuse", "reason": "Marriage not shown"}
    )
    order.refresh_from_db()
    assert order.state == OrderState.REFUSED and order.payment.state == PaymentState.REFUNDED
    assert order.refusal_reason == "Marriage not shown" and order.document is None


def test_a_citizen_cancels_an_unpaid_order_and_sees_only_their_own(client, citizen, birth_act):
    client.post(order_url(birth_act), {"requester_relation": "other", "purpose": "Dossier"})
    order = DocumentOrder.objects.get()
    client.post(reverse("documents:order_cancel", args=[order.pk]))
    order.refresh_from_db()
    assert order.state == OrderState.CANCELLED and order.payment.state == PaymentState.CANCELLED
    client.force_login(UserFactory())
    assert client.get(reverse("documents:order", args=[order.pk])).status_code == 404


def test_without_a_payment_provider_orders_are_refused_plainly(client, citizen, birth_act, settings):
    settings.RAQMANA_PAYMENT_PROVIDER = ""
    refused = client.post(order_url(birth_act), {"requester_relation": "other", "purpose": "Dossier"})
    assert "pay at the office" in refused.text and not DocumentOrder.objects.exists()
    assert urlparse(order_url(birth_act)).path == reverse("documents:order_new")


def test_a_proof_over_the_size_limit_is_refused(client, citizen, birth_act):
    from raqmana.kernel.uploads import MAX_UPLOAD_BYTES

    url = order_url(birth_act, kind=CivilStatusDocument.BIRTH_FULL_COPY)
    huge = SimpleUploadedFile("id.pdf", PDF_PROOF + b"0" * MAX_UPLOAD_BYTES)
    refused = client.post(url, {"requester_relation": "holder", "purpose": "Visa", "proof": huge})
    assert "larger than 5 MB" in refused.text and not DocumentOrder.objects.exists()
