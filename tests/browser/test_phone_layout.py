"""At 390 × 844, in Arabic and French: no page is wider than the phone (tables scroll or stack, references wrap),
and the header, its menu folded under a button, stays small. The menu opens without any script."""

import io
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from raqmana.accounts.models import Enterprise, User
from raqmana.civil_status.models import Act
from raqmana.civil_status_documents.services import place_order
from raqmana.documents.models import IssuedDocument

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
FOLDED_HEADER_HEIGHT = 120


@pytest.fixture
def demo(territories_in_transactional_db):
    with override_settings(DEBUG=True):
        call_command("seed_demo", stdout=io.StringIO())
    act = Act.objects.exclude(idcs=None).filter(kind="birth").order_by("pk").last()
    citizen = User.objects.get(email="citoyen@demo.raqmana.ma")
    order = place_order(citizen, act, "birth_extract", relation="holder", mandate_reference="", purpose="Passport")
    return {"act": act, "order": order, "document": IssuedDocument.objects.order_by("pk").first()}


def session_of(email):
    """The session cookie of a person signed in, an agent with their second factor checked."""
    user = User.objects.get(email=email)
    client = Client()
    client.force_login(user, backend="raqmana.accounts.backends.EmailOrPhoneBackend")
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def cookies_for(live_server, language, email=None):
    cookies = [{"name": "django_language", "value": language, "url": live_server.url}]
    if email:
        cookies.append({"name": settings.SESSION_COOKIE_NAME, "value": session_of(email), "url": live_server.url})
    return cookies


def phone(browser, live_server, language, email=None):
    context = browser.new_context(viewport=PHONE, locale="ar-MA")
    context.add_cookies(cookies_for(live_server, language, email))
    return context


def citizen_pages(demo):
    act = demo["act"]
    lookup = "?" + urlencode(
        {"kind": "birth_extract", "reference": act.idcs, "event_date": act.birth_date, "first_name": act.first_name_ar}
    )
    return [
        reverse("portal:home"),
        reverse("portal:office_finder") + "?q=تمارة",
        reverse("documents:orders"),
        reverse("documents:order", args=[demo["order"].pk]),
        reverse("documents:order_new") + lookup,
        reverse("documents:verify", args=[demo["document"].verification_code]),
    ]


def agent_pages(demo):
    return [
        reverse("civil_status:act", args=[demo["act"].pk]) + "?reason=extract",
        reverse("civil_status:queue"),
        reverse("civil_status:search") + f"?name={demo['act'].first_name_ar}&reason=extract",
        reverse("documents:document", args=[demo["document"].pk]),
        reverse("portal:workspace"),
    ]


def widths(context, live_server, paths):
    page = context.new_page()
    found = {}
    for path in paths:
        response = page.goto(live_server.url + path)
        assert response.ok and response.request.redirected_from is None, path  # the page itself, not a sign-in
        found[path] = (
            page.evaluate("document.documentElement.scrollWidth"),
            page.locator(".site-header").bounding_box()["height"],
        )
    page.close()
    return found


@pytest.mark.parametrize("language", ["ar", "fr"])
def test_pages_fit_a_phone_and_the_header_stays_small(browser, live_server, demo, language):
    measured = {}
    for email, paths in [
        (None, [reverse("accounts:login"), reverse("accounts:signup")]),
        ("citoyen@demo.raqmana.ma", citizen_pages(demo)),
        ("agent@demo.raqmana.ma", agent_pages(demo)),
        ("inspecteur@demo.raqmana.ma", [reverse("portal:supervision")]),
    ]:
        context = phone(browser, live_server, language, email)
        measured.update(widths(context, live_server, paths))
        context.close()
    too_wide = {path: width for path, (width, _height) in measured.items() if width > PHONE["width"]}
    too_tall = {path: height for path, (_width, height) in measured.items() if height >= FOLDED_HEADER_HEIGHT}
    assert not too_wide, f"wider than the phone ({language}): {too_wide}"
    assert not too_tall, f"header too tall ({language}): {too_tall}"
    assert len(measured) == 14


