"""A citizen's orders and an office's orders to check are listed page by page, newest first, with a pager."""

import pytest
from django.urls import reverse
from django.utils import translation

from raqmana.accounts.tests.factories import UserFactory
from raqmana.civil_status_documents.services import place_order
from raqmana.civil_status_documents.views import ORDERS_PER_PAGE

pytestmark = pytest.mark.django_db


def test_the_orders_are_paged_with_a_pager_keeping_the_newest_first(client, birth_act):
    citizen = UserFactory()
    placed = [
        place_order(citizen, birth_act, "birth_extract", relation="holder", mandate_reference="", purpose="Passport")
        for _ in range(ORDERS_PER_PAGE + 1)
    ]
    client.force_login(citizen)
    client.cookies["django_language"] = "en"
    first = client.get(reverse("documents:orders"))
    assert list(first.context["orders"]) == placed[::-1][:ORDERS_PER_PAGE]
    with translation.override("en"):
        assert 'rel="next" href="?page=2"' in first.text and "Page 1 of 2" in first.text
    second = client.get(reverse("documents:orders"), {"page": "2"})
    assert list(second.context["orders"]) == [placed[0]] and 'rel="prev" href="?page=1"' in second.text
    assert client.get(reverse("documents:orders"), {"page": "x"}).context["orders"].number == 1
