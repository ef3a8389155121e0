"""Acceptance probes of the API: bad input of every shape on each endpoint. The one exception handler must never
turn an error into a 500, and says why in the person's language (Accept-Language, or the language cookie)."""

import json

import pytest

pytestmark = pytest.mark.django_db

NASTY_IDS = ["0", "-1", "99999999999999999999999", "1e3", "abc", "%00", "1%20OR%201=1", "١٢", "1.5", "+1"]
NASTY_STRINGS = ["", " ", "\x00", "a" * 20000, "‮evil", "<script>", "'; DROP TABLE x;--", "\ud800", "٠٠٠", None, 5]
NASTY_BODIES = [
    "",
    "not json",
    "[]",
    "null",
    "5",
    '"string"',
    "{",
    '{"a":' * 2000 + "1" + "}" * 2000,
    json.dumps({"x": 1}),
    '{"kind": {"$gt": ""}}',
    "\xff\xfe",
]


def no_500(response, what):
    assert response.status_code < 500, f"{what} -> {response.status_code}: {response.content[:300]!r}"
    if response.status_code >= 400 and response["Content-Type"].startswith("application/json"):
        body = response.json()
        assert isinstance(body.get("detail"), (str, list)), (what, body)


@pytest.fixture
def agent_client(verified_client, agent):
    return verified_client(agent)


def test_ids_in_paths(agent_client, birth_act):
    for bad in NASTY_IDS:
        for url in (
            f"/api/civil-status/acts/{bad}?reason=x",
            f"/api/civil-status/acts/{bad}/sign",
            f"/api/documents/{bad}/pdf",
            f"/api/documents/{bad}/revoke",
            f"/api/documents/orders/{bad}",
            f"/api/documents/verify/{bad}",
            f"/api/territories/{bad}",
            f"/api/territories/{bad}/offices",
        ):
            method = agent_client.post if url.endswith(("sign", "revoke")) else agent_client.get
            no_500(method(url, content_type="application/json"), url)


def test_query_strings(agent_client, birth_act):
    params = ["page", "per_page", "name", "birth_year", "birth_date", "birth_place", "idcs", "reason", "sex", "kind"]
    for param in params:
        for bad in [*NASTY_STRINGS, "-1", "0", "9" * 30, "2026-02-30", "1e309"]:
            if bad is None or not isinstance(bad, str):
                continue
            query = {"reason": "Checking", "name": "Youssef", param: bad}
            try:
                response = agent_client.get("/api/civil-status/acts", query)
            except UnicodeEncodeError:
                continue
            no_500(response, f"/api/civil-status/acts?{param}={bad[:20]!r}")


@pytest.mark.parametrize(
    "url",
    ["/api/civil-status/acts", "/api/documents/", "/api/documents/1/revoke", "/api/civil-status/pre-declarations"],
)
def test_bodies(agent_client, birth_act, url):
    for body in NASTY_BODIES:
        no_500(agent_client.post(url, body, content_type="application/json"), f"{url} {body[:20]!r}")
        no_500(agent_client.post(url, body, content_type="text/plain"), f"{url} text {body[:20]!r}")


def test_fields_of_every_type(agent_client, birth_act, temara_office):
    base = {
        "office_code": temara_office.code if hasattr(temara_office, "code") else "x",
        "act": birth_act.idcs,
        "kind": "birth_extract",
        "requester_name": "Youssef",
        "requester_document": "AB123456",
        "requester_relation": "holder",
        "purpose": "Visa",
    }
    for field in [*list(base), "birth_date", "first_name", "mandate_reference", "unknown"]:
        for bad in [*NASTY_STRINGS, [], {}, True, 1.5, -(2**70)]:
            payload = {**base, field: bad}
            try:
                body = json.dumps(payload)
            except (TypeError, UnicodeEncodeError):
                continue
            no_500(agent_client.post("/api/documents/", body, content_type="application/json"), f"{field}={bad!r:.30}")
    for field in ["kind", "sex", "birth_date", "first_name_ar", "declared_on", "birth_place", "birth_time", "x"]:
        for bad in [*NASTY_STRINGS, [], {}, True, 1.5, "25:61", "2026-13-01", "1300-01-01"]:
            try:
                body = json.dumps({field: bad})
            except (TypeError, UnicodeEncodeError):
                continue
            no_500(agent_client.post("/api/civil-status/acts", body, content_type="application/json"), field)


def test_order_form(client, birth_act):
    from raqmana.accounts.tests.factories import UserFactory

    client.force_login(UserFactory())
    for bad in NASTY_STRINGS:
        if not isinstance(bad, str):
            continue
        for field in ["kind", "act", "event_date", "first_name", "requester_relation", "purpose"]:
            form = {
                "kind": "birth_extract",
                "act": birth_act.idcs,
                "event_date": str(birth_act.birth_date),
                "first_name": "Youssef",
                "requester_relation": "holder",
                "purpose": "Visa",
                field: bad,
            }
            try:
                response = client.post("/api/documents/orders", form)
            except (UnicodeEncodeError, ValueError):
                continue
            no_500(response, f"order {field}={bad[:20]!r}")


def test_refusals_follow_the_language_cookie(agent_client, birth_act):
    said = {}
    for language in ("en", "fr", "ar"):
        agent_client.cookies["django_language"] = language
        missing = agent_client.get(f"/api/civil-status/acts/{birth_act.pk}")
        bad_json = agent_client.post("/api/civil-status/acts", "{", content_type="application/json")
        assert missing.status_code == 422 and bad_json.status_code in (400, 422)
        said[language] = (missing.json()["detail"], bad_json.json()["detail"])
    assert len({said[language][0] for language in said}) == 3, said
    assert len({said[language][1] for language in said}) == 3, said


def test_accept_language_is_ignored_by_design(agent_client, birth_act):
    """By design (kernel/middleware.py ArabicFirstLanguageMiddleware) only the cookie chooses the language: an API
    client sending Accept-Language: fr is answered in Arabic. Reported against the brief's expectation; fine for
    pages, awkward for API clients (a cookie to set by hand)."""
    french = agent_client.get(f"/api/civil-status/acts/{birth_act.pk}", HTTP_ACCEPT_LANGUAGE="fr")
    agent_client.cookies["django_language"] = "ar"
    arabic = agent_client.get(f"/api/civil-status/acts/{birth_act.pk}")
    assert french.json() == arabic.json()


def test_anonymous_calls_are_refused_plainly(client):
    for url in ("/api/civil-status/acts", "/api/documents/orders", "/api/accounts/me", "/api/documents/1/pdf"):
        response = client.get(url)
        no_500(response, url)
        assert response.status_code in (401, 403), (url, response.status_code)
