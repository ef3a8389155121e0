"""What keeps pages at the framework's speed, proved without timing: queries counted, headers, the cache of the
reference data dropped when the data changes, the office finder's index (EXPLAIN on PostgreSQL)."""

import re
from unittest.mock import patch

import pytest
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from raqmana.access.roles import Role
from raqmana.access.services import grant_role, revoke_role
from raqmana.accounts.models import User
from raqmana.kernel import reference_data
from raqmana.kernel.reference_data import FORM_TOKEN_PLACEHOLDER
from raqmana.territories.models import AdministrativeUnit, CivilStatusOffice, Territory
from raqmana.territories.selectors import directory_counts, find_offices

pytestmark = pytest.mark.django_db


@pytest.fixture
def citizen():
    return User.objects.create_user(email="amina@example.ma", password="a long password 1", full_name="Amina Alaoui")


def test_an_anonymous_home_page_reads_nothing_once_the_counts_are_cached(client, django_assert_num_queries):
    client.get("/")
    with django_assert_num_queries(0):
        assert client.get("/").status_code == 200


def test_a_citizens_pages_read_nothing_from_the_database_once_the_person_is_known(
    client, citizen, committed, django_assert_num_queries
):
    """The account, the roles, the establishments and enterprises, the first page of orders: kept between requests
    (kernel/personal_cache.py); the session comes from the cache."""
    client.force_login(citizen)
    committed()
    for page in ("/", reverse("documents:orders")):
        client.get(page)
        with django_assert_num_queries(0):
            assert client.get(page).status_code == 200


def test_a_saved_account_is_read_again_at_the_next_request(client, citizen, committed):
    client.force_login(citizen)
    committed()
    client.get("/")
    citizen.full_name = "Amina Tazi"
    citizen.save()
    committed()
    with CaptureQueriesContext(connection) as queries:
        assert "Amina Tazi" in client.get("/").text
    # Everything kept of the person is read again, once: the account, the roles, the establishments, the enterprises.
    read = [query["sql"].split(" FROM ")[1].split()[0] for query in queries]
    assert sorted(read) == sorted(
        [
            '"accounts_user"',
            '"access_roleassignment"',
            '"civil_status_establishment"',
            '"accounts_enterpriserepresentative"',
        ]
    )


def test_a_role_revoked_holds_at_the_next_request(verified_client, citizen, temara_office):
    commune = temara_office.territory
    client = verified_client(citizen)
    assignment = grant_role(citizen, Role.COMMUNE_PRESIDENT, territory=commune, by=None, reason="elected")
    assert client.get(reverse("portal:workspace")).status_code == 200
    revoke_role(assignment, by=None, reason="term ended")
    assert client.get(reverse("portal:workspace")).status_code == 403


def test_a_signed_out_session_is_refused_from_the_cache_too(client, citizen):
    client.force_login(citizen)
    session_key = client.cookies["sessionid"].value
    client.post(reverse("accounts:logout"))
    client.cookies["sessionid"] = session_key  # the old cookie, replayed
    with translation.override("en"):
        assert client.get(reverse("portal:workspace")).status_code == 302


