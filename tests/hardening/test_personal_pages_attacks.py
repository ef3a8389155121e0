"""Attacks on the signed-in person's pages kept whole in the process (kernel/personal_pages.py): the citizen's home and
their orders, kept under the person's version and served again with the visit's own form token.

pytest-django never commits a test's transaction, and nothing is kept while a change of the person awaits a commit:
each test calls `committed()` after writing, so that what follows reads the caches as a server would."""

import re
from datetime import timedelta

import pytest
from django.contrib.messages import constants as message_levels
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.messages.storage.session import SessionStorage
from django.core.cache import caches
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from raqmana.access.roles import Role
from raqmana.access.services import grant_role, revoke_role
from raqmana.accounts.models import Enterprise, EnterpriseRepresentative
from raqmana.accounts.tests.factories import UserFactory
from raqmana.accounts.tests.test_sign_in import code_for
from raqmana.civil_status_documents.constants import CivilStatusDocument, OrderState
from raqmana.civil_status_documents.models import DocumentOrder
from raqmana.civil_status_documents.services import cancel_order, place_order
from raqmana.kernel.reference_data import FORM_TOKEN_PLACEHOLDER
from raqmana.kernel.tests.kept_pages import BACKEND, form_tokens, rendered_templates, signed_in, signed_in_with_password
from raqmana.payments.providers import Outcome
from raqmana.payments.services import settle
from raqmana.territories.models import CivilStatusOffice, Territory
from raqmana.workflows.services import run_due_clocks

pytestmark = pytest.mark.django_db

HOME = reverse("portal:home")
ORDERS = reverse("documents:orders")
LOGOUT = reverse("accounts:logout")


@pytest.fixture
def renders(monkeypatch):
    return rendered_templates(monkeypatch)


def with_authenticator(agent):
    """`agent` a civil status agent of a commune, with a confirmed authenticator (returned)."""
    office = CivilStatusOffice.objects.get(territory=a_commune())
    grant_role(agent, Role.CIVIL_STATUS_AGENT, unit=office, by=None, reason="recruited")
    return TOTPDevice.objects.create(user=agent, name="phone", confirmed=True)


def kept_twice(client, url, renders, **extra):
    """The page rendered, then served kept: both answers, the second rendered nothing."""
    before = len(renders)
    first = client.get(url, **extra)
    second = client.get(url, **extra)
    assert len(renders) == before + 1, "the second visit was not served from the kept page"
    return first, second


def order_for(citizen, act):
    return place_order(
        citizen, act, CivilStatusDocument.BIRTH_EXTRACT, relation="holder", mandate_reference="", purpose="Visa"
    )


def english(label) -> str:
    with translation.override("en"):
        return str(label)


def a_commune():
    return Territory.objects.get(code="04.501.01.07")


# --- One person never gets another's page or token --------------------------------------------------------------------


def test_signing_out_and_in_as_someone_else_in_the_same_browser_serves_the_new_persons_page(renders, committed):
    amina = UserFactory(full_name="Amina Tazi", email="amina@example.ma")
    karim = UserFactory(full_name="Karim Bennani", email="karim@example.ma")
    browser = signed_in(amina)
    committed()
    _, kept = kept_twice(browser, HOME, renders)
    assert "Amina Tazi" in kept.text
    browser.post(LOGOUT, {"csrfmiddlewaretoken": form_tokens(kept.text)[0]})
    browser.force_login(karim, backend=BACKEND)
    page = browser.get(HOME)
    assert "Karim Bennani" in page.text and "Amina" not in page.text
    assert browser.post(LOGOUT, {"csrfmiddlewaretoken": form_tokens(page.text)[0]}).status_code == 302


def test_a_real_sign_in_after_sign_out_in_the_same_browser_never_serves_the_first_persons_page(renders, committed):
    UserFactory(full_name="Amina Tazi", email="amina@example.ma")
    UserFactory(full_name="Karim Bennani", email="karim@example.ma")
    browser = signed_in_with_password("amina@example.ma")
    committed()
    for _ in range(2):
        assert "Amina Tazi" in browser.get(ORDERS).text
    browser.post(LOGOUT)
    signed_in_with_password("karim@example.ma", browser)
    committed()
    for _ in range(2):
        page = browser.get(ORDERS).text
        assert "Karim Bennani" in page and "Amina" not in page


