"""In Chromium: the order form shows the mandate field only once "a person authorised" is chosen, without any
script, and shows the fee before "Order and pay"."""

from urllib.parse import urlencode

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from .test_phone_layout import demo, phone  # noqa: F401 (a fixture)

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("language", ["ar", "fr"])
def test_the_mandate_is_asked_of_a_mandatary_only(browser, live_server, demo, language):  # noqa: F811
    act = demo["act"]
    context = phone(browser, live_server, language, "citoyen@demo.raqmana.ma")
    page = context.new_page()
    query = urlencode(
        {"kind": "birth_extract", "reference": act.idcs, "event_date": act.birth_date, "first_name": act.first_name_ar}
    )
    page.goto(f"{live_server.url}{reverse('documents:order_new')}?{query}")
    mandate = page.locator("#id_mandate_reference")
    expect(mandate).to_be_hidden()
    expect(page.locator(".order-form .fee")).to_contain_text("2,00 درهم" if language == "ar" else "2,00 DH")
    page.select_option("#id_requester_relation", "mandatary")
    expect(mandate).to_be_visible()
    page.select_option("#id_requester_relation", "holder")
    expect(mandate).to_be_hidden()
    context.close()
