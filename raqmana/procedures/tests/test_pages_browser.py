"""The procedures' pages in Chromium, in Arabic and French, on a wide screen and a phone: nothing wider than the
phone, every input labelled, the form saved as one types (htmx) and its errors shown beside the fields. With
RAQMANA_SCREENSHOTS set, each page is photographed into var/screens/procedures/ to be looked at."""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from raqmana.kernel.tests.browsers import PHONE, WIDE, photograph
from raqmana.procedures.constants import Category
from raqmana.procedures.models import Procedure, ProcedureVersion
from raqmana.procedures.services import attachments, filing

from .test_pages import EVERY_KIND, pdf_upload

pytestmark = pytest.mark.browser


@pytest.fixture
def scene(territories_in_transactional_db, applicant_act, birth_data, applicant, permits_agent, temara):
    """A published procedure with every kind of field, a draft of it, and a dossier filed under the building one."""
    every_kind = Procedure.objects.create(
        code="every-kind",
        category=Category.URBANISM,
        title_ar="رخصة البناء للمشاريع الصغرى",
        title_fr="Permis de construire (petits projets)",
        title_en="Building permit (small projects)",
        description_ar="طلب رخصة البناء لمشروع سكني صغير، مع التصاميم المعمارية.",
        description_fr="Permis de construire d'un petit projet d'habitation, avec les plans d'architecte.",
        description_en="A building permit for a small housing project, with the architect's plans.",
        legal_basis_ar="القانون 12.90 المتعلق بالتعمير",
        legal_basis_fr="Loi 12-90 relative à l'urbanisme",
        legal_basis_en="Law 12-90 on urbanism",
        delay_days=20,
        delay_in_working_days=True,
        silence_means_approval=True,
        published=True,
    )
    version = ProcedureVersion.objects.create(procedure=every_kind, number=1, definition=EVERY_KIND, source="test")
    every_kind.current_version = version
    every_kind.save(update_fields=["current_version"])
    draft = filing.start_draft(applicant, every_kind, commune=temara)
    filed = filing.start_draft(applicant, every_kind, commune=temara)
    filing.link_civil_status(
        filed, by=applicant, idcs=applicant_act.idcs, birth_date=birth_data["birth_date"], first_name="Youssef"
    )
    attachments.attach(filed, "plans", pdf_upload("plans-facade.pdf"), by=applicant)
    filing.save_answers(
        filed,
        {
            "name": "Villa Atlas",
            "area": "180,5",
            "use": "commercial",
            "shop_sign": "Épicerie Atlas",
            "networks": ["water", "power"],
            "basement": "no",
            "site": {"commune": "04.501.01.07", "street": "12, avenue Hassan II"},
            "point": {"lat": "33.9287", "lon": "-6.9063"},
            "lots": [{"area": "90"}, {"area": "95"}],
        },
        by=applicant,
    )
    filed = filing.file_dossier(filed, by=applicant)
    return {"draft": draft, "filed": filed}


def session_of(user):
    client = Client()
    client.force_login(user, backend="raqmana.accounts.backends.EmailOrPhoneBackend")
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="test", confirmed=True
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def context_for(browser, live_server, language, user=None, viewport=WIDE):
    context = browser.new_context(viewport=viewport, locale="ar-MA")
    cookies = [{"name": "django_language", "value": language, "url": live_server.url}]
    if user is not None:
        cookies.append({"name": settings.SESSION_COOKIE_NAME, "value": session_of(user), "url": live_server.url})
    context.add_cookies(cookies)
    return context


def settled(page):
    """Wait until the form's saves as one types are all answered, so that what the test reads next is saved."""
    for _ in range(2):  # a save queued behind another starts as soon as the first is answered
        page.wait_for_function("() => !document.querySelector('.htmx-request')")
        page.wait_for_timeout(300)


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["wide", "phone"])
@pytest.mark.parametrize("language", ["ar", "fr"])
def test_the_pages_read_well(browser, live_server, scene, applicant, permits_agent, language, viewport):
    draft, filed = scene["draft"], scene["filed"]
    visitor = context_for(browser, live_server, language, viewport=viewport)
    page = visitor.new_page()
    page.goto(live_server.url + reverse("procedures:catalogue"))
    photograph(page, "catalogue", language, viewport)
    page.goto(live_server.url + reverse("procedures:procedure", args=["every-kind"]))
    photograph(page, "procedure", language, viewport)
    visitor.close()

    citizen = context_for(browser, live_server, language, applicant, viewport)
    page = citizen.new_page()
    page.goto(live_server.url + reverse("procedures:form", args=[draft.pk]))
    page.locator("#f-name").press_sequentially("Villa Atlas")
    page.locator("#f-area").press_sequentially("douze")  # saved a second after the last key
    expect(page.locator("#f-area-errors .errorlist")).to_be_visible()  # saved as typed, the error beside it
    page.locator("#f-use-2").check()
    expect(page.locator("#f-shop_sign")).to_be_visible()  # the condition now holds: the form is drawn again
    expect(page.locator("#f-name")).to_have_value("Villa Atlas")
    page.locator("#f-site-commune").press_sequentially("تمار")  # the picker suggests communes as one types
    suggestion = page.locator("#f-site-commune-options option").first
    expect(suggestion).to_be_attached()
    page.locator("#f-site-commune").fill(suggestion.get_attribute("value"))
    page.locator("#f-site-street").fill("12, avenue Hassan II")
    page.locator("#f-point-lat").fill("33.9287")
    page.locator("#f-point-lon").fill("-6.9063")
    page.locator("#f-plans").set_input_files(
        files=[{"name": "plans.pdf", "mimeType": "application/pdf", "buffer": pdf_upload().read()}]
    )
    expect(page.locator("#f-plans-block .attachments")).to_contain_text("plans.pdf")
    page.locator("#f-point-lon").blur()  # its change is saved now, not as the click on "file" takes the focus
    settled(page)
    page.locator(".form-actions button").first.click()  # file it: refused, each fault named
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("#f-area")).to_have_value("douze")
    expect(page.locator("#f-site-commune")).to_have_value(re.compile("04.501.01.07"))
    photograph(page, "form", language, viewport)
    page.goto(live_server.url + reverse("procedures:dossier", args=[filed.pk]))
    photograph(page, "dossier", language, viewport)
    citizen.close()

    agent = context_for(browser, live_server, language, permits_agent, viewport)
    page = agent.new_page()
    page.goto(live_server.url + reverse("procedures:queue"))
    expect(page.locator("table.queue")).to_contain_text(filed.reference)
    photograph(page, "queue", language, viewport)
    page.goto(live_server.url + reverse("procedures:review", args=[filed.pk]))
    photograph(page, "review", language, viewport)
    agent.close()
