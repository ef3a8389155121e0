"""Attacks on what is kept of a signed-in person between requests (kernel/personal_cache.py, accounts.selectors.
signed_in_account, access.checking, the citizen's first page of orders) and on the public API answers kept whole
(kernel/reference_data.conditional), the page reads without a count (kernel/paging.page_of) and the user object
taken out of its lazy wrappers (accounts.middleware.unwrapped).

pytest-django never commits a test's transaction, so nothing of a person changed in a test would be kept: each
test calls `committed()` after writing, so that what follows reads the cache as a server would."""

from unittest import mock

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils.functional import LazyObject
from django_otp.plugins.otp_totp.models import TOTPDevice

from raqmana.access.roles import Role
from raqmana.access.services import grant_role, revoke_role
from raqmana.accounts.models import Enterprise, EnterpriseRepresentative, User
from raqmana.accounts.selectors import signed_in_account
from raqmana.accounts.services.two_factor import issue_enrolment_code
from raqmana.civil_status.constants import EstablishmentKind
from raqmana.civil_status.models import Establishment
from raqmana.civil_status_documents.constants import CivilStatusDocument, RequesterRelation
from raqmana.civil_status_documents.models import DocumentOrder
from raqmana.civil_status_documents.selectors import orders_page
from raqmana.civil_status_documents.services import place_order
from raqmana.kernel import personal_cache
from raqmana.kernel.paging import page_of
from raqmana.kernel.tests import samples
from raqmana.payments.providers import Outcome
from raqmana.payments.services import settle

pytestmark = pytest.mark.django_db

PASSWORD = "a long password 1"


@pytest.fixture
def citizen():
    return User.objects.create_user(email="amina@example.ma", password=PASSWORD, full_name="Amina Alaoui")


@pytest.fixture
def other_citizen():
    return User.objects.create_user(email="karim@example.ma", password=PASSWORD, full_name="Karim Tazi")


def signed_in(user, committed, *, device=None) -> Client:
    """A browser signed in as `user` (with their authenticator checked when `device` is given), its person kept."""
    from django_otp import DEVICE_ID_SESSION_KEY

    client = Client()
    client.force_login(user, backend="raqmana.accounts.backends.EmailOrPhoneBackend")
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    committed()
    client.get("/")  # the person read once, and kept
    return client


def is_signed_in(client) -> bool:
    return client.get(reverse("documents:orders")).status_code == 200


# --- Accounts: a change of the account holds at the next request ------------------------------------------------


def test_a_password_reset_signs_out_every_other_session(citizen, committed):
    """The real reset (a code sent to the contact, then a new password): the sessions opened before are refused."""
    from raqmana.accounts.services.sign_up import confirm_contact_code, make_contact_code, start_password_reset

    browser = signed_in(citizen, committed)
    assert is_signed_in(browser)
    request = start_password_reset("amina@example.ma")
    code = make_contact_code(request)
    confirm_contact_code(request, code, new_password="another long password 2")
    committed()
    assert not is_signed_in(browser)


def test_manage_py_changepassword_signs_out_the_sessions(citizen, committed):
    browser = signed_in(citizen, committed)
    assert is_signed_in(browser)
    with mock.patch("getpass.getpass", return_value="another long password 2"):
        call_command("changepassword", "amina@example.ma", stdout=mock.MagicMock())
    committed()
    assert not is_signed_in(browser)


def test_a_deactivated_account_is_signed_out_at_its_next_request(citizen, committed):
    browser = signed_in(citizen, committed)
    assert is_signed_in(browser)
    citizen.is_active = False
    citizen.save()
    committed()
    assert not is_signed_in(browser)


def test_an_admin_edit_of_the_account_holds_at_the_next_request(citizen, committed):
    """The admin site's user form (superuser flag taken away): the kept account is read again."""
    admin = User.objects.create_superuser(email="root@example.ma", password=PASSWORD, full_name="Root")
    staff = User.objects.create_superuser(email="staff@example.ma", password=PASSWORD, full_name="Staff")
    device = TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    staff_browser = signed_in(staff, committed, device=device)
    assert staff_browser.get("/admin/").status_code == 200
    admin_browser = signed_in(admin, committed, device=TOTPDevice.objects.create(user=admin, name="p", confirmed=True))
    page = admin_browser.get(reverse("admin:accounts_user_change", args=[staff.pk]))
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data = {key: value for key, value in data.items() if key not in ("password", "is_superuser")}
    answer = admin_browser.post(reverse("admin:accounts_user_change", args=[staff.pk]), data)
    assert answer.status_code == 302, answer.context and answer.context["adminform"].form.errors
    committed()
    assert not User.objects.get(pk=staff.pk).is_superuser
    assert staff_browser.get("/admin/").status_code == 302


