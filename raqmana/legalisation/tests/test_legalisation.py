"""Signature legalisation (decree 2-22-047) and certified copies (decree 2-17-410): enrolment in person, the card's
number checked, requests prepared online and their stamp duty, completion at the counter or remotely, the register
numbered without gaps, the stamped and sealed PDF verified by its QR code, refusal and withdrawal, scoping."""

import io
import threading
from decimal import Decimal

import pikepdf
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.utils import timezone

from raqmana.audit.models import AuditEvent
from raqmana.documents.signing import check_seal
from raqmana.kernel.tests import samples
from raqmana.legalisation import rules, selectors, services, stamping
from raqmana.legalisation.constants import RequestState
from raqmana.legalisation.models import LegalisationRequest, Signer
from raqmana.notifications.models import Notification

from .conftest import document, pdf_pages, qr_address, specimen_image, upload

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "expected"), [("ab123456", "AB123456"), (" K 1234 ", "K1234"), ("BE-98765", "BE98765")]
)
def test_a_card_number_is_one_or_two_letters_and_up_to_six_digits(typed, expected):
    assert rules.national_id(typed) == expected


@pytest.mark.parametrize("typed", ["", "123456", "ABC12345", "AB1234567", "AB", "A1B2", "ا123"])
def test_anything_else_is_refused_on_its_field(typed):
    with pytest.raises(ValidationError) as refused:
        rules.national_id(typed)
    assert "national_id" in refused.value.message_dict


def test_the_stamp_duty_is_per_page_and_copy_as_configured(settings):
    settings.RAQMANA_LEGALISATION_STAMP_DUTY_PER_PAGE = Decimal("2.50")
    assert rules.stamp_duty(3, 2) == Decimal("15.00")


def test_a_signer_enrols_once_in_person_and_their_account_is_linked(enrolled, citizen, officer, temara_office):
    assert enrolled.national_id == "AB123456" and enrolled.account == citizen
    assert enrolled.specimen.read().startswith(b"\x89PNG")
    assert AuditEvent.objects.filter(action="legalisation.signer_enrolled", target_id=str(enrolled.pk)).exists()
    with pytest.raises(ValidationError) as twice:
        services.enrol_signer(
            by=officer, office=temara_office, national_id="AB123456", full_name="X", specimen=specimen_image()
        )
    assert "national_id" in twice.value.message_dict and Signer.objects.count() == 1


def test_a_specimen_is_an_image_and_only_an_officer_enrols(officer, skhirate_officer, temara_office, clamav):
    with pytest.raises(ValidationError) as refused:
        services.enrol_signer(by=officer, office=temara_office, national_id="C12345", full_name="Y", specimen=upload())
    assert "specimen" in refused.value.message_dict
    with pytest.raises(PermissionDenied):
        services.enrol_signer(
            by=skhirate_officer, office=temara_office, national_id="C12345", full_name="Y", specimen=specimen_image()
        )
    assert not Signer.objects.exists()


def test_a_citizen_prepares_online_and_the_duty_counts_the_pages(enrolled, citizen, temara_office):
    prepared = services.prepare_request(by=citizen, service="signature", office=temara_office, document=document())
    assert prepared.state == RequestState.PREPARED and prepared.online and prepared.number is None
    assert (prepared.pages, prepared.stamp_page, prepared.stamp_duty) == (2, 2, Decimal("4.00"))
    assert (prepared.requester_name, prepared.requester_card) == ("Ahmed Bennani", "AB123456")
    assert prepared.signer == enrolled
    assert prepared.document.read().startswith(b"%PDF")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"stamp_page": 3}, "stamp_page"),
        ({"stamp_page": "x"}, "stamp_page"),
        ({"stamp_place": "middle"}, "stamp_place"),
        ({"subject": ""}, "subject"),
        ({"subject": "a\u202eb"}, "subject"),
        ({"file": None}, "document"),
        ({"file": upload(b"MZ\x90\x00 not a document")}, "document"),
        ({"copies": 2}, "copies"),
    ],
)
def test_bad_input_is_refused_on_its_field_and_nothing_is_kept(enrolled, citizen, temara_office, changes, field):
    with pytest.raises(ValidationError) as refused:
        services.prepare_request(by=citizen, service="signature", office=temara_office, document=document(**changes))
    assert field in refused.value.message_dict
    assert not LegalisationRequest.objects.exists()


def test_only_an_enrolled_signer_prepares_a_signature_and_a_copy_needs_a_card_number(temara_office, clamav):
    from raqmana.accounts.tests.factories import UserFactory

    stranger = UserFactory(national_id="")
    for service in ("signature", "copy"):
        with pytest.raises(ValidationError) as refused:
            services.prepare_request(by=stranger, service=service, office=temara_office, document=document())
        assert "service" in refused.value.message_dict


