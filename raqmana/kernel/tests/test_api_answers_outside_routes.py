"""Under /api/, what no endpoint answers is refused in JSON like the API's own refusals ({"detail": ...}, in the
caller's language): an address nothing answers (404), a refusal raised outside the API's routes (403), an agent who
owes their second factor. Pages keep the portal's own 403 and 404 pages."""

import pytest
from django.utils import translation

from raqmana.access.roles import Role
from raqmana.access.services import grant_role
from raqmana.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def in_language(client, language):
    client.cookies["django_language"] = language
    return client


@pytest.mark.parametrize("language", ["ar", "fr", "en"])
def test_an_unknown_api_address_answers_json_404_in_the_callers_language(client, language):
    answer = in_language(client, language).get("/api/no-such-endpoint/")
    with translation.override(language):
        expected = translation.gettext("Not Found")
    assert answer.status_code == 404 and answer["Content-Type"] == "application/json"
    assert answer.json() == {"detail": expected}


def test_an_unknown_page_keeps_the_portals_404_page(client):
    answer = in_language(client, "en").get("/no-such-page/")
    assert answer.status_code == 404 and answer["Content-Type"].startswith("text/html")
    assert "<html" in answer.text


@pytest.mark.urls("raqmana.kernel.tests.refusing_urls")
def test_a_refusal_outside_the_api_routes_answers_json_under_api_and_a_page_elsewhere(client):
    api = in_language(client, "en").get("/api/plain-refusal/")
    assert api.status_code == 403 and api.json() == {"detail": "Only the officer signs."}
    page = client.get("/plain-refusal/")
    assert page.status_code == 403 and page["Content-Type"].startswith("text/html")
    assert "Only the officer signs." in page.text


def test_an_agent_owing_the_second_factor_is_told_in_their_language(client, temara_office):
    agent = UserFactory()
    grant_role(agent, Role.CIVIL_STATUS_AGENT, unit=temara_office, by=None, reason="test")
    client.force_login(agent, backend="raqmana.accounts.backends.EmailOrPhoneBackend")
    answer = in_language(client, "fr").get("/api/civil-status/acts", {"reason": "x", "name": "Youssef"})
    with translation.override("fr"):
        expected = translation.gettext("Confirm your second factor first: the code your authenticator app shows.")
    assert answer.status_code == 403 and answer.json() == {"detail": expected}
