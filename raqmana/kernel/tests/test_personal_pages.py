"""A signed-in person's page is rendered once per version of what it shows and served again from the process, with
their own form token each time: never another person's page, never a page from before a change of theirs, of the
reference data, of their language or of their second factor, never a message twice, and never past the moment its
content changes with the time alone."""

import time
from datetime import timedelta

import pytest
from django.contrib.messages import constants as message_levels
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import transaction
from django.http import Http404
from django.test import RequestFactory
from django.urls import path, reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from raqmana import urls as project_urls
from raqmana.access.roles import Role
from raqmana.access.services import grant_role
from raqmana.accounts.tests.factories import UserFactory
from raqmana.accounts.tests.test_sign_in import code_for
from raqmana.civil_status.constants import ActKind, EstablishmentKind, Sex
from raqmana.civil_status.models import Establishment
from raqmana.civil_status.services.pre_declarations import file_pre_declaration
from raqmana.civil_status_documents.constants import CivilStatusDocument
from raqmana.civil_status_documents.services import place_order
from raqmana.kernel import personal_cache, reference_data
from raqmana.kernel.personal_pages import personal_page
from raqmana.kernel.reference_data import FORM_TOKEN_PLACEHOLDER
from raqmana.kernel.tests.kept_pages import form_tokens, rendered_templates, signed_in, signed_in_with_password
from raqmana.payments.models import Payment
from raqmana.territories.models import CivilStatusOffice, Territory

pytestmark = pytest.mark.django_db


@personal_page()
def missing(request):
    raise Http404("Nothing here.")


urlpatterns = [path("kept-and-missing/", missing), *project_urls.urlpatterns]
handler400, handler403, handler404, handler500 = (
    project_urls.handler400,
    project_urls.handler403,
    project_urls.handler404,
    project_urls.handler500,
)

HOME = reverse("portal:home")
ORDERS = reverse("documents:orders")
CONFIRMING = "Payment being confirmed with the bank."


@pytest.fixture
def renders(monkeypatch):
    return rendered_templates(monkeypatch)


def form_token(page: str) -> str:
    return form_tokens(page)[0]


def test_a_page_is_rendered_once_and_served_again_with_the_persons_own_working_form_token(renders, committed):
    amina = UserFactory(full_name="Amina Tazi")
    client = signed_in(amina)
    committed()
    first = client.get(HOME).text
    again = client.get(HOME)
    assert renders == ["portal/home.html"]
    assert again.status_code == 200 and "Amina Tazi" in again.text and again.text != first  # a token of its own
    assert FORM_TOKEN_PLACEHOLDER not in again.text
    signed_out = client.post(reverse("accounts:logout"), {"csrfmiddlewaretoken": form_token(again.text)})
    assert signed_out.status_code == 302  # the token served with the kept page is taken
    assert client.get(HOME).text.count("Amina Tazi") == 0


def test_two_people_never_see_each_others_kept_page(renders, committed):
    amina, karim = UserFactory(full_name="Amina Tazi"), UserFactory(full_name="Karim Bennani")
    as_amina, as_karim = signed_in(amina), signed_in(karim)
    committed()
    for _ in range(2):
        assert "Karim" not in as_amina.get(HOME).text
        assert "Amina" not in as_karim.get(HOME).text
    assert len(renders) == 2


def test_a_change_of_the_person_shows_at_their_next_visit(renders, committed):
    amina = UserFactory(full_name="Amina Tazi")
    client = signed_in(amina, second_factor=True)
    committed()
    client.get(HOME)
    amina.full_name = "Amina El Idrissi"
    amina.save()
    committed()
    assert "Amina El Idrissi" in client.get(HOME).text
    office = CivilStatusOffice.objects.get(territory__code="04.501.01.07")
    grant_role(amina, Role.CIVIL_STATUS_AGENT, unit=office, by=None, reason="recruited")
    committed()
    assert "Your roles" in client.get(HOME).text
    assert len(renders) == 3


def test_nothing_is_kept_while_a_change_of_the_person_awaits_its_commit(renders, committed):
    amina = UserFactory(full_name="Amina Tazi")
    client = signed_in(amina)
    committed()
    with transaction.atomic():
        personal_cache.person_changed(amina.pk)
        client.get(HOME)
        client.get(HOME)
    assert len(renders) == 2
    committed()
    client.get(HOME)
    client.get(HOME)
    assert len(renders) == 3


def test_a_new_version_of_the_territories_renders_the_home_page_again(renders, committed):
    client = signed_in(UserFactory())
    committed()
    client.get(HOME)
    reference_data.changed("territories")
    committed()
    client.get(HOME)
    assert len(renders) == 2