def test_the_token_of_a_kept_page_is_the_visitors_own_works_and_is_never_anothers(renders, committed):
    amina = UserFactory(full_name="Amina Tazi")
    one, other = signed_in(amina), signed_in(amina)  # the same person in two browsers: two sessions
    karim_browser = signed_in(UserFactory(full_name="Karim Bennani"))
    committed()
    _, kept = kept_twice(one, HOME, renders)
    served = [kept, other.get(HOME), karim_browser.get(HOME), karim_browser.get(HOME)]
    tokens = [form_tokens(page.text)[0] for page in served]
    assert len(set(tokens)) == len(tokens)
    assert all(FORM_TOKEN_PLACEHOLDER not in page.text for page in served)
    # Each works in its own browser only.
    assert karim_browser.post(LOGOUT, {"csrfmiddlewaretoken": tokens[0]}).status_code == 403
    assert other.post(LOGOUT, {"csrfmiddlewaretoken": tokens[1]}).status_code == 302
    assert one.post(LOGOUT, {"csrfmiddlewaretoken": tokens[0]}).status_code == 302


def test_a_kept_page_served_to_a_browser_without_its_token_cookie_sets_one_that_takes_the_token(renders, committed):
    browser = signed_in(UserFactory())
    committed()
    browser.get(ORDERS)
    browser.cookies.pop("csrftoken", None)
    kept = browser.get(ORDERS)
    assert "csrftoken" in kept.cookies  # a new secret, sent with the page
    token = form_tokens(kept.text)[0]
    assert browser.post(LOGOUT, {"csrfmiddlewaretoken": token}).status_code == 302


def test_the_htmx_header_token_of_a_kept_page_works(renders, committed):
    browser = signed_in(UserFactory())
    committed()
    _, kept = kept_twice(browser, HOME, renders)
    header_token = re.search(r'"X-CSRFToken": "([^"]+)"', kept.text)[1]
    assert browser.post(LOGOUT, headers={"X-CSRFToken": header_token}).status_code == 302


def test_a_deactivated_account_is_not_served_its_kept_page(renders, committed):
    amina = UserFactory(full_name="Amina Tazi")
    browser = signed_in(amina)
    committed()
    kept_twice(browser, HOME, renders)
    amina.is_active = False
    amina.save()
    committed()
    assert "Amina Tazi" not in browser.get(HOME).text
    assert browser.get(ORDERS).status_code == 302


def test_a_deleted_account_is_not_served_its_kept_page(renders, committed):
    amina = UserFactory(full_name="Amina Tazi")
    browser = signed_in(amina)
    committed()
    kept_twice(browser, HOME, renders)
    amina.delete()
    committed()
    assert "Amina Tazi" not in browser.get(HOME).text


def test_a_password_changed_elsewhere_ends_the_session_and_its_kept_page(renders, committed):
    amina = UserFactory(full_name="Amina Tazi")
    browser = signed_in(amina)
    committed()
    kept_twice(browser, ORDERS, renders)
    amina.set_password("another long password 2")
    amina.save()
    committed()
    assert browser.get(ORDERS).status_code == 302


def test_a_session_keeps_its_second_factor_state_per_page(renders, committed):
    """An agent's page kept once verified is not served after they sign in again with the password alone."""
    agent = UserFactory(email="agent@commune.ma", full_name="Nadia Agent")
    device = with_authenticator(agent)
    browser = signed_in_with_password("agent@commune.ma")
    browser.post(reverse("accounts:two_factor"), {"token": code_for(device)})
    committed()
    for _ in range(2):
        assert '<summary class="who">Nadia Agent</summary>' in browser.get(HOME).text
    browser.post(LOGOUT)
    signed_in_with_password("agent@commune.ma", browser)
    committed()
    for _ in range(2):
        page = browser.get(HOME).text
        assert 'class="who"' not in page and "Your roles" not in page


