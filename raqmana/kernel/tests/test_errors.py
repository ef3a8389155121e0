"""An unexpected error shows a person a translated sentence and a reference to quote, never its own text; the log
has the details under that reference."""

import logging
import re

import pytest
from django.db import OperationalError
from django.test import RequestFactory
from django.urls import reverse

from raqmana.civil_status.constants import ActKind
from raqmana.civil_status.services.acts import draft_act
from raqmana.kernel import errors
from raqmana.kernel.codes import CODE_ALPHABET

REFERENCE = re.compile(r"ERR-[A-Z2-9]{4}-[A-Z2-9]{4}")
# What a citizen's order history once showed.
RAW = "canceling statement due to lock timeout\nLINE 1: INSERT INTO documents_issueddocument"


def logged(caplog):
    """The one record kernel.errors wrote, and its reference."""
    (record,) = [record for record in caplog.records if record.name == "raqmana.errors"]
    return record, record.reference


@pytest.fixture
def failing_signature(monkeypatch):
    """Signing fails as the database once did, whatever the act."""

    def sign_act(act, *, by):
        raise OperationalError(RAW)

    monkeypatch.setattr("raqmana.civil_status.services.acts.sign_act", sign_act)


@pytest.fixture
def draft(temara_office, agent, birth_data):
    return draft_act(temara_office, ActKind.BIRTH, birth_data, by=agent)


def test_a_reference_is_short_readable_and_new_each_time():
    references = {errors.new_reference() for _ in range(1000)}
    assert len(references) == 1000
    for reference in references:
        assert REFERENCE.fullmatch(reference) and set(reference[4:].replace("-", "")) <= set(CODE_ALPHABET)


@pytest.mark.django_db
def test_a_page_shows_the_sentence_in_arabic_and_the_log_has_the_details(
    verified_client, officer, draft, failing_signature, caplog
):
    client = verified_client(officer)
    client.raise_request_exception = False
    with caplog.at_level(logging.ERROR, logger="raqmana.errors"):
        page = client.post(reverse("civil_status:act_sign", args=[draft.pk]))
    record, reference = logged(caplog)
    assert page.status_code == 500 and page["Content-Type"].startswith("text/html")
    assert '<html lang="ar" dir="rtl">' in page.text and reference in page.text
    assert "lock timeout" not in page.text and "INSERT" not in page.text
    assert record.exc_info[1].args == (RAW,)  # the traceback, under the reference
    message = record.getMessage()
    assert reference in message and f"/civil-status/acts/{draft.pk}/sign/" in message
    assert f"(user {officer.pk})" in message and record.user_id == officer.pk
    # Django's own log of the 500 would repeat the traceback without the reference.
    assert not [record for record in caplog.records if record.name == "django.request"]


@pytest.mark.django_db
def test_the_page_is_in_the_language_the_person_chose(verified_client, officer, draft, failing_signature):
    client = verified_client(officer)
    client.raise_request_exception = False
    client.cookies["django_language"] = "en"
    page = client.post(reverse("civil_status:act_sign", args=[draft.pk]))
    assert page.status_code == 500 and '<html lang="en" dir="ltr">' in page.text
    assert "Something went wrong on our side" in page.text and REFERENCE.search(page.text)


@pytest.mark.django_db
def test_the_api_answers_json_with_the_reference(verified_client, officer, draft, failing_signature, caplog):
    with caplog.at_level(logging.ERROR, logger="raqmana.errors"):
        answer = verified_client(officer).post(f"/api/civil-status/acts/{draft.pk}/sign")
    _record, reference = logged(caplog)
    assert answer.status_code == 500 and set(answer.json()) == {"detail", "reference"}
    assert answer.json()["reference"] == reference and reference in answer.json()["detail"]
    assert "lock timeout" not in answer.text and "INSERT" not in answer.text


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "content_type"), [("/", "text/html"), ("/api/territories/", "application/json")])
def test_an_error_in_a_middleware_is_answered_the_same_way(client, monkeypatch, caplog, path, content_type):
    def check_request(request):
        raise RuntimeError(RAW)

    monkeypatch.setattr("raqmana.kernel.bad_input.check_request", check_request)
    client.raise_request_exception = False
    with caplog.at_level(logging.ERROR, logger="raqmana.errors"):
        answer = client.get(path)
    _record, reference = logged(caplog)
    assert answer.status_code == 500 and answer["Content-Type"].startswith(content_type)
    assert reference in answer.text and "lock timeout" not in answer.text


def test_the_error_page_reads_nothing_from_the_database():
    # Without the django_db mark any query raises: the page would then be the plain one, not the template.
    page = errors.server_error(RequestFactory().get("/civil-status/"))
    text = page.content.decode()
    assert page.status_code == 500 and 'class="panel warning"' in text and REFERENCE.search(text)


def test_the_error_page_answers_even_when_its_template_fails(monkeypatch):
    def render_to_string(*args, **kwargs):
        raise ValueError("Missing staticfiles manifest entry for 'portal/raqmana.css'")

    monkeypatch.setattr(errors, "render_to_string", render_to_string)
    page = errors.server_error(RequestFactory().get("/"))
    text = page.content.decode()
    assert page.status_code == 500 and 'dir="rtl"' in text and REFERENCE.search(text) and "manifest" not in text


def test_a_user_not_yet_read_is_not_read_for_the_log():
    """Reading the user could need the database, which may be what failed."""
    from django.utils.functional import SimpleLazyObject

    request = RequestFactory().get("/")
    request.user = SimpleLazyObject(lambda: pytest.fail("the user was read"))
    assert errors._user_id(request) is None


@pytest.mark.django_db
def test_the_schema_documents_the_unexpected_error(client):
    responses = client.get("/api/openapi.json").json()["paths"]["/api/civil-status/acts"]["post"]["responses"]
    assert responses["500"]["content"]["application/json"]["schema"]["$ref"].endswith("/UnexpectedError")