def test_the_officer_completes_at_the_counter_and_the_pdf_is_stamped_sealed_and_verified(
    enrolled, citizen, officer, temara_office, client, django_capture_on_commit_callbacks
):
    prepared = services.prepare_request(by=citizen, service="signature", office=temara_office, document=document())
    with pytest.raises(ValidationError) as unchecked:
        services.complete(prepared, by=officer, completion="counter", duty_receipt="ET-1")
    assert "identity_checked" in unchecked.value.message_dict
    with pytest.raises(ValidationError) as unpaid:
        services.complete(prepared, by=officer, completion="counter", identity_checked=True)
    assert "duty_receipt" in unpaid.value.message_dict
    with django_capture_on_commit_callbacks(execute=True):
        done = services.complete(prepared, by=officer, completion="counter", identity_checked=True, duty_receipt="ET-1")
    year = timezone.localdate().year
    assert (done.state, done.number, done.year) == (RequestState.COMPLETED, 1, year)
    assert done.reference == f"{temara_office.code}/{year}/1" and done.completed_by == officer
    pdf = done.output.pdf.storage.open(done.output.pdf.name).read()
    with pikepdf.open(io.BytesIO(pdf)) as opened:
        assert len(opened.pages) == 3  # the two pages brought, then the certificate
    assert check_seal(pdf).valid
    assert done.output.kind == "legalised_signature" and done.output.requester_document == "AB123456"
    assert Notification.objects.filter(user=citizen, kind="legalisation.completed").exists()
    page = client.get(f"/documents/verify/{done.output.verification_code}/")
    assert page.status_code == 200 and done.reference in page.content.decode()
    assert qr_address(pdf, 2).endswith(f"/documents/verify/{done.output.verification_code}/")


def test_a_turned_page_is_stamped_upright():
    turned = pdf_pages(1, rotate=90)
    stamp = stamping.stamp_pdf(
        stamping.Stamp(("أ", "A"), ("ب", "B"), "1", [], ("ج", "C"), "N", "01/01/2026", "ه", "CODE"), "http://x/"
    )
    stamped = stamping.stamped(turned, stamp, page=1, place="top_right", certificate=stamp)
    with pikepdf.open(io.BytesIO(stamped)) as opened:
        first = opened.pages[0]
        assert int(first.obj.get("/Rotate", 0)) == 0
        left, bottom, right, top = (float(value) for value in first.mediabox)
        assert right - left > top - bottom  # shown as the turned page was: wider than tall


def test_a_photograph_becomes_a_one_page_pdf(enrolled, citizen, temara_office):
    photo = samples.jpeg(size=(900, 1200))
    given = document(file=upload(photo, "photo.jpg"), stamp_page=1)
    prepared = services.prepare_request(by=citizen, service="signature", office=temara_office, document=given)
    assert prepared.pages == 1 and prepared.document.read().startswith(b"%PDF")


def test_remote_completion_is_for_an_enrolled_signer_s_signature_only(
    enrolled, citizen, officer, temara_office, settings
):
    copy = services.prepare_request(by=citizen, service="copy", office=temara_office, document=document(copies=3))
    assert copy.stamp_duty == Decimal("12.00")
    with pytest.raises(ValidationError) as refused:
        services.complete(copy, by=officer, completion="remote", duty_receipt="ET-2")
    assert "completion" in refused.value.message_dict
    signature = services.prepare_request(by=citizen, service="signature", office=temara_office, document=document())
    settings.RAQMANA_LEGALISATION_REMOTE = False
    with pytest.raises(ValidationError):
        services.complete(signature, by=officer, completion="remote", duty_receipt="ET-3")
    settings.RAQMANA_LEGALISATION_REMOTE = True
    done = services.complete(signature, by=officer, completion="remote", duty_receipt="ET-3")
    assert done.completion == "remote" and done.number == 1


def test_the_counter_legalises_and_certifies_at_once_in_one_register(enrolled, officer, temara_office):
    with pytest.raises(ValidationError) as not_enrolled:
        services.legalise_at_counter(
            by=officer, office=temara_office, service="signature", document=document(), national_id="Z999",
            identity_checked=True, duty_receipt="R",
        )  # fmt: skip
    assert "national_id" in not_enrolled.value.message_dict
    signed = services.legalise_at_counter(
        by=officer, office=temara_office, service="signature", document=document(), national_id="AB123456",
        identity_checked=True, duty_receipt="R1",
    )  # fmt: skip
    copied = services.legalise_at_counter(
        by=officer, office=temara_office, service="copy", document=document(copies=2), national_id="CD4321",
        requester_name="Fatima Zahra", identity_checked=True, duty_receipt="R2",
    )  # fmt: skip
    assert (signed.number, copied.number) == (1, 2) and not copied.online
    assert copied.output.kind == "certified_copy" and signed.requester == enrolled.account
    assert [entry.number for entry in selectors.register(officer, temara_office, signed.year)] == [1, 2]