def test_the_territories_api_is_tagged_and_answers_not_modified(client):
    first = client.get("/api/territories/regions")
    assert first.status_code == 200 and "public" in first["Cache-Control"] and "max-age=3600" in first["Cache-Control"]
    again = client.get("/api/territories/regions", headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304 and again["ETag"] == first["ETag"]


def test_a_change_of_the_territories_changes_the_tag_and_the_cached_answers(client):
    first = client.get("/api/territories/regions")
    region = Territory.objects.filter(level="region").first()
    region.name_fr = "Région renommée"
    region.save()
    again = client.get("/api/territories/regions", headers={"if-none-match": first["ETag"]})
    assert again.status_code == 200 and again["ETag"] != first["ETag"]
    assert "Région renommée" in {region["name_fr"] for region in again.json()}


def test_an_unknown_territory_is_not_tagged(client):
    answer = client.get("/api/territories/NOPE")
    assert answer.status_code == 404 and "ETag" not in answer


def test_the_office_finder_page_is_tagged_per_visitor(client):
    url = reverse("portal:office_finder") + "?q=Témara"
    client.get(url)  # the visitor's first page gives them their form token (CSRF cookie), part of what is tagged
    first = client.get(url)
    assert first.status_code == 200 and "private" in first["Cache-Control"]
    assert client.get(url, headers={"if-none-match": first["ETag"]}).status_code == 304
    client.cookies["django_language"] = "fr"
    assert client.get(url, headers={"if-none-match": first["ETag"]}).status_code == 200


def test_the_office_finder_finds_by_any_name_in_any_case(temara_office):
    assert temara_office in find_offices("  TÉMARA ")
    assert temara_office in find_offices(temara_office.territory.name_ar)
    assert find_offices("t") == []


def test_an_office_renamed_is_found_by_its_new_name_at_once():
    office = CivilStatusOffice.objects.filter(is_active=True).first()
    assert find_offices("Zzyzx") == []
    office.name_fr = "Bureau Zzyzx"
    office.save()
    assert office in find_offices("zzyzx")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_trgm is PostgreSQL's")
def test_the_office_finder_uses_its_trigram_index():
    # The search alone: on a table of 1,544 offices, all of one kind, the planner may prefer the kind's own index.
    query = AdministrativeUnit.objects.filter(search_key__contains="témara").order_by()
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")  # a small table: the planner may scan it, but the index serves
        try:
            plan = query.explain()
        finally:
            cursor.execute("RESET enable_seqscan")
    assert "territories_unit_search_key_trgm" in plan


def form_token(page: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def test_an_anonymous_page_is_rendered_once_and_each_visitor_gets_a_form_token_of_their_own():
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    rendered = first.get("/")
    served_again = second.get("/")
    assert rendered.templates and not served_again.templates  # the second page came whole from the cache
    assert FORM_TOKEN_PLACEHOLDER not in served_again.text
    assert first.cookies["csrftoken"].value != second.cookies["csrftoken"].value
    assert form_token(rendered.text) != form_token(served_again.text)
    assert f'"X-CSRFToken": "{form_token(served_again.text)}"' in served_again.text
    switch = reverse("accounts:set_language")
    # Each visitor's token goes with their own cookie, and with nobody else's.
    assert second.post(switch, {"language": "fr", "csrfmiddlewaretoken": form_token(rendered.text)}).status_code == 403
    assert (
        second.post(switch, {"language": "fr", "csrfmiddlewaretoken": form_token(served_again.text)}).status_code == 302
    )
    assert second.get("/").text.count('lang="fr"') >= 1 and 'dir="ltr"' in second.get("/").text


def test_a_kept_anonymous_page_is_kept_per_language_and_address(client):
    client.get(reverse("portal:office_finder") + "?q=rabat")
    client.cookies["django_language"] = "fr"
    french = client.get(reverse("portal:office_finder") + "?q=rabat")
    assert french.templates and '<html lang="fr"' in french.text
    other_query = client.get(reverse("portal:office_finder") + "?q=temara")
    assert other_query.templates and 'value="temara"' in other_query.text


def test_a_signed_in_visitor_never_gets_the_anonymous_page(client, citizen):
    client.get("/")
    client.force_login(citizen)
    page = client.get("/")
    assert page.templates and "Amina Alaoui" in page.text


def test_a_change_of_the_territories_renders_the_anonymous_page_again(client):
    client.get("/")
    office = CivilStatusOffice.objects.filter(is_active=True).first()
    office.is_active = False
    office.save()
    again = client.get("/")
    assert again.templates and again.context["office_count"] == CivilStatusOffice.objects.filter(is_active=True).count()


def test_reference_data_once_worked_out_is_read_in_the_process():
    find_offices("rabat"), directory_counts()
    calls = []
    shared_get = cache.get

    def noted(*args, **kwargs):
        calls.append(args[0])
        return shared_get(*args, **kwargs)

    with patch.object(cache, "get", side_effect=noted):
        assert find_offices("rabat") and directory_counts()
        assert calls == []  # the version read last is used again for a moment
        with patch.object(reference_data, "VERSION_REUSE_SECONDS", 0):
            assert find_offices("rabat") and directory_counts()
    assert calls == ["reference:territories:version"] * 2


def test_a_version_drawn_in_another_process_holds_here_once_the_last_one_read_is_old(client):
    first = client.get("/api/territories/regions")
    cache.set("reference:territories:version", "drawnelsewhere", timeout=None)  # load_territories, say
    assert client.get("/api/territories/regions")["ETag"] == first["ETag"]
    with patch.object(reference_data, "VERSION_REUSE_SECONDS", 0):
        assert "drawnelsewhere" in client.get("/api/territories/regions")["ETag"]


def test_a_member_taken_off_an_establishment_loses_its_pages_at_the_next_request(verified_client, citizen, committed):
    """Whether a person files pre-declarations is kept between their requests: a change of the establishment's
    members (here the admin site's way, through the relation) holds at once, as does the establishment's closing."""
    from raqmana.civil_status.constants import EstablishmentKind
    from raqmana.civil_status.models import Establishment

    hospital = Establishment.objects.create(
        kind=EstablishmentKind.HEALTH,
        name_ar="مستشفى",
        name_fr="Hôpital",
        commune=Territory.objects.get(code="04.501.01.07"),
    )
    hospital.members.add(citizen)
    client = verified_client(citizen)
    committed()
    form = reverse("civil_status:pre_declaration_new")
    assert client.get(form).status_code == 200
    assert client.get(form).status_code == 200
    hospital.is_active = False
    hospital.save()
    committed()
    assert client.get(form).status_code == 403
    hospital.is_active = True
    hospital.save()
    committed()
    assert client.get(form).status_code == 200
    citizen.establishments.remove(hospital)
    committed()
    assert client.get(form).status_code == 403


def test_a_public_api_answer_is_kept_whole_until_the_territories_change(client):
    """Not even validated against its schema again: the view is not called while the version stands."""
    first = client.get("/api/territories/regions")
    with patch("raqmana.territories.api.cached", side_effect=AssertionError("the view ran again")):
        again = client.get("/api/territories/regions")
    assert again.status_code == 200 and again.content == first.content
    assert again["Content-Type"] == first["Content-Type"] and again["ETag"] == first["ETag"]
    region = Territory.objects.filter(level="region").first()
    region.name_ar = "جهة جديدة"
    region.save()
    assert "جهة جديدة" in {region["name_ar"] for region in client.get("/api/territories/regions").json()}


def test_an_api_error_is_not_kept(client):
    assert client.get("/api/territories/NOPE").status_code == 404
    assert client.get("/api/territories/NOPE").status_code == 404


def csrf_value(page):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def test_an_anonymous_page_is_served_again_before_the_session_and_user_middleware(client):
    first = client.get("/")
    with patch(
        "django.contrib.auth.middleware.AuthenticationMiddleware.process_request",
        side_effect=AssertionError("the chain below ran"),
    ):
        again = client.get("/")
    assert again.status_code == 200
    for header in ("Content-Security-Policy", "X-Frame-Options", "Content-Language", "Vary", "Content-Type"):
        assert again[header] == first[header]
    assert again.text.replace(csrf_value(again.text), "") == first.text.replace(csrf_value(first.text), "")
    assert FORM_TOKEN_PLACEHOLDER not in again.text


def test_each_anonymous_visitor_gets_a_form_token_of_their_own_that_works():
    Client().get("/")  # kept by a first visitor
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get("/")
    secret = page.cookies["csrftoken"].value
    again = visitor.get("/")
    assert csrf_value(again.text) != csrf_value(page.text)
    assert again.cookies["csrftoken"].value == secret  # the visitor's own secret, renewed, never another's
    switched = visitor.post(
        reverse("accounts:set_language"), {"language": "fr", "next": "/", "csrfmiddlewaretoken": csrf_value(again.text)}
    )
    assert switched.status_code == 302
    other = Client().get("/")
    assert other.cookies["csrftoken"].value != secret


def test_a_signed_in_visitor_or_a_message_waiting_never_gets_the_kept_page(client, citizen):
    Client().get("/")
    client.force_login(citizen)
    assert "Amina Alaoui" in client.get("/").text
    visitor = Client()
    visitor.cookies["messages"] = "anything"
    original = AuthenticationMiddleware.process_request
    with patch.object(AuthenticationMiddleware, "process_request", autospec=True, side_effect=original) as read_user:
        visitor.get("/")
    assert read_user.called


def test_a_kept_page_is_per_language_and_read_again_after_a_change_of_the_territories():
    before = Client().get("/").text
    french = Client()
    french.cookies["django_language"] = "fr"
    assert 'lang="fr"' in french.get("/").text and 'lang="fr"' in french.get("/").text
    counts = directory_counts()
    office = CivilStatusOffice.objects.filter(is_active=True).first()
    office.is_active = False
    office.save()
    assert directory_counts()["office_count"] == counts["office_count"] - 1
    after = Client().get("/").text
    assert after.replace(csrf_value(after), "") != before.replace(csrf_value(before), "")


def test_the_office_finder_is_served_again_with_the_visitors_own_tag(client):
    url = reverse("portal:office_finder") + "?q=Témara"
    client.get(url)
    first = client.get(url)
    with patch.object(AuthenticationMiddleware, "process_request", side_effect=AssertionError("the chain below ran")):
        again = client.get(url)
    assert again.status_code == 200 and again["ETag"] == first["ETag"] and "private" in again["Cache-Control"]
    other = Client()
    other.get(url)
    assert other.get(url)["ETag"] != first["ETag"]  # another visitor's form-token cookie: another tag
