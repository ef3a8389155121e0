"""A complaint's whole journey in Chromium, in Arabic and French, on a wide screen and a phone: the citizen files it,
the commune's handler forwards and answers it (the answer sealed), the citizen rates the answer and re-opens it;
every page reads in its language's direction, no wider than the screen, every input labelled. With
RAQMANA_SCREENSHOTS set, each page is photographed into var/screens/complaints/."""

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from raqmana.complaints.constants import ComplaintState
from raqmana.complaints.models import Complaint
from raqmana.kernel.tests.browsers import PHONE, WIDE, photograph
from raqmana.procedures.tests.test_pages_browser import session_of

pytestmark = pytest.mark.browser


def page_for(browser, live_server, language, viewport, user=None):
    context = browser.new_context(viewport=viewport, locale="ar-MA")
    cookies = [{"name": "django_language", "value": language, "url": live_server.url}]
    if user is not None:
        cookies.append({"name": settings.SESSION_COOKIE_NAME, "value": session_of(user), "url": live_server.url})
    context.add_cookies(cookies)
    return context.new_page()


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["wide", "phone"])
@pytest.mark.parametrize("language", ["ar", "fr"])
def test_a_complaint_is_filed_forwarded_answered_rated_and_re_opened(
    browser, live_server, territories_in_transactional_db, complainant, handler, temara, language, viewport
):
    def shot(page, name):
        photograph(page, name, language, viewport, folder="complaints")

    citizen = page_for(browser, live_server, language, viewport, complainant)
    citizen.goto(live_server.url + reverse("complaints:file"))
    citizen.locator("input[name=kind][value=complaint]").check()
    citizen.locator("#id_commune").press_sequentially("تمار")
    suggestion = citizen.locator("#id_commune-options option").first
    expect(suggestion).to_be_attached()
    citizen.locator("#id_commune").fill(suggestion.get_attribute("value"))
    citizen.locator("#id_category").select_option("roads")
    citizen.locator("#id_subject").fill("Lampadaire éteint")
    citizen.locator("#id_text").fill("Le lampadaire devant le n° 12 de l'avenue Hassan II est éteint depuis un mois.")
    citizen.locator("#id_anonymous").check()  # refused for a complaint: what was typed stays
    shot(citizen, "file")
    citizen.locator("main form button[type=submit]").click()
    expect(citizen.locator("#id_subject")).to_have_value("Lampadaire éteint")
    expect(citizen.locator("main .errorlist").first).to_be_visible()
    citizen.locator("#id_anonymous").uncheck()
    citizen.locator("main form button[type=submit]").click()
    complaint = Complaint.objects.get()
    expect(citizen.locator("main h1")).to_contain_text(complaint.reference)
    shot(citizen, "complaint-received")

    agent = page_for(browser, live_server, language, viewport, handler)
    agent.goto(live_server.url + reverse("complaints:queue"))
    expect(agent.locator("table.queue")).to_contain_text(complaint.reference)
    shot(agent, "queue")
    agent.locator("table.queue a").first.click()
    agent.locator("#id_forwarded_to").fill("Service de l'éclairage public")
    agent.locator("form[action$='/forward/'] button").click()
    expect(agent.locator("main")).to_contain_text("Service de l'éclairage public")
    agent.locator("#id_answer_text").fill("Le lampadaire a été réparé le 27 novembre.")
    agent.locator("form[action$='/answer/'] button").click()
    expect(agent.locator("main")).to_contain_text("Le lampadaire a été réparé le 27 novembre.")
    shot(agent, "handle")
    assert Complaint.objects.get().state == ComplaintState.ANSWERED

    citizen.goto(live_server.url + reverse("complaints:complaint", args=[complaint.pk]))
    citizen.locator("input[name=rating][value=unsatisfied]").check()
    citizen.locator("form[action$='/rate/'] button").click()
    shot(citizen, "complaint-answered")
    citizen.locator("#id_reason").fill("La rue est toujours dans le noir.")
    citizen.locator("form[action$='/reopen/'] button").click()
    expect(citizen.locator("form[action$='/reopen/']")).to_have_count(0)  # re-opened: once only
    complaint.refresh_from_db()
    assert complaint.state == ComplaintState.REOPENED and complaint.rating == "unsatisfied"
    agent.goto(live_server.url + reverse("complaints:queue"))
    expect(agent.locator("table.queue")).to_contain_text(complaint.reference)

    visitor = page_for(browser, live_server, language, viewport)
    visitor.goto(live_server.url + reverse("complaints:figures"))
    expect(visitor.locator("main table")).to_contain_text(temara.name_ar if language == "ar" else temara.name_fr)
    shot(visitor, "figures")
