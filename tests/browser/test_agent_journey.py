"""In Debian's Chromium: Arabic home page, switch to French, demo agent signs in with TOTP, reaches the workspace."""

import io
import re

import pytest
from django.core.management import call_command
from django.test import override_settings
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(territories_in_transactional_db):
    with override_settings(DEBUG=True):
        call_command("seed_demo", stdout=io.StringIO())


def current_code(email):
    device = TOTPDevice.objects.get(user__email=email, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def test_agent_signs_in_with_totp_in_french(live_server, page, demo):
    page.goto(live_server.url + "/")
    html = page.locator("html")
    expect(html).to_have_attribute("dir", "rtl")
    expect(html).to_have_attribute("lang", "ar")
    expect(page.get_by_role("heading", level=1)).to_have_text("خدمات جماعتك، بدون ورق")

    page.get_by_role("button", name="français").click()
    expect(html).to_have_attribute("lang", "fr")
    expect(html).to_have_attribute("dir", "ltr")

    page.get_by_role("link", name="Se connecter").first.click()
    page.get_by_label("Adresse électronique ou numéro de téléphone").fill("agent@demo.raqmana.ma")
    page.get_by_label("Mot de passe").fill("raqmana-demo-2026")
    page.get_by_label("Mot de passe").press("Enter")

    expect(page).to_have_url(re.compile(r"/accounts/two-factor/"))
    page.get_by_label("Code à six chiffres").fill(current_code("agent@demo.raqmana.ma"))
    page.get_by_role("button", name="Confirmer").click()

    page.get_by_role("link", name="Espace de travail").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Espace de travail")
    expect(page.get_by_role("heading", level=2).first).to_contain_text("Agent d'état civil")
    expect(page.get_by_text("Bureau d'état civil de Témara").first).to_be_visible()
    expect(html).to_have_attribute("lang", "fr")


def test_keyboard_reaches_the_sign_in_form_with_a_visible_focus(live_server, page, demo):
    page.goto(live_server.url + "/accounts/login/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.strip()  # the skip link comes first
    page.get_by_label("البريد الإلكتروني أو رقم الهاتف").focus()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"


def sign_in(page, live_server, email):
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("البريد الإلكتروني أو رقم الهاتف").fill(email)
    page.get_by_label("كلمة المرور").fill("raqmana-demo-2026")
    page.get_by_label("كلمة المرور").press("Enter")
    page.get_by_label("الرمز المكوّن من ستة أرقام").fill(current_code(email))
    page.get_by_role("button", name="تأكيد").click()


def test_agent_takes_up_a_pre_declaration_and_confirms_suggested_spellings(live_server, page, demo):
    sign_in(page, live_server, "agent@demo.raqmana.ma")
    page.goto(live_server.url + "/civil-status/")
    page.locator("#main table").first.get_by_role("link").first.click()
    expect(page.locator("#id_first_name_ar")).to_have_value("سلمى")

    page.locator("#id_first_name_ar").fill("يوسف")
    page.locator("#id_first_name_ar").press("Tab")
    # The spellings of the pre-declared name are shown at once; those of the name typed replace them.
    page.locator("#suggest-first_name button", has_text="Youssef").first.click()
    expect(page.locator("#id_first_name_latin")).to_have_value("Youssef")
    page.locator('#suggest-first_name button[lang="zgh"]').click()
    expect(page.locator("#id_first_name_tfng")).to_have_value("ⵢⵓⵙⴼ")


def test_agent_finds_an_act_only_with_a_fact_and_issues_a_sealed_extract(live_server, page, demo):
    from raqmana.civil_status.models import Act

    act = Act.objects.exclude(idcs=None).order_by("pk").last()
    sign_in(page, live_server, "agent@demo.raqmana.ma")
    page.goto(live_server.url + "/documents/")
    page.locator("#id_reference").fill(act.reference)
    page.locator("#id_reference").press("Enter")
    expect(page.locator("#main .errorlist")).to_be_visible()  # a reference alone shows nothing
    expect(page.locator("#main")).not_to_contain_text(act.first_name_ar)

    page.locator("#id_first_name").fill(act.first_name_latin or act.first_name_ar)
    page.locator("#id_first_name").press("Enter")
    expect(page.locator("#main")).to_contain_text(act.first_name_ar)
    page.locator("#id_kind").select_option("birth_extract")
    page.locator("#id_requester_name").fill("فاطمة بناني")
    page.locator("#id_requester_document").fill("BE998877")
    page.locator("#id_requester_relation").select_option("other")
    page.locator("#id_purpose").fill("ملف إداري")
    page.locator("#id_identity_checked").check()
    page.locator('#main form[method="post"] button[type="submit"]').click()

    expect(page).to_have_url(re.compile(r"/documents/\d+/$"))
    pdf_url = live_server.url + page.locator('#main a[href$="/pdf/"]').get_attribute("href")
    pdf = page.context.request.get(pdf_url, fail_on_status_code=True)
    assert pdf.body().startswith(b"%PDF-")  # stored once the record was committed
