"""The queue's lists that grow (pre-declarations, deaths to note, drafts) are paged each on its own."""

import pytest
from django.urls import reverse

from raqmana.civil_status.constants import ActKind
from raqmana.civil_status.services.acts import draft_act
from raqmana.civil_status.views import QUEUE_PER_PAGE

pytestmark = pytest.mark.django_db


def test_the_drafts_are_paged_and_the_other_lists_keep_their_page(verified_client, temara_office, agent, birth_data):
    for _ in range(QUEUE_PER_PAGE + 2):
        draft_act(temara_office, ActKind.BIRTH, birth_data, by=agent)
    client = verified_client(agent)
    client.cookies["django_language"] = "en"
    first = client.get(reverse("civil_status:queue"), {"received": "1"})
    assert len(first.context["drafts"]) == QUEUE_PER_PAGE
    assert 'href="?received=1&amp;drafts=2"' in first.text
    second = client.get(reverse("civil_status:queue"), {"drafts": "2"})
    assert len(second.context["drafts"]) == 2 and second.context["drafts"].number == 2
    assert "Page 2 of 2" in second.text
