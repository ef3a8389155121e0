"""A page refused says who may open it, in a plain sentence: the refusal its permission declares."""

import pytest
from django.urls import reverse

from raqmana.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("page", "said"),
    [
        ("portal:supervision", "Only those who supervise territories open the supervision pages"),
        ("portal:workspace", "Only the agents of a commune&#x27;s offices and services, and the commune president"),
    ],
)
def test_a_refused_page_says_who_may_open_it(verified_client, page, said):
    client = verified_client(UserFactory())
    client.cookies["django_language"] = "en"
    refused = client.get(reverse(page))
    assert refused.status_code == 403 and said in refused.text and "You may not do this here" not in refused.text