def test_a_deleted_account_is_signed_out_at_its_next_request(citizen, committed):
    browser = signed_in(citizen, committed)
    assert is_signed_in(browser)
    User.objects.filter(pk=citizen.pk).delete()
    committed()
    assert not is_signed_in(browser)


def test_a_session_of_another_person_with_the_same_number_in_a_string_reads_the_same_version(citizen, committed):
    """The session keeps the person's number as a string; the cache keys on the number Django gives back."""
    browser = signed_in(citizen, committed)
    assert browser.session[SESSION_KEY] == str(citizen.pk)
    assert personal_cache.read_version(citizen.pk) == personal_cache.read_version(str(citizen.pk))


def test_the_kept_account_holds_no_secret_and_still_checks_the_session(citizen, committed):
    issue_enrolment_code(citizen)
    committed()
    kept = signed_in_account(citizen.pk)
    assert "password" not in kept.__dict__ and "enrolment_code_hash" not in kept.__dict__
    assert kept.get_session_auth_hash() == User.objects.get(pk=citizen.pk).get_session_auth_hash()


def test_one_person_never_gets_anothers_kept_account(citizen, other_citizen, committed):
    amina, karim = signed_in(citizen, committed), signed_in(other_citizen, committed)
    assert "Amina Alaoui" in amina.get("/").text and "Karim Tazi" not in amina.get("/").text
    assert "Karim Tazi" in karim.get("/").text and "Amina Alaoui" not in karim.get("/").text


# --- Roles, organisations, enterprises -----------------------------------------------------------------------------


def test_a_role_revoked_from_the_admin_action_holds_at_the_next_request(citizen, temara_office, committed):
    admin = User.objects.create_superuser(email="root@example.ma", password=PASSWORD, full_name="Root")
    assignment = grant_role(citizen, Role.COMMUNE_PRESIDENT, territory=temara_office.territory, by=None, reason="x")
    device = TOTPDevice.objects.create(user=citizen, name="phone", confirmed=True)
    browser = signed_in(citizen, committed, device=device)
    assert browser.get(reverse("portal:workspace")).status_code == 200
    admin_browser = signed_in(admin, committed, device=TOTPDevice.objects.create(user=admin, name="p", confirmed=True))
    answer = admin_browser.post(
        reverse("admin:access_roleassignment_changelist"),
        {"action": "revoke", "_selected_action": [assignment.pk]},
    )
    assert answer.status_code == 302
    committed()
    assert browser.get(reverse("portal:workspace")).status_code == 403


def test_a_role_revoked_in_a_rolled_back_transaction_is_not_kept_as_revoked(citizen, temara_office, committed):
    """A read made while the revocation is pending is not kept: after the rollback the role holds again."""
    from django.db import transaction

    from raqmana.access.checking import has_permission

    assignment = grant_role(citizen, Role.COMMUNE_PRESIDENT, territory=temara_office.territory, by=None, reason="x")
    committed()
    with pytest.raises(RuntimeError), transaction.atomic():
        revoke_role(assignment, by=None, reason="oops")
        assert not has_permission(signed_in_account(citizen.pk), "portal.workspace.view")
        raise RuntimeError
    assert has_permission(signed_in_account(citizen.pk), "portal.workspace.view")


def test_a_member_added_to_an_establishment_in_the_admin_owes_the_second_factor_at_once(citizen, committed):
    """A citizen made an agent (an establishment's member) from the admin site is no citizen at their next request:
    the kept answer (is_agent, acts_for) is read again, and the second factor is asked."""
    from raqmana.territories.models import Territory

    browser = signed_in(citizen, committed)
    assert browser.get(reverse("documents:orders")).status_code == 200
    hospital = Establishment.objects.create(
        kind=EstablishmentKind.HEALTH,
        name_fr="Hôpital",
        name_ar="مستشفى",
        commune=Territory.objects.filter(level="commune").first(),
    )
    hospital.members.add(citizen)
    committed()
    answer = browser.get(reverse("documents:orders"))
    assert answer.status_code == 302 and reverse("accounts:two_factor") in answer["Location"]
    hospital.is_active = False
    hospital.save()
    committed()
    assert browser.get(reverse("documents:orders")).status_code == 200


def test_a_new_enrolment_code_ends_the_agents_second_factor(citizen, temara_office, committed):
    """Issuing an enrolment code removes the authenticators (a lost phone): a session verified with one owes the
    second factor again, the kept account notwithstanding."""
    grant_role(citizen, Role.COMMUNE_PRESIDENT, territory=temara_office.territory, by=None, reason="x")
    device = TOTPDevice.objects.create(user=citizen, name="phone", confirmed=True)
    browser = signed_in(citizen, committed, device=device)
    assert browser.get(reverse("portal:workspace")).status_code == 200
    issue_enrolment_code(citizen)
    committed()
    answer = browser.get(reverse("portal:workspace"))
    assert answer.status_code == 302 and reverse("accounts:two_factor") in answer["Location"]


