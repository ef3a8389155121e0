"""What Schemathesis found answered with a 5xx, and its neighbours: each now gets a 4xx that says why, on the API
(JSON, {"detail": ...}) and on pages, on SQLite and PostgreSQL alike."""

from datetime import date

import pytest
from django.conf import settings
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from raqmana.accounts.tests.factories import PASSWORD, UserFactory
from raqmana.civil_status.constants import ActKind
from raqmana.civil_status.services.pre_declarations import file_pre_declaration

pytestmark = pytest.mark.django_db

NO_BOUNDARY = "multipart/form-data"  # what Schemathesis sent: a multipart body whose parts cannot be found
NUL_MESSAGE = "NUL character"


CSRF_TOKEN = "a" * 32


@pytest.fixture(autouse=True)
def in_english(client):
    """The refusals are read in English here; in Arabic and French they are the catalogues' work."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def checking_csrf(user):
    """A client signed in as `user` (second factor given) whose writes go through the CSRF check, as a browser's
    or an API client's do: the API's session authentication reads the form on the way, where a malformed body
    used to fail."""
    client = Client(enforce_csrf_checks=True)
    client.cookies["csrftoken"] = CSRF_TOKEN
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    client.force_login(user, backend="raqmana.accounts.backends.EmailOrPhoneBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def assert_api_refusal(response, status, *words):
    assert response.status_code == status, response.content
    detail = response.json()["detail"]
    assert isinstance(detail, str) and all(word in detail for word in words), detail


def assert_page_refusal(response, *words):
    assert response.status_code == 400, response.content
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert all(word in page for word in words), page


# A multipart body without its boundary.


@pytest.mark.parametrize(
    "url",
    ["/api/documents/verify", "/api/civil-status/pre-declarations", "/api/documents/orders", "/api/civil-status/acts"],
)
def test_api_refuses_a_multipart_body_without_boundary(client, url):
    response = client.post(url, b"--x\r\n", content_type=NO_BOUNDARY)
    assert_api_refusal(response, 400, "boundary")


@pytest.mark.parametrize("url", ["/api/civil-status/acts/1/sign", "/api/documents/1/revoke", "/api/documents/"])
def test_the_refusal_comes_before_the_csrf_check_of_a_session(officer, url):
    response = checking_csrf(officer).post(
        url, b'{"reason": ""}', content_type=NO_BOUNDARY, HTTP_X_CSRFTOKEN=CSRF_TOKEN
    )
    assert_api_refusal(response, 400, "boundary")


def test_api_refuses_with_a_key_as_well(client, hospital_key):
    response = client.post(
        "/api/civil-status/pre-declarations",
        b"--x\r\n",
        content_type=NO_BOUNDARY,
        HTTP_AUTHORIZATION=f"Bearer {hospital_key}",
    )
    assert_api_refusal(response, 400, "boundary")


def test_a_form_sent_to_an_operation_taking_json_is_refused(client, hospital_key):
    response = client.post(
        "/api/civil-status/pre-declarations", {"kind": "birth"}, HTTP_AUTHORIZATION=f"Bearer {hospital_key}"
    )
    assert_api_refusal(response, 415, "JSON")


def test_a_body_that_is_not_json_is_refused_in_words(client, hospital_key):
    response = client.post(
        "/api/civil-status/pre-declarations",
        b"\xff{not json",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {hospital_key}",
    )
    assert_api_refusal(response, 400, "not valid JSON")


@pytest.mark.parametrize("url", ["/accounts/login/", "/accounts/signup/", "/documents/verify/"])
def test_pages_refuse_a_multipart_body_without_boundary(client, url):
    assert_page_refusal(client.post(url, b"--x\r\n", content_type=NO_BOUNDARY), "boundary")


def test_an_agents_form_refuses_it_too(agent):
    response = checking_csrf(agent).post("/civil-status/acts/new/birth/", b"--x\r\n", content_type=NO_BOUNDARY)
    assert_page_refusal(response, "boundary")


# NUL characters, which PostgreSQL cannot store in a text, refused alike on both databases.


@pytest.mark.parametrize(
    "url",
    [
        "/api/territories/offices?q=T%00mara",
        "/api/territories/04%00",
        "/api/territories/04.501/offices?x%00=1",
        "/api/documents/verify/ABC%00DEF",
    ],
)
def test_public_api_refuses_nul_in_the_address_or_the_query(client, url):
    assert_api_refusal(client.get(url), 400, NUL_MESSAGE)


def test_the_refusal_names_the_query_parameter(client):
    assert_api_refusal(client.get("/api/territories/offices", {"q": "T\x00mara"}), 400, "q:", NUL_MESSAGE)


def test_api_refuses_nul_in_a_json_string(client, hospital_key):
    payload = {"kind": "birth", "sex": "F", "event_date": str(date.today()), "first_name_ar": "سل\x00مى"}
    response = client.post(
        "/api/civil-status/pre-declarations",
        payload,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {hospital_key}",
    )
    assert_api_refusal(response, 400, "first_name_ar:", NUL_MESSAGE)


def test_api_refuses_half_a_surrogate_pair_in_a_json_string(client, hospital_key):
    body = b'{"kind": "birth", "sex": "F", "event_date": "2026-01-01", "place_detail": "\\ud800"}'
    response = client.post(
        "/api/civil-status/pre-declarations",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {hospital_key}",
    )
    assert_api_refusal(response, 400, "place_detail:")


@pytest.mark.parametrize(("depth", "said"), [(900, NUL_MESSAGE), (100_000, "not valid JSON")])
def test_a_deeply_nested_json_body_is_refused_not_crashed(client, hospital_key, depth, said):
    body = b"[" * depth + b'"\\u0000"' + b"]" * depth
    response = client.post(
        "/api/civil-status/pre-declarations",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {hospital_key}",
    )
    assert_api_refusal(response, 400, said)


def test_a_json_text_naming_the_escape_is_still_taken(client, hospital_key):
    """A backslash followed by "u0000" is six ordinary characters, not a NUL."""
    body = b'{"kind": "birth", "sex": "F", "event_date": "2026-01-01", "place_detail": "\\\\u0000"}'
    response = client.post(
        "/api/civil-status/pre-declarations",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {hospital_key}",
    )
    assert response.status_code != 400 or NUL_MESSAGE not in response.json()["detail"]


def test_api_refuses_nul_in_a_form_field(client, verified_client):
    citizen = UserFactory()
    response = verified_client(citizen).post(
        "/api/documents/orders", {"kind": "birth_extract", "act": "1\x00", "event_date": "2000-01-01"}
    )
    assert_api_refusal(response, 400, "act:", NUL_MESSAGE)


@pytest.mark.parametrize("url", ["/offices/?q=T%00mara", "/communes/suggest/?commune=%00", "/documents/verify/AB%00/"])
def test_pages_refuse_nul_in_the_address_or_the_query(client, url):
    assert_page_refusal(client.get(url), NUL_MESSAGE)


def test_sign_in_refuses_nul_in_a_form_field(client):
    user = UserFactory()
    response = client.post("/accounts/login/", {"username": f"{user.email}\x00", "password": PASSWORD})
    assert_page_refusal(response, NUL_MESSAGE)


def test_agent_search_refuses_nul(verified_client, agent):
    response = verified_client(agent).get("/civil-status/search/", {"name": "يوسف\x00", "reason": "inspection"})
    assert_page_refusal(response, "name:", NUL_MESSAGE)


def test_a_cookie_holding_nul_is_refused_and_forgotten(client):
    client.cookies["sessionid"] = "abcdefghij\x00klm"
    response = client.get("/")
    assert_page_refusal(response, NUL_MESSAGE)
    assert response.cookies["sessionid"].value == ""  # deleted: the next request goes through


# Whole numbers beyond what a column or a date holds.


def test_huge_birth_year_and_numbers_are_refused_with_their_bounds(verified_client, agent):
    client = verified_client(agent)
    huge = "9" * 30
    for parameter, bound in (("birth_year", "9999"), ("year", "9999"), ("number", "2147483647")):
        response = client.get("/api/civil-status/acts", {"reason": "inspection", "name": "يوسف", parameter: huge})
        assert_api_refusal(response, 422, f"{parameter}:", bound)
    response = client.get("/api/civil-status/acts", {"reason": "inspection", "birth_year": "1" + "0" * 5000})
    assert response.status_code == 422


@pytest.mark.parametrize(
    "url",
    [
        "/api/civil-status/acts/99999999999999999999999?reason=inspection",
        "/api/civil-status/acts/0?reason=inspection",
        "/api/documents/99999999999999999999999/pdf",
        "/api/documents/orders/99999999999999999999999",
    ],
)
def test_huge_ids_in_the_path_are_refused(verified_client, agent, url):
    assert verified_client(agent).get(url).status_code == 422


def test_huge_ids_in_a_body_are_refused(verified_client, agent, temara_office):
    response = verified_client(agent).post(
        "/api/civil-status/acts",
        {"office_code": temara_office.code, "kind": "birth", "pre_declaration_id": 10**30},
        content_type="application/json",
    )
    assert_api_refusal(response, 422, "pre_declaration_id:")


@pytest.mark.parametrize("url", ["/civil-status/acts/99999999999999999999999/", "/documents/99999999999999999999999/"])
def test_huge_ids_in_a_page_address_are_not_found(verified_client, agent, url):
    assert verified_client(agent).get(url, {"reason": "inspection"}).status_code in (403, 404)


def test_agent_search_page_takes_a_huge_number_as_a_form_error(verified_client, agent):
    response = verified_client(agent).get(
        "/civil-status/search/", {"number": "9" * 30, "birth_year": "9" * 30, "reason": "inspection"}
    )
    assert response.status_code == 200 and response.context["form"].errors.keys() >= {"number", "birth_year"}


# Malformed times.


@pytest.mark.parametrize("typed", ["25:99", "23:59:60", "12h30", "١٢:٣٠", "12:30+01:00", 1230])
def test_api_refuses_a_malformed_time(client, hospital_key, typed):
    payload = {"kind": "birth", "sex": "F", "event_date": str(date.today()), "event_time": typed}
    response = client.post(
        "/api/civil-status/pre-declarations",
        payload,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {hospital_key}",
    )
    assert_api_refusal(response, 422, "event_time:")


@pytest.mark.parametrize("typed", ["25:99", "23:59:60", "12h30"])
def test_act_form_shows_a_malformed_time_beside_the_field_and_keeps_the_rest(verified_client, agent, typed):
    response = verified_client(agent).post(
        "/civil-status/acts/new/birth/", {"birth_time": typed, "first_name_ar": "يوسف", "sex": "M"}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "birth_time" in form.errors and form["first_name_ar"].value() == "يوسف"


# The act form's pre-declaration, named in its address.


@pytest.mark.parametrize("pre", ["abc", "²", "9" * 30, "-1", "1\x00"])
def test_act_form_with_a_pre_declaration_number_that_names_none_is_not_found(verified_client, agent, pre):
    response = verified_client(agent).get("/civil-status/acts/new/birth/", {"pre": pre})
    assert response.status_code in (400, 404)


def test_act_form_still_starts_from_a_pre_declaration(verified_client, agent, temara_office, hospital_key):
    from raqmana.civil_status.models import Establishment

    pre_declaration = file_pre_declaration(
        Establishment.objects.get(),
        {"kind": ActKind.BIRTH, "sex": "F", "event_date": date.today(), "first_name_ar": "سلمى"},
    )
    response = verified_client(agent).get("/civil-status/acts/new/birth/", {"pre": str(pre_declaration.pk)})
    assert response.status_code == 200 and response.context["pre_declaration"] == pre_declaration