def test_an_authenticator_removed_ends_the_agents_kept_verified_page(renders, committed):
    agent = UserFactory(full_name="Nadia Agent")
    device = with_authenticator(agent)
    browser = signed_in(agent)
    session = browser.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    committed()
    _, kept = kept_twice(browser, HOME, renders)
    assert '<summary class="who">Nadia Agent</summary>' in kept.text
    device.delete()  # the admin removes a lost phone: no save of the account
    committed()
    page = browser.get(HOME).text
    assert 'class="who"' not in page and "Your roles" not in page


def test_an_anonymous_kept_page_is_not_served_once_signed_in_in_the_same_browser(renders, committed):
    UserFactory(full_name="Amina Tazi", email="amina@example.ma")
    browser = Client()
    browser.cookies["django_language"] = "en"
    for _ in range(2):
        assert "Amina Tazi" not in browser.get(HOME).text
    signed_in_with_password("amina@example.ma", browser)
    committed()
    for _ in range(2):
        assert "Amina Tazi" in browser.get(HOME).text
    browser.post(LOGOUT)
    for _ in range(2):
        assert "Amina Tazi" not in browser.get(HOME).text


# --- A change of what the page shows shows at the next visit ----------------------------------------------------------


@pytest.fixture
def enterprise():
    return Enterprise.objects.create(ice="001234567000089", legal_name="Atlas Négoce", commune=a_commune())


def test_an_enterprise_renamed_in_the_admin_shows_on_its_representatives_kept_home(renders, committed, enterprise):
    amina = UserFactory()
    EnterpriseRepresentative.objects.create(enterprise=enterprise, user=amina, accepted_at=timezone.now())
    browser = signed_in(amina)
    committed()
    _, kept = kept_twice(browser, HOME, renders)
    assert "Atlas Négoce" in kept.text
    enterprise.legal_name = "Atlas Export"
    enterprise.save()
    committed()
    assert "Atlas Export" in browser.get(HOME).text


def test_an_invitation_received_then_withdrawn_shows_on_the_kept_home(renders, committed, enterprise):
    inviter, amina = UserFactory(full_name="Youssef Inviter"), UserFactory()
    EnterpriseRepresentative.objects.create(enterprise=enterprise, user=inviter, accepted_at=timezone.now())
    browser = signed_in(amina)
    committed()
    kept_twice(browser, HOME, renders)
    from raqmana.accounts.services.enterprises import invite_representative

    invite_representative(enterprise, amina.email, capacity="manager", by=inviter)
    committed()
    page = browser.get(HOME).text
    assert "Invitations to represent an enterprise" in page and "Atlas Négoce" in page
    invitation = EnterpriseRepresentative.objects.get(user=amina)
    invitation.revoked_at = timezone.now()
    invitation.save()
    committed()
    assert "Invitations to represent an enterprise" not in browser.get(HOME).text


def test_an_invitation_accepted_with_the_kept_pages_token_shows_its_message_once_and_the_enterprise(
    renders, committed, enterprise
):
    inviter, amina = UserFactory(full_name="Youssef Inviter"), UserFactory()
    EnterpriseRepresentative.objects.create(enterprise=enterprise, user=inviter, accepted_at=timezone.now())
    invitation = EnterpriseRepresentative.objects.create(
        enterprise=enterprise, user=amina, added_by=inviter, capacity="manager"
    )
    browser = signed_in(amina)
    committed()
    _, kept = kept_twice(browser, HOME, renders)
    action = reverse("accounts:answer_invitation", args=[invitation.pk])
    token = re.search(
        rf'action="{action}" class="inline">\s*<input type="hidden" name="csrfmiddlewaretoken" '
        rf'value="([^"]+)"',
        kept.text,
    )[1]
    assert browser.post(action, {"answer": "accept", "csrfmiddlewaretoken": token}).status_code == 302
    committed()
    pages = [browser.get(HOME).text for _ in range(3)]
    assert ["You now represent Atlas Négoce." in page for page in pages] == [True, False, False]
    assert all("Enterprises you represent" in page and "Invitations to represent" not in page for page in pages)


@pytest.mark.parametrize("cookie", ["", "short", "!" * 32, "a" * 64])
def test_a_kept_page_for_a_browser_with_a_malformed_token_cookie_serves_a_working_token(renders, committed, cookie):
    browser = signed_in(UserFactory())
    committed()
    browser.get(ORDERS)
    browser.cookies["csrftoken"] = cookie
    kept = browser.get(ORDERS)
    assert browser.post(LOGOUT, {"csrfmiddlewaretoken": form_tokens(kept.text)[0]}).status_code == 302


