"""In Debian's Chromium, at a phone's width: the undelivered notifications page, in Arabic, never widens the page;
its table scrolls within it."""

import re

import pytest
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from raqmana.access.roles import Role
from raqmana.access.services import grant_role
from raqmana.accounts.tests.factories import PASSWORD, UserFactory
from raqmana.notifications.models import Channel, Notification
from raqmana.territories.models import CivilStatusOffice

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}


def test_the_page_fits_a_phone_and_its_table_scrolls(live_server, browser, territories_in_transactional_db):
    administrator = UserFactory(email="dgct@example.ma")
    grant_role(administrator, Role.DGCT, by=None, reason="test")
    device = TOTPDevice.objects.create(user=administrator, name="phone", confirmed=True)
    office = CivilStatusOffice.objects.get(territory__code="04.501.01.07")
    for number in range(3):
        Notification.objects.create(
            user=UserFactory(full_name="عبد الرحمن بن عبد الله الإدريسي"),
            unit=office,
            kind="civil_status_documents.order_issued",
            channel=Channel.EMAIL,
            address=f"a-rather-long-address-number-{number}@example.ma",
            subject="رقمنة: وثيقتكم جاهزة للتحميل من الفضاء الشخصي",
            body="B",
            attempts=6,
            error="[Errno 111] Connection refused by the mail server at mail.example.ma:25",
            given_up_at=timezone.now(),
        )

    context = browser.new_context(locale="ar-MA", viewport=PHONE)
    page = context.new_page()
    page.goto(live_server.url + "/accounts/login/")
    page.locator("input[name=username]").fill("dgct@example.ma")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/"))
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    page.locator("input[name=token]").fill(f"{totp.token():06d}")
    page.locator("input[name=token]").press("Enter")
    page.wait_for_url(re.compile(r"^(?!.*two-factor)"))

    page.goto(live_server.url + "/notifications/undelivered/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("tbody tr")).to_have_count(3)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.evaluate("(el => el.scrollWidth > el.clientWidth)(document.querySelector('.table-scroll'))")
    context.close()
