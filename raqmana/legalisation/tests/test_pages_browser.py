"""A legalised signature's whole journey in Chromium, in Arabic and French, on a wide screen and a phone: the
enrolled citizen prepares it online, the officer compares the signature with the enrolled specimen and enters it in
the register, the citizen downloads the stamped PDF, and its QR code, read back from the page, opens the
verification page that confirms it. Every page reads in its language's direction, no wider than the screen, every
input labelled. With RAQMANA_SCREENSHOTS set, each page is photographed into var/screens/legalisation/."""

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from raqmana.complaints.tests.test_pages_browser import page_for
from raqmana.kernel.tests.browsers import PHONE, WIDE, photograph
from raqmana.legalisation.constants import RequestState
from raqmana.legalisation.models import LegalisationRequest

from .conftest import pdf_pages, qr_address

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["wide", "phone"])
@pytest.mark.parametrize("language", ["ar", "fr"])
def test_a_signature_is_prepared_legalised_downloaded_and_verified_by_its_qr_code(
    browser, live_server, territories_in_transactional_db, enrolled, citizen, officer, temara, language, viewport
):
    def shot(page, name):
        photograph(page, name, language, viewport, folder="legalisation")

    person = page_for(browser, live_server, language, viewport, citizen)
    person.goto(live_server.url + reverse("legalisation:prepare"))
    person.locator("input[name=service][value=signature]").check()
    person.locator("#id_commune").press_sequentially("تمار")
    suggestion = person.locator("#id_commune-options option").first
    expect(suggestion).to_be_attached()
    person.locator("#id_commune").fill(suggestion.get_attribute("value"))
    person.locator("#id_subject").fill("Engagement de location")
    files = {"name": "engagement.pdf", "mimeType": "application/pdf", "buffer": pdf_pages(2)}
    person.locator("#id_document").set_input_files(files)
    person.locator("#id_stamp_page").fill("3")  # beyond the document: refused, what was typed stays
    person.locator("#id_stamp_place").select_option("bottom_right")
    shot(person, "prepare")
    person.locator("main form button[type=submit]").click()
    expect(person.locator("main .errorlist").first).to_be_visible()
    expect(person.locator("#id_subject")).to_have_value("Engagement de location")
    person.locator("#id_document").set_input_files(files)  # a browser never keeps a file chosen
    person.locator("#id_stamp_page").fill("2")
    person.locator("main form button[type=submit]").click()
    prepared = LegalisationRequest.objects.get()
    expect(person.locator("form[action$='/withdraw/']")).to_be_visible()
    shot(person, "request-prepared")

    agent = page_for(browser, live_server, language, viewport, officer)
    agent.goto(live_server.url + reverse("legalisation:queue"))
    shot(agent, "queue")
    agent.locator(f"a[href$='/office/{prepared.pk}/']").click()
    specimen = agent.locator(".specimen img")
    expect(specimen).to_be_visible()
    loaded = (
        "image => image.complete ? image.naturalWidth"
        " : new Promise(done => image.onload = () => done(image.naturalWidth))"
    )
    assert specimen.evaluate(loaded) > 0
    agent.locator("input[name=completion][value=counter]").check()
    agent.locator("#id_duty_receipt").fill("ET-2026-1")
    agent.locator("form[action$='/complete/'] button").click()
    expect(agent.locator("main .errorlist").first).to_be_visible()  # the card not checked in person
    expect(agent.locator("#id_duty_receipt")).to_have_value("ET-2026-1")
    agent.locator("#id_identity_checked").check()
    agent.locator("form[action$='/complete/'] button").click()
    prepared.refresh_from_db()
    assert prepared.state == RequestState.COMPLETED and prepared.number == 1
    expect(agent.locator("main h1")).to_contain_text(prepared.reference)
    shot(agent, "handle-completed")

    person.goto(live_server.url + reverse("legalisation:request", args=[prepared.pk]))
    shot(person, "request-completed")
    with person.expect_download() as download:
        person.locator(f"a[href$='/{prepared.pk}/legalised.pdf']").click()
    with open(download.value.path(), "rb") as downloaded:
        pdf = downloaded.read()
    address = qr_address(pdf, 2)
    assert address.startswith(settings.RAQMANA_PUBLIC_URL)
    visitor = page_for(browser, live_server, language, viewport)
    visitor.goto(live_server.url + address.removeprefix(settings.RAQMANA_PUBLIC_URL))
    expect(visitor.locator("main")).to_contain_text(prepared.reference)
    shot(visitor, "verified")