def test_an_inviter_renamed_shows_on_the_invited_persons_home(renders, committed, enterprise):
    inviter, amina = UserFactory(full_name="Youssef Inviter"), UserFactory()
    EnterpriseRepresentative.objects.create(enterprise=enterprise, user=inviter, accepted_at=timezone.now())
    EnterpriseRepresentative.objects.create(enterprise=enterprise, user=amina, added_by=inviter, capacity="manager")
    browser = signed_in(amina)
    committed()
    _, kept = kept_twice(browser, HOME, renders)
    assert "Youssef Inviter invites you" in kept.text
    inviter.full_name = "Youssef Alami"
    inviter.save()
    committed()
    assert "Youssef Alami invites you" in browser.get(HOME).text


def test_a_role_revoked_disappears_from_the_kept_home(renders, committed):
    agent = UserFactory()
    office = CivilStatusOffice.objects.get(territory=a_commune())
    assignment = grant_role(agent, Role.CIVIL_STATUS_AGENT, unit=office, by=None, reason="recruited")
    browser = signed_in(agent, second_factor=True)
    committed()
    _, kept = kept_twice(browser, HOME, renders)
    assert "Your roles" in kept.text
    revoke_role(assignment, by=None, reason="left")
    committed()
    assert "Your roles" not in browser.get(HOME).text


def test_a_territory_renamed_shows_on_the_kept_home(renders, committed, enterprise):
    amina = UserFactory()
    EnterpriseRepresentative.objects.create(enterprise=enterprise, user=amina, accepted_at=timezone.now())
    browser = signed_in(amina, "fr")
    committed()
    _, kept = kept_twice(browser, HOME, renders)
    commune = a_commune()
    assert commune.name_fr in kept.text
    commune.name_fr = "Témara-Nouvelle"
    commune.save()
    committed()
    assert "Témara-Nouvelle" in browser.get(HOME).text


def test_the_language_switched_serves_the_page_in_the_new_language(renders, committed):
    browser = signed_in(UserFactory())
    committed()
    _, kept = kept_twice(browser, ORDERS, renders)
    assert 'lang="en"' in kept.text
    switched = browser.post(
        reverse("accounts:set_language"),
        {"language": "fr", "next": ORDERS, "csrfmiddlewaretoken": form_tokens(kept.text)[0]},
    )
    assert switched.status_code == 302
    committed()
    assert 'lang="fr"' in browser.get(ORDERS).text


def test_orders_placed_cancelled_expired_and_paid_show_on_the_kept_list(renders, committed, birth_act):
    citizen = UserFactory()
    browser = signed_in(citizen)
    committed()
    _, kept = kept_twice(browser, ORDERS, renders)
    assert "You have not ordered any document yet." in kept.text
    first = order_for(citizen, birth_act)
    committed()
    assert "Awaiting payment" in browser.get(ORDERS).text
    cancel_order(first, by=citizen)
    committed()
    assert english(OrderState.CANCELLED.label) in browser.get(ORDERS).text
    second = order_for(citizen, birth_act)
    committed()
    browser.get(ORDERS)
    run_due_clocks(now=timezone.now() + timedelta(days=400))  # the payment's clock runs out, as the job runs it
    committed()
    assert DocumentOrder.objects.get(pk=second.pk).state == OrderState.EXPIRED
    assert browser.get(ORDERS).text.count(english(OrderState.EXPIRED.label)) == 1
    third = order_for(citizen, birth_act)
    committed()
    browser.get(ORDERS)
    settle(Outcome(third.payment.reference, True, third.payment.amount, "MAD", "GW-1"))
    committed()
    assert DocumentOrder.objects.get(pk=third.pk).state != OrderState.AWAITING_PAYMENT
    page = browser.get(ORDERS).text
    assert "Awaiting payment" not in page


