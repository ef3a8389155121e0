"""A registry entry linked to its answer, in Chromium, in Arabic and French, on a wide screen and a phone: the clerk
registers an incoming letter, then the outgoing letter that answers it, and finds both in the day's register. With
RAQMANA_SCREENSHOTS set, each page is photographed into var/screens/mail_registry/."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from raqmana.complaints.tests.test_pages_browser import page_for
from raqmana.kernel.tests.browsers import PHONE, WIDE, photograph
from raqmana.mail_registry.models import MailEntry

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["wide", "phone"])
@pytest.mark.parametrize("language", ["ar", "fr"])
def test_a_letter_is_registered_and_answered(
    browser, live_server, territories_in_transactional_db, clerk, language, viewport
):
    def shot(page, name):
        photograph(page, name, language, viewport, folder="mail_registry")

    page = page_for(browser, live_server, language, viewport, clerk)
    page.goto(live_server.url + reverse("mail_registry:register"))
    page.locator("input[name=direction][value=incoming]").check()
    page.locator("#id_correspondent").fill("Agence urbaine de Rabat-Salé")
    page.locator("#id_subject").fill("Avis sur le plan d'aménagement du secteur Nord")
    page.locator("#id_routed_to").fill("Service de l'urbanisme")
    shot(page, "register")
    page.locator("main form button[type=submit]").click()
    incoming = MailEntry.objects.get()
    expect(page.locator("main h1")).to_contain_text(incoming.reference)

    page.goto(live_server.url + reverse("mail_registry:register"))
    page.locator("input[name=direction][value=outgoing]").check()
    page.locator("#id_correspondent").fill("Agence urbaine de Rabat-Salé")
    page.locator("#id_subject").fill("Réponse : avis favorable de la commune")
    page.locator("#id_in_reply_to").fill(incoming.reference)
    page.locator("main form button[type=submit]").click()
    outgoing = MailEntry.objects.get(direction="outgoing")
    expect(page.locator("main")).to_contain_text(incoming.reference)
    shot(page, "letter")

    page.goto(live_server.url + reverse("mail_registry:letter", args=[incoming.pk]))
    expect(page.locator("main")).to_contain_text(outgoing.reference)
    page.goto(live_server.url + reverse("mail_registry:day"))
    expect(page.locator("main table")).to_contain_text(incoming.reference)
    expect(page.locator("main table")).to_contain_text(outgoing.reference)
    shot(page, "day")
    page.goto(live_server.url + reverse("mail_registry:search") + "?correspondent=agence")
    expect(page.locator("main table")).to_contain_text(outgoing.reference)
    shot(page, "search")