def test_another_persons_authenticator_verifies_nobody(citizen, other_citizen, temara_office, committed):
    grant_role(citizen, Role.COMMUNE_PRESIDENT, territory=temara_office.territory, by=None, reason="x")
    someone_elses = TOTPDevice.objects.create(user=other_citizen, name="phone", confirmed=True)
    browser = signed_in(citizen, committed, device=someone_elses)
    answer = browser.get(reverse("portal:workspace"))
    assert answer.status_code == 302 and reverse("accounts:two_factor") in answer["Location"]


def test_a_revoked_representation_is_gone_from_the_home_at_the_next_request(citizen, committed):
    from raqmana.territories.models import Territory

    enterprise = Enterprise.objects.create(
        ice="001234567000089", legal_name="Atlas Négoce", commune=Territory.objects.filter(level="commune").first()
    )
    representation = EnterpriseRepresentative.objects.create(
        enterprise=enterprise, user=citizen, accepted_at="2025-01-01T00:00:00Z"
    )
    browser = signed_in(citizen, committed)
    assert "Atlas Négoce" in browser.get("/").text
    enterprise.legal_name = "Atlas Export"
    enterprise.save()
    committed()
    assert "Atlas Export" in browser.get("/").text
    representation.revoked_at = "2025-02-01T00:00:00Z"
    representation.save()
    committed()
    assert "Atlas Export" not in browser.get("/").text


# --- The request's user object -------------------------------------------------------------------------------------


def test_the_request_user_is_the_object_itself_and_the_second_factor_state_is_its_own(citizen, committed):
    from raqmana.accounts.middleware import AgentTwoFactorMiddleware

    seen = {}

    def view(request):
        seen["user"] = request.user
        return mock.MagicMock(status_code=200)

    browser = signed_in(citizen, committed)
    request = RequestFactory().get("/")
    request.session = browser.session
    from django.contrib.auth.middleware import AuthenticationMiddleware
    from django_otp.middleware import OTPMiddleware

    AuthenticationMiddleware(lambda r: None).process_request(request)
    chain = OTPMiddleware(AgentTwoFactorMiddleware(view))
    chain(request)
    assert not isinstance(seen["user"], LazyObject)
    assert seen["user"].pk == citizen.pk and seen["user"].otp_device is None and not seen["user"].is_verified()
    # A second request gets an object of its own: the second factor's state is not carried over.
    second = RequestFactory().get("/")
    second.session = browser.session
    AuthenticationMiddleware(lambda r: None).process_request(second)
    chain(second)
    assert seen["user"] is not request.user


def test_signing_out_and_in_again_in_the_same_request_leave_the_right_person(citizen, other_citizen, committed):
    """logout() then login() after the middleware put the user object itself on the request."""
    from django.contrib.auth import login, logout

    from raqmana.accounts.middleware import AgentTwoFactorMiddleware

    browser = signed_in(citizen, committed)
    request = RequestFactory().get("/")
    request.session = browser.session
    from django.contrib.auth.middleware import AuthenticationMiddleware
    from django_otp.middleware import OTPMiddleware

    AuthenticationMiddleware(lambda r: None).process_request(request)
    found = {}

    def view(request):
        assert request.user.pk == citizen.pk
        logout(request)
        found["after_logout"] = request.user.is_authenticated
        login(request, other_citizen, backend="raqmana.accounts.backends.EmailOrPhoneBackend")
        found["after_login"] = request.user.pk
        return mock.MagicMock(status_code=200)

    OTPMiddleware(AgentTwoFactorMiddleware(view))(request)
    assert found == {"after_logout": False, "after_login": other_citizen.pk}
    assert request.session[SESSION_KEY] == str(other_citizen.pk)


# --- The citizen's first page of orders ------------------------------------------------------------------------------


def order_of(citizen, act):
    return place_order(
        citizen, act, CivilStatusDocument.BIRTH_FULL_COPY, relation=RequesterRelation.HOLDER, mandate_reference="",
        purpose="Visa", proof=SimpleUploadedFile("p.pdf", samples.pdf()),
    )  # fmt: skip


def test_the_first_page_of_orders_follows_a_payment_and_holds_no_one_elses(
    citizen, other_citizen, birth_act, committed
):
    citizen.email_verified_at = other_citizen.email_verified_at = "2025-01-01T00:00:00Z"
    citizen.save()
    other_citizen.save()
    mine = order_of(citizen, birth_act)
    theirs = order_of(other_citizen, birth_act)
    browser = signed_in(citizen, committed)
    page = browser.get(reverse("documents:orders"))
    assert [order.pk for order in page.context["orders"]] == [mine.pk]
    assert "Payment received" not in page.text
    settle(Outcome(mine.payment.reference, True, mine.payment.amount, "MAD", "GW-1"))
    committed()
    page = browser.get(reverse("documents:orders"))
    kept = page.context["orders"][0]
    assert kept.state == DocumentOrder.objects.get(pk=mine.pk).state
    assert kept.payment.state == DocumentOrder.objects.get(pk=mine.pk).payment.state
    assert theirs.pk not in [order.pk for order in orders_page(citizen, "1", 10)]