def test_refusal_and_withdrawal_enter_nothing_in_the_register(enrolled, citizen, officer, temara_office):
    refused = services.prepare_request(by=citizen, service="signature", office=temara_office, document=document())
    with pytest.raises(ValidationError):
        services.refuse(refused, by=officer, reason="  ")
    services.refuse(refused, by=officer, reason="Le signataire ne s'est pas présenté.")
    withdrawn = services.prepare_request(by=citizen, service="signature", office=temara_office, document=document())
    with pytest.raises(PermissionDenied):
        services.withdraw(withdrawn, by=officer)
    services.withdraw(withdrawn, by=citizen)
    for found in (refused, withdrawn):
        found.refresh_from_db()
        assert found.number is None
        with pytest.raises(ValidationError):
            services.complete(found, by=officer, completion="counter", identity_checked=True, duty_receipt="R")
    assert Notification.objects.filter(user=citizen, kind="legalisation.refused").exists()


def test_an_officer_of_one_office_neither_reads_nor_completes_another_s(
    enrolled, citizen, officer, skhirate_officer, president, temara_office
):
    prepared = services.prepare_request(by=citizen, service="signature", office=temara_office, document=document())
    with pytest.raises(Http404):
        selectors.request_for_agent(skhirate_officer, prepared.pk)
    assert not selectors.queue(skhirate_officer).exists()
    with pytest.raises(PermissionDenied):
        services.complete(prepared, by=skhirate_officer, completion="counter", identity_checked=True, duty_receipt="R")
    with pytest.raises(PermissionDenied):
        services.complete(prepared, by=president, completion="counter", identity_checked=True, duty_receipt="R")
    assert selectors.request_for_agent(president, prepared.pk) == prepared
    assert list(selectors.queue(officer)) == [prepared]
    with pytest.raises(Http404):
        selectors.own_request(skhirate_officer, prepared.pk)


def test_the_public_figures_count_per_office_without_names(enrolled, citizen, officer, temara_office):
    done = services.prepare_request(by=citizen, service="signature", office=temara_office, document=document())
    services.complete(done, by=officer, completion="remote", duty_receipt="R")
    services.prepare_request(by=citizen, service="copy", office=temara_office, document=document())
    [row] = selectors.public_figures(timezone.localdate().year)
    assert (row.office, row.requests, row.signatures, row.copies, row.online) == (temara_office, 2, 1, 1, 2)
    assert (row.completed, row.completed_remotely, row.waiting) == (1, 1, 1)
    assert row.average_hours is not None and row.average_hours >= 0


@pytest.mark.django_db(transaction=True)
def test_completions_at_once_take_consecutive_register_numbers(territories_in_transactional_db, clamav):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time: numbers cannot race there")
    from raqmana.access.roles import Role
    from raqmana.access.services import grant_role
    from raqmana.accounts.tests.factories import UserFactory

    from .conftest import office_of

    office = office_of("04.501.01.07")
    officer = UserFactory()
    grant_role(officer, Role.LEGALISATION_OFFICER, unit=office, by=None, reason="test")
    citizen = UserFactory(national_id="EE11111")
    prepared = [
        services.prepare_request(by=citizen, service="copy", office=office, document=document()) for _ in range(12)
    ]
    errors = []

    def complete(found):
        try:
            services.complete(found, by=officer, completion="counter", identity_checked=True, duty_receipt="R")
        except Exception as error:  # reported below: a thread's failure must fail the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=complete, args=(found,)) for found in prepared]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    numbers = sorted(LegalisationRequest.objects.values_list("number", flat=True))
    assert numbers == list(range(1, 13))


def _odd_pdf(mediabox=(0, 0, 595, 842), content=b"0 0 1 rg 50 50 100 100 re f", **page_keys):
    """A one-page PDF written by hand, as some scanners and tools write them."""
    pdf = pikepdf.new()
    page = pikepdf.Dictionary(Type=pikepdf.Name.Page, MediaBox=pikepdf.Array(list(mediabox)), Resources={})
    page.Contents = pdf.make_stream(content)
    for key, value in page_keys.items():
        page[f"/{key}"] = value
    pdf.pages.append(pikepdf.Page(page))
    output = io.BytesIO()
    pdf.save(output)
    return output.getvalue()


def _damaged_stream():
    pdf = pikepdf.open(io.BytesIO(_odd_pdf()))
    stream = pdf.make_stream(b"not deflated at all")
    stream.Filter = pikepdf.Name.FlateDecode
    pdf.pages[0].obj.Contents = stream
    output = io.BytesIO()
    pdf.save(output)
    return output.getvalue()


