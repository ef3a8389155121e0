import pytest
from playwright.sync_api import expect

from raqmana.civil_status.models import Act

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(territories_in_transactional_db):
    import io

    from django.core.management import call_command
    from django.test import override_settings

    with override_settings(DEBUG=True):
        call_command("seed_demo", stdout=io.StringIO())


def test_a_citizen_orders_pays_and_verifies_an_extract(live_server, page, demo):
    act = Act.objects.exclude(idcs=None).order_by("pk").last()
    page.goto(live_server.url + "/accounts/login/")
    page.locator("#id_username").fill("citoyen@demo.raqmana.ma")
    page.locator("#id_password").fill("raqmana-demo-2026")
    page.locator("#id_password").press("Enter")

    page.goto(live_server.url + "/documents/orders/new/")
    page.locator("#id_kind").select_option("birth_extract")
    page.locator("#id_reference").fill(act.idcs)
    page.locator("#id_event_date").fill(act.birth_date.isoformat())
    page.locator("#id_first_name").fill(act.first_name_ar)
    page.locator("#id_first_name").press("Enter")
    expect(page.locator("#main")).to_contain_text(act.first_name_ar)
    page.locator("#id_requester_relation").select_option("other")
    page.locator("#id_purpose").fill("ملف إداري")
    page.locator("#id_purpose").press("Enter")

    expect(page.locator("#main")).to_contain_text("2,00 درهم")  # the simulated gateway shows the stamp duty
    page.locator('button[value="pay"]').click()
    download_link = page.locator('a[href$="/pdf/"]')
    expect(download_link).to_be_visible()
    with page.expect_download() as download:
        download_link.click()
    assert download.value.path().read_bytes().startswith(b"%PDF-")

    page.locator('a[href*="/documents/verify/"]').click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator(".panel.ok")).to_contain_text("صحيحة وسارية")