def test_a_new_order_moves_the_kept_second_page(renders, committed, birth_act, monkeypatch):
    monkeypatch.setattr("raqmana.civil_status_documents.views.ORDERS_PER_PAGE", 2)
    citizen = UserFactory()
    orders = [order_for(citizen, birth_act) for _ in range(3)]
    browser = signed_in(citizen)
    committed()
    _, kept = kept_twice(browser, ORDERS + "?page=2", renders)
    assert reverse("documents:order", args=[orders[0].pk]) in kept.text
    cancel_order(orders[0], by=citizen)  # the oldest, on page 2
    committed()
    assert english(OrderState.CANCELLED.label) in browser.get(ORDERS + "?page=2").text
    newest = order_for(citizen, birth_act)
    committed()
    page = browser.get(ORDERS + "?page=2").text
    assert reverse("documents:order", args=[orders[1].pk]) in page
    assert reverse("documents:order", args=[newest.pk]) not in page


# --- Messages ---------------------------------------------------------------------------------------------------------


def message_cookie(text: str) -> str:
    return CookieStorage(RequestFactory().get("/"))._encode([Message(message_levels.SUCCESS, text)])


def test_a_message_waiting_in_the_session_is_shown_once_over_a_kept_page(renders, committed):
    browser = signed_in(UserFactory())
    committed()
    kept_twice(browser, HOME, renders)
    session = browser.session
    request = RequestFactory().get("/")
    request.session = session
    storage = SessionStorage(request)
    storage._store([Message(message_levels.INFO, "Saved in the session.")], None)
    session.save()
    # The fallback storage reads the session after a cookie that says more messages are there.
    browser.cookies[CookieStorage.cookie_name] = CookieStorage(request)._encode([CookieStorage.not_finished])
    assert "Saved in the session." in browser.get(HOME).text
    assert "Saved in the session." not in browser.get(HOME).text
    assert "Saved in the session." not in browser.get(HOME).text


def test_a_message_after_a_form_is_shown_once_then_the_page_is_kept_without_it(renders, committed):
    browser = signed_in(UserFactory())
    committed()
    browser.get(ORDERS)
    browser.cookies[CookieStorage.cookie_name] = message_cookie("Your order is placed.")
    shown = [("Your order is placed." in browser.get(ORDERS).text) for _ in range(3)]
    assert shown == [True, False, False]


def test_an_unreadable_message_cookie_breaks_nothing(renders, committed):
    browser = signed_in(UserFactory())
    committed()
    browser.cookies[CookieStorage.cookie_name] = "garbage:not-signed"
    assert [browser.get(HOME).status_code for _ in range(2)] == [200, 200]


# --- Requests of other kinds ------------------------------------------------------------------------------------------


def test_a_page_kept_for_a_head_request_serves_a_whole_get_and_back(renders, committed):
    amina = UserFactory(full_name="Amina Tazi")
    browser = signed_in(amina)
    committed()
    head = browser.head(HOME)
    assert head.status_code == 200
    get = browser.get(HOME)
    assert len(renders) == 1 and "Amina Tazi" in get.text and "</html>" in get.text
    assert browser.post(LOGOUT, {"csrfmiddlewaretoken": form_tokens(get.text)[0]}).status_code == 302


def test_a_head_after_a_get_has_the_headers_of_a_get(renders, committed):
    browser = signed_in(UserFactory())
    committed()
    get = browser.get(ORDERS)
    head = browser.head(ORDERS)
    assert len(renders) == 1
    assert head.status_code == 200 and head.content == b""
    assert head["Content-Type"] == get["Content-Type"]


def test_an_htmx_request_has_its_own_kept_page(renders, committed):
    browser = signed_in(UserFactory(full_name="Amina Tazi"))
    committed()
    kept_twice(browser, HOME, renders, headers={"HX-Request": "true"})
    plain = browser.get(HOME)
    assert len(renders) == 2 and "</html>" in plain.text


@pytest.mark.parametrize(
    "query",
    [
        "?page=abc",
        "?page=-1",
        "?page=0",
        "?page=99999999999999999999999999",
        "?page=1e9",
        "?page=%00",
        "?page=%FF%FE",
        "?page=%D8%A7%D9%84",
        "?page=1&page=2",
        "?q=" + "x" * 6000,
        "?%ED%A0%80=1",
        "?page=%20",
        "?page=" + "%C0%AF" * 20,
    ],
)
def test_an_odd_query_string_never_fails_the_kept_page(renders, committed, birth_act, query):
    citizen = UserFactory()
    order_for(citizen, birth_act)
    browser = signed_in(citizen)
    committed()
    answers = [browser.get(url + query) for url in (ORDERS, HOME) for _ in range(2)]
    assert all(answer.status_code < 500 for answer in answers), [answer.status_code for answer in answers]
    for answer in answers:
        if answer.status_code == 200:
            assert FORM_TOKEN_PLACEHOLDER not in answer.text