def test_the_folded_menu_opens_without_script(browser, live_server, demo):
    context = phone(browser, live_server, "fr", "citoyen@demo.raqmana.ma")
    page = context.new_page()
    page.goto(live_server.url + reverse("portal:home"))
    orders_link = page.locator(".site-header nav").get_by_role("link", name="Mes documents")
    expect(orders_link).to_be_hidden()
    page.locator(".site-menu > summary").click()
    expect(orders_link).to_be_visible()
    expect(page.get_by_role("button", name="العربيّة")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    orders_link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes documents")
    context.close()


def test_the_menu_is_laid_out_in_the_header_on_a_wide_screen(browser, live_server, demo):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(live_server.url + reverse("portal:home"))
    expect(page.locator(".site-menu > summary")).to_be_hidden()
    expect(page.locator(".site-header nav")).to_be_visible()
    assert page.locator(".site-header").bounding_box()["height"] < 80
    context.close()


@pytest.mark.parametrize("language", ["ar", "fr"])
def test_an_agents_long_menu_has_the_languages_and_the_account_together_under_it(browser, live_server, demo, language):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.add_cookies(cookies_for(live_server, language, "agent@demo.raqmana.ma"))
    page = context.new_page()
    page.goto(live_server.url + reverse("civil_status:queue"))
    languages, account = page.locator(".language-switch").bounding_box(), page.locator(".account").bounding_box()
    assert abs(languages["y"] - account["y"]) < 10, "the languages and the account share a row"
    assert page.locator(".site-header").bounding_box()["height"] < 130, "two rows, not three"
    context.close()


def test_a_code_in_a_heading_goes_whole_to_the_next_line(browser, live_server, demo):
    context = phone(browser, live_server, "ar")
    page = context.new_page()
    page.goto(live_server.url + reverse("documents:verify", args=[demo["document"].verification_code]))
    code = page.locator("h1 bdi")
    line_height = float(code.evaluate("element => getComputedStyle(element.parentElement).lineHeight")[:-2])
    assert code.bounding_box()["height"] < 1.5 * line_height, "the code is on one line, not split at a hyphen"
    context.close()


def test_an_orders_pay_and_cancel_buttons_do_not_touch(browser, live_server, demo):
    context = phone(browser, live_server, "fr", "citoyen@demo.raqmana.ma")
    page = context.new_page()
    page.goto(live_server.url + reverse("documents:order", args=[demo["order"].pk]))
    pay = page.get_by_role("button", name="Payer").bounding_box()
    cancel = page.get_by_role("button", name="Annuler la commande").bounding_box()
    assert cancel["y"] - (pay["y"] + pay["height"]) >= 8
    context.close()


def test_the_enterprise_forms_fields_are_spaced_and_its_address_keeps_its_order(browser, live_server, demo):
    context = phone(browser, live_server, "ar", "citoyen@demo.raqmana.ma")
    page = context.new_page()
    page.goto(live_server.url + reverse("accounts:enterprise_register"))
    ice = page.locator("#id_ice").bounding_box()
    next_label = page.locator("label[for=id_legal_name]").bounding_box()
    assert next_label["y"] - (ice["y"] + ice["height"]) >= 12, "a field does not touch the next one's label"
    help_text = page.locator("#id_ice_helptext").bounding_box()
    assert ice["y"] - (help_text["y"] + help_text["height"]) < 8, "a field's help stays by its input"
    enterprise = Enterprise.objects.get(legal_name="Atlas Bâtiment SARL")
    page.goto(live_server.url + reverse("accounts:enterprise", args=[enterprise.ice]))
    address = page.locator("dd bdi", has_text="avenue Hassan II")
    expect(address).to_have_text("12, avenue Hassan II, Témara")
    assert address.evaluate("element => getComputedStyle(element).direction") == "ltr"
    context.close()


def test_an_error_message_does_not_look_like_a_success(browser, live_server, demo):
    context = phone(browser, live_server, "fr")
    page = context.new_page()
    page.goto(live_server.url + reverse("portal:home"))
    backgrounds = page.evaluate(
        """() => {
          const list = document.createElement("ul");
          list.className = "messages";
          list.innerHTML = '<li class="success">a</li><li class="info">b</li><li class="error">c</li>';
          document.querySelector("main").prepend(list);
          return [...list.children].map(item => getComputedStyle(item).backgroundColor);
        }"""
    )
    assert len(set(backgrounds)) == 3
    context.close()