@pytest.mark.parametrize(
    "brought",
    [
        pytest.param(_damaged_stream, id="damaged-content-stream"),
        pytest.param(lambda: _odd_pdf(mediabox=(0, 0, 200, 60)), id="page-too-small"),
        pytest.param(lambda: _odd_pdf(CropBox=pikepdf.Array([1000, 1000, 1500, 1500])), id="nothing-shown"),
    ],
)
def test_a_page_that_cannot_carry_the_stamp_is_refused_when_prepared(enrolled, citizen, temara_office, brought):
    given = document(file=upload(brought()), stamp_page=1)
    with pytest.raises(ValidationError) as refused:
        services.prepare_request(by=citizen, service="signature", office=temara_office, document=given)
    assert set(refused.value.message_dict) & {"stamp_page", "document"}
    assert not LegalisationRequest.objects.exists()


@pytest.mark.parametrize(
    "brought",
    [
        pytest.param(lambda: _odd_pdf(content=b"Q 0 0 1 1 re W n"), id="content-restoring-a-state-never-saved"),
        pytest.param(lambda: _odd_pdf(mediabox=(595, 842, 0, 0)), id="box-corners-reversed"),
        pytest.param(lambda: _odd_pdf(mediabox=(0, 0, 842, 150)), id="short-page"),
        pytest.param(lambda: _odd_pdf(Rotate=pikepdf.Name("/Ninety")), id="rotation-not-a-number"),
    ],
)
def test_the_stamp_is_whole_and_visible_on_odd_pages(brought):
    stamp = stamping.stamp_pdf(
        stamping.Stamp(("أ", "A"), ("ب", "B"), "1", [], ("ج", "C"), "N", "01/01/2026", "ه", "CODE"), "http://x/"
    )
    result = stamping.stamped(brought(), stamp, page=1, place="bottom_left", certificate=stamp)
    with pikepdf.open(io.BytesIO(result)) as opened:
        page = opened.pages[0]
        left, bottom, right, top = (float(value) for value in page.mediabox)
        # The page's own content sits in a form XObject: nothing it does reaches the stamp drawn after it.
        assert page.obj.Contents.read_bytes().startswith(b"q\nq /Page Do Q\nQ")
        (name,) = [key for key in page.obj.Resources.XObject if key != "/Page"]
        bbox = [float(value) for value in page.obj.Resources.XObject[name].BBox]
        placed = [
            operands
            for operands, operator in pikepdf.parse_content_stream(page)
            if operator == pikepdf.Operator("cm") and len(operands) == 6
        ][-1]
        scale_x, scale_y, x, y = (float(placed[index]) for index in (0, 3, 4, 5))
        width, height = scale_x * (bbox[2] - bbox[0]), scale_y * (bbox[3] - bbox[1])
        assert left - 1 <= x and x + width <= right + 1 and bottom - 1 <= y and y + height <= top + 1


def test_a_transparent_image_is_laid_on_white():
    from PIL import Image

    drawing = Image.new("RGBA", (200, 100), (0, 0, 0, 0))
    buffer = io.BytesIO()
    drawing.save(buffer, format="PNG")
    pdf = stamping.as_pdf(buffer.getvalue(), "png")
    with pikepdf.open(io.BytesIO(pdf)) as opened:
        image = pikepdf.PdfImage(next(iter(opened.pages[0].images.values()))).as_pil_image()
    assert image.getpixel((10, 10)) == (255, 255, 255)


def test_an_enrolment_made_before_the_account_is_linked_when_the_citizen_prepares(officer, temara_office, clamav):
    from raqmana.accounts.tests.factories import UserFactory

    services.enrol_signer(
        by=officer, office=temara_office, national_id="XY12345", full_name="Karim Tazi", specimen=specimen_image()
    )
    later = UserFactory(national_id="XY12345")
    prepared = services.prepare_request(by=later, service="signature", office=temara_office, document=document())
    assert prepared.signer.account == later
    assert AuditEvent.objects.filter(action="legalisation.signer_linked").exists()


def test_a_stamp_duty_receipt_pays_one_legalisation(enrolled, citizen, officer, temara_office):
    first = services.prepare_request(by=citizen, service="signature", office=temara_office, document=document())
    second = services.prepare_request(by=citizen, service="signature", office=temara_office, document=document())
    services.complete(first, by=officer, completion="remote", duty_receipt="ET-77")
    with pytest.raises(ValidationError) as reused:
        services.complete(second, by=officer, completion="remote", duty_receipt="ET-77")
    assert "duty_receipt" in reused.value.message_dict