def test_each_language_has_its_own_page(renders, committed):
    amina = UserFactory(full_name="Amina Tazi")
    arabic, french = signed_in(amina, "ar"), signed_in(amina, "fr")
    committed()
    for _ in range(2):
        assert 'lang="ar" dir="rtl"' in arabic.get(HOME).text
        assert 'lang="fr" dir="ltr"' in french.get(HOME).text
    assert len(renders) == 2


def message_cookie(text: str) -> str:
    storage = CookieStorage(RequestFactory().get("/"))
    return storage._encode([Message(message_levels.SUCCESS, text)])


def test_a_message_is_shown_once_and_never_kept(renders, committed):
    client = signed_in(UserFactory())
    committed()
    client.get(HOME)  # kept without a message
    client.cookies[CookieStorage.cookie_name] = message_cookie("Your order is placed.")
    assert "Your order is placed." in client.get(HOME).text
    assert "Your order is placed." not in client.get(HOME).text
    assert len(renders) == 2


def test_the_second_factor_given_shows_the_workspace_header(renders, committed):
    agent = UserFactory(email="agent@commune.ma", full_name="Nadia Agent")
    office = CivilStatusOffice.objects.get(territory__code="04.501.01.07")
    grant_role(agent, Role.CIVIL_STATUS_AGENT, unit=office, by=None, reason="recruited")
    device = TOTPDevice.objects.create(user=agent, name="phone", confirmed=True)
    client = signed_in_with_password("agent@commune.ma")
    committed()
    for _ in range(2):
        assert 'class="who"' not in client.get(HOME).text  # between the password and the code: nobody's name
    client.post(reverse("accounts:two_factor"), {"token": code_for(device)})
    committed()
    for _ in range(2):
        assert '<summary class="who">Nadia Agent</summary>' in client.get(HOME).text


def test_what_the_establishment_files_shows_at_once_on_a_members_home(renders, committed):
    maternity = Establishment.objects.create(
        kind=EstablishmentKind.HEALTH,
        name_ar="Temara",
        name_fr="Temara",
        commune=Territory.objects.get(code="04.501.01.07"),
    )
    clerk, colleague = UserFactory(), UserFactory()
    maternity.members.add(clerk, colleague)
    client = signed_in(clerk, second_factor=True)
    committed()
    assert "سلمى" not in client.get(HOME).text
    data = {"kind": ActKind.BIRTH, "sex": Sex.FEMALE, "first_name_ar": "سلمى", "event_date": timezone.localdate()}
    file_pre_declaration(maternity, data, by=colleague)
    committed()
    assert "سلمى" in client.get(HOME).text


def test_an_orders_page_is_kept_no_later_than_a_payment_starts_being_confirmed(renders, committed, birth_act, settings):
    citizen = UserFactory()
    order = place_order(
        citizen, birth_act, CivilStatusDocument.BIRTH_EXTRACT, relation="holder", mandate_reference="", purpose="Visa"
    )
    threshold = timedelta(minutes=settings.RAQMANA_PAYMENT_CONFIRMATION_MINUTES)
    Payment.objects.filter(pk=order.payment_id).update(created_at=timezone.now() - threshold + timedelta(seconds=1))
    client = signed_in(citizen)
    committed()
    assert CONFIRMING not in client.get(ORDERS).text
    assert CONFIRMING not in client.get(ORDERS).text
    assert renders.count("civil_status_documents/orders.html") == 1  # kept meanwhile
    time.sleep(1.2)
    assert CONFIRMING in client.get(ORDERS).text


@pytest.mark.urls(__name__)
def test_an_error_page_raised_while_rendering_to_keep_has_the_visitors_own_token(committed):
    client = signed_in(UserFactory())
    committed()
    page = client.get("/kept-and-missing/")
    assert page.status_code == 404 and FORM_TOKEN_PLACEHOLDER not in page.text
    assert client.post(reverse("accounts:logout"), {"csrfmiddlewaretoken": form_token(page.text)}).status_code == 302


def test_an_address_whose_query_the_page_does_not_read_is_rendered_each_time(renders, committed):
    client = signed_in(UserFactory())
    committed()
    for number in range(3):
        client.get(f"{ORDERS}?utm_source={number}")
        client.get(f"{HOME}?from=mail")
    assert len(renders) == 6
    client.get(f"{ORDERS}?page=1")
    client.get(f"{ORDERS}?page=1")
    assert len(renders) == 7