# --- Pages read without a count --------------------------------------------------------------------------------------


@pytest.mark.parametrize("number", ["0", "-1", "abc", "99999999999999999999", "1.0", "1e3", " 1", "01", None, "", 1])
def test_page_of_takes_any_value_a_query_string_gives(number):
    rows = User.objects.order_by("pk")
    for index in range(5):
        User.objects.create_user(email=f"p{index}@example.ma", password=None, full_name=f"P {index}")
    page = page_of(lambda: rows, 2, number)
    assert 1 <= page.number <= 3 and len(page.object_list) <= 2


def test_page_of_with_a_kept_first_page_longer_than_a_page_counts_the_rows():
    rows = User.objects.order_by("pk")
    for index in range(5):
        User.objects.create_user(email=f"p{index}@example.ma", password=None, full_name=f"P {index}")
    page = page_of(lambda: rows, 2, "1", first=lambda: list(rows[:3]))
    assert page.paginator.count == 5 and page.has_next()


# --- Public API answers kept whole ----------------------------------------------------------------------------------


def test_a_kept_api_answer_is_served_for_its_own_address_only(client):
    regions = client.get("/api/territories/regions").json()
    first = client.get(f"/api/territories/{regions[0]['code']}").json()
    second = client.get(f"/api/territories/{regions[1]['code']}").json()
    assert first["code"] == regions[0]["code"] and second["code"] == regions[1]["code"]
    rabat = client.get("/api/territories/offices?q=rabat").json()
    temara = client.get("/api/territories/offices?q=temara").json()
    assert rabat != temara


def test_a_kept_api_answer_is_the_same_in_every_language_and_for_anyone(client, citizen, committed):
    anonymous = client.get("/api/territories/regions")
    browser = signed_in(citizen, committed)
    browser.cookies["django_language"] = "fr"
    assert browser.get("/api/territories/regions").content == anonymous.content
    assert "Cookie" not in anonymous.get("Vary", "") or anonymous.has_header("Content-Language")


def test_an_api_answer_for_a_missing_territory_is_not_kept_for_the_next_one(client):
    assert client.get("/api/territories/99.999").status_code == 404
    assert client.get("/api/territories/99.999").status_code == 404


# --- Writes that would go round the receivers ----------------------------------------------------------------------


def test_no_queryset_write_to_a_kept_model_goes_round_the_receivers():
    """`.update()`, `bulk_update`, `bulk_create` and queryset deletes send no signal: none is made on the models what
    is kept of a person is read from (the source, outside tests and migrations)."""
    import pathlib
    import re

    kept = ("User", "RoleAssignment", "Establishment", "EnterpriseRepresentative", "Enterprise", "DocumentOrder")
    pattern = re.compile(rf"\b({'|'.join(kept)})\.objects\b[^\n]*\.(update|bulk_update|bulk_create|delete)\(")
    root = pathlib.Path(__file__).resolve().parents[2] / "raqmana"
    found = [
        f"{path}:{number}"
        for path in root.rglob("*.py")
        if "tests" not in path.parts and "migrations" not in path.parts
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert found == []


def test_a_deleted_establishment_loses_its_members_at_their_next_request(citizen, committed):
    from raqmana.access.checking import acts_for
    from raqmana.civil_status.permissions import ESTABLISHMENT_MEMBERS
    from raqmana.territories.models import Territory

    hospital = Establishment.objects.create(
        kind=EstablishmentKind.HEALTH, name_fr="Hôpital", name_ar="مستشفى",
        commune=Territory.objects.filter(level="commune").first(),
    )  # fmt: skip
    hospital.members.add(citizen)
    committed()
    assert acts_for(signed_in_account(citizen.pk), ESTABLISHMENT_MEMBERS)
    hospital.delete()
    committed()
    assert not acts_for(signed_in_account(citizen.pk), ESTABLISHMENT_MEMBERS)


def test_a_per_visitor_page_is_not_confirmed_unchanged_after_the_person_changed(citizen, committed):
    browser = signed_in(citizen, committed)
    url = reverse("portal:office_finder") + "?q=rabat"
    first = browser.get(url)
    assert "Amina Alaoui" in first.text
    citizen.full_name = "Amina Tazi"
    citizen.save()
    committed()
    again = browser.get(url, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 200 and "Amina Tazi" in again.text