@pytest.mark.parametrize("raw", ["page=\xff\xfe", "page=\u00e9\u00e8", "p\x00=1", "page=1;2", "%"])
def test_a_raw_query_string_as_a_server_passes_it_never_fails_the_kept_page(renders, committed, raw):
    browser = signed_in(UserFactory())
    committed()
    answers = [browser.get(url, QUERY_STRING=raw) for url in (ORDERS, HOME) for _ in range(2)]
    assert all(answer.status_code < 500 for answer in answers), [answer.status_code for answer in answers]


# --- Headers ----------------------------------------------------------------------------------------------------------

_OWN = {"Set-Cookie", "Content-Length", "Date"}


@pytest.mark.parametrize("url", [HOME, ORDERS])
def test_a_kept_answer_has_the_headers_of_a_rendered_one(renders, committed, url):
    browser = signed_in(UserFactory())
    committed()
    rendered, kept = kept_twice(browser, url, renders)
    assert {k: v for k, v in rendered.headers.items() if k not in _OWN} == {
        k: v for k, v in kept.headers.items() if k not in _OWN
    }
    assert sorted(rendered.cookies) == sorted(kept.cookies)


# --- The placeholder of the form token --------------------------------------------------------------------------------


def test_the_placeholder_typed_in_the_address_is_not_turned_into_the_visitors_token(renders, committed):
    browser = signed_in(UserFactory())
    committed()
    for _ in range(2):  # rendered, then kept
        page = browser.get(ORDERS + "?page=" + FORM_TOKEN_PLACEHOLDER).text
        assert f'name="next" value="{ORDERS}?page=%3Craqmana-form-token%3E"' in page  # as it reads, never a token


def test_an_enterprise_named_like_the_placeholder_keeps_its_name_on_the_invited_persons_home(renders, committed):
    enterprise = Enterprise.objects.create(
        ice="001234567000089", legal_name=FORM_TOKEN_PLACEHOLDER, commune=a_commune()
    )
    inviter, amina = UserFactory(full_name="Youssef Inviter"), UserFactory()
    EnterpriseRepresentative.objects.create(enterprise=enterprise, user=amina, added_by=inviter, capacity="manager")
    browser = signed_in(amina)
    committed()
    assert f"act for {escape(FORM_TOKEN_PLACEHOLDER)}" in browser.get(HOME).text


# --- Memory -----------------------------------------------------------------------------------------------------------


def test_one_persons_flood_of_ignored_query_strings_does_not_evict_anothers_kept_page(renders, committed, monkeypatch):
    monkeypatch.setattr(caches["pages"], "_max_entries", 30)  # as the 2000 of the settings, with fewer requests
    amina, karim = UserFactory(), UserFactory()
    as_amina, as_karim = signed_in(amina), signed_in(karim)
    committed()
    as_karim.get(ORDERS)
    for number in range(40):
        as_amina.get(f"{ORDERS}?utm={number}")
    before = len(renders)
    as_karim.get(ORDERS)
    assert len(renders) == before  # Karim's page still kept


def test_a_flood_of_addresses_stays_within_the_pages_cache_and_serves_right(renders, committed, settings):
    pages = caches["pages"]
    most = settings.CACHES["pages"]["OPTIONS"]["MAX_ENTRIES"]
    amina, karim = UserFactory(full_name="Amina Tazi"), UserFactory(full_name="Karim Bennani")
    as_amina, as_karim = signed_in(amina), signed_in(karim)
    committed()
    as_karim.get(HOME)
    for number in range(most + 50):
        pages.set(f"flood-{number}", (b"x", "text/html"))  # as many other addresses' pages
    assert len(pages._cache) <= most
    assert "Karim Bennani" in as_karim.get(HOME).text
    assert "Karim" not in as_amina.get(HOME + "?utm=1").text
