"""In Debian's Chromium, under the Content-Security-Policy: the main pages report no violation, so htmx, the act
form's script, the administration and the API docs run without inline code."""

import io
import re

import pytest
from django.core.management import call_command
from django.test import override_settings
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PASSWORD = "raqmana-demo-2026"
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCspViolation(`${event.violatedDirective} blocked ${event.blockedURI} in ${event.sourceFile}`);
});
"""


@pytest.fixture
def demo(territories_in_transactional_db):
    with override_settings(DEBUG=True):
        call_command("seed_demo", stdout=io.StringIO())


@pytest.fixture
def violations(page):
    """Every CSP violation the page reports, as a securitypolicyviolation event or in the console."""
    reported = []

    def report(text):
        reported.append(text)

    def read_console(message):
        if "Content Security Policy" in message.text:
            reported.append(message.text)

    page.expose_function("reportCspViolation", report)
    page.add_init_script(REPORT_VIOLATIONS)
    page.on("console", read_console)
    return reported


def visit(page, url):
    response = page.goto(url)
    page.wait_for_load_state("networkidle")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    return response


def sign_in(page, live_server, email):
    page.goto(live_server.url + "/accounts/login/")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_load_state("networkidle")
    device = TOTPDevice.objects.filter(user__email=email, confirmed=True).first()
    if device is not None:  # agents confirm with their authenticator's code
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        page.locator("#id_token").fill(f"{totp.token():06d}")
        page.locator("#id_token").press("Enter")
    expect(page).not_to_have_url(re.compile(r"/login/|/two-factor/"))


def test_the_watch_sees_inline_script_refused(live_server, page, violations):
    """The other tests would pass on a page without a policy: this one shows the policy is enforced and seen."""
    visit(page, live_server.url + "/")
    page.evaluate("""() => {
      const script = document.createElement("script");
      script.textContent = "document.title = 'injected'";
      document.body.append(script);
    }""")
    page.wait_for_timeout(200)
    assert page.title() != "injected"
    assert any("script-src" in violation for violation in violations)


def test_public_pages_and_htmx_search(live_server, page, violations, demo):
    for path in ["/", "/documents/verify/", "/accounts/login/", "/accounts/signup/"]:
        visit(page, live_server.url + path)
    assert visit(page, live_server.url + "/no-such-page/").status == 404

    visit(page, live_server.url + "/offices/")
    page.locator("input[name=q]").fill("تمارة")
    expect(page.locator("#office-results")).to_contain_text("تمارة")  # swapped in by htmx
    expect(page).to_have_url(re.compile(r"q="))
    assert violations == []


def test_citizen_pages(live_server, page, violations, demo):
    sign_in(page, live_server, "citoyen@demo.raqmana.ma")
    for path in ["/", "/documents/orders/", "/documents/orders/new/"]:
        visit(page, live_server.url + path)
    assert violations == []


def test_agent_pages_and_the_act_forms_script(live_server, page, violations, demo):
    sign_in(page, live_server, "agent@demo.raqmana.ma")
    for path in ["/workspace/", "/civil-status/search/", "/documents/", "/documents/checks/"]:
        visit(page, live_server.url + path)
    visit(page, live_server.url + "/civil-status/")
    page.locator("#main table").first.get_by_role("link").first.click()
    page.locator("#id_first_name_ar").fill("يوسف")
    page.locator("#id_first_name_ar").press("Tab")
    # the prefilled name's suggestions are on the page first: wait for the ones htmx brings for the new name
    page.locator("#suggest-first_name button", has_text="Youssef").first.click()  # act_form.js fills the field
    expect(page.locator("#id_first_name_latin")).to_have_value("Youssef")
    assert violations == []


def test_supervision_and_the_administration(live_server, page, violations, demo):
    sign_in(page, live_server, "dgct@demo.raqmana.ma")
    visit(page, live_server.url + "/supervision/")
    page.locator("#supervision-table a").first.click()  # htmx swaps the table one level down
    expect(page).to_have_url(re.compile(r"/supervision/\d"))
    for path in [
        "/admin/",
        "/admin/accounts/roleassignment/add/",
        "/admin/calendars/holiday/",
        "/admin/accounts/user/",
    ]:
        visit(page, live_server.url + path)
    page.locator("#searchbar").fill("demo")
    page.locator("#searchbar").press("Enter")
    page.locator("#result_list tbody th a").first.click()  # a user's change form, with its widgets' scripts
    page.wait_for_load_state("networkidle")
    expect(page.locator("#user_form")).to_be_visible()
    assert violations == []


def test_api_docs(live_server, page, violations):
    visit(page, live_server.url + "/api/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Raqmana API")
    page.locator(".opblock-summary").first.click()
    expect(page.locator(".opblock-body").first).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert violations == []
