"""Accounts prove their email or phone by a one-time code before ordering documents; sign-up opens the account only
then, answers the same whether or not the contact has an account, and is limited per client address."""

import io
import re
from datetime import timedelta

import pytest
from django.contrib import admin
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from raqmana.accounts import views
from raqmana.accounts.admin import UserAdmin
from raqmana.accounts.models import ContactCode, User
from raqmana.accounts.oidc import NationalEIdBackend
from raqmana.notifications.models import Notification

from .factories import PASSWORD, UserFactory, code_sent_in
from .test_oidc import CLAIMS, OIDC

pytestmark = pytest.mark.django_db
SIGNUP = reverse("accounts:signup")
CODE = reverse("accounts:contact_code")
VERIFY = reverse("accounts:verify_contact")
ORDER_NEW = reverse("documents:order_new")
RESET = reverse("accounts:password_reset")
NEW_PASSWORD = {"password1": "new-horse-battery", "password2": "new-horse-battery"}


def english_client(**defaults):
    browser = Client(**defaults)
    browser.cookies["django_language"] = "en"
    return browser


@pytest.fixture
def client():
    return english_client()


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """POST as a browser does, running what the request queues (the code's delivery) as the worker would."""

    def post(client, url, data=None, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data or {}, **extra)

    return post


def sign_up(send, client, contact, full_name="Nadia Tazi"):
    data = {"full_name": full_name, "contact": contact, "password1": PASSWORD, "password2": PASSWORD}
    return send(client, SIGNUP, data)


def mails_to(address):
    return [message for message in mail.outbox if message.to == [address]]


def test_the_account_opens_when_the_code_sent_to_the_email_is_typed_back(client, send):
    answer = sign_up(send, client, "Nadia@Example.MA")
    assert answer.status_code == 302 and answer.url == CODE
    assert not User.objects.exists()  # nothing is opened before the email is proved
    [message] = mails_to("nadia@example.ma")
    code = code_sent_in(message.body)
    page = client.get(CODE)
    assert "nadia@example.ma" in page.text

    wrong = send(client, CODE, {"code": "000000" if code != "000000" else "111111"})
    assert wrong.status_code == 200 and wrong.context["form"].errors["code"] == ["This code is wrong or has expired."]
    assert not User.objects.exists()

    opened = send(client, CODE, {"code": f" {code[:3]} {code[3:]} "})
    assert opened.status_code == 302 and opened.url == reverse("portal:home")
    person = User.objects.get()
    assert (person.email, person.full_name, person.phone) == ("nadia@example.ma", "Nadia Tazi", None)
    assert person.email_verified_at and person.has_verified_contact and person.check_password(PASSWORD)
    assert client.get(reverse("portal:home")).context["user"] == person


def test_the_code_is_kept_only_as_a_keyed_digest(client, send):
    sign_up(send, client, "nadia@example.ma")
    code = code_sent_in(mails_to("nadia@example.ma")[0].body)
    stored = ContactCode.objects.get()
    assert code not in stored.code_hash and len(stored.code_hash) == 64
    assert PASSWORD not in str(stored.signup) and stored.signup["password"].startswith("md5$")  # hashed (test hasher)
    assert not Notification.objects.filter(body__contains=code).exists()


def _same_page(text, contact):
    """A page's text with what is meant to differ between two visitors taken out: the contact they typed and the
    CSRF tokens, masked anew at each page."""
    text = text.replace(contact, "CONTACT")
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken"', text)
    return re.sub(r'"X-CSRFToken": "[^"]+"', '"X-CSRFToken"', text)


def _answers_to_wrong_codes(send, client, contact, started, wrong_code):
    """What a visitor sees from asking for a code (`started`) on: five wrong codes, a new code asked too soon, then a
    minute later, and one more wrong code, which the new code makes a wrong code again, not one too many."""
    shown = client.get(started.url)
    wrong = [send(client, CODE, wrong_code) for _attempt in range(5)]
    too_soon = send(client, CODE, {"action": "resend"}, follow=True)
    ContactCode.objects.filter(contact=contact).update(last_sent_at=timezone.now() - timedelta(minutes=2))
    resent = send(client, CODE, {"action": "resend"}, follow=True)
    wrong_again = send(client, CODE, wrong_code)
    assert wrong[-1].context["form"].errors["code"] == ["Too many wrong codes: ask for a new code."]
    assert wrong_again.context["form"].errors["code"] == ["This code is wrong or has expired."]
    return [
        (
            answer.status_code,
            answer.get("Location"),
            [t.name for t in answer.templates],
            _same_page(answer.text, contact),
        )
        for answer in (started, shown, *wrong, too_soon, resent, wrong_again)
    ]


def test_signing_up_with_a_taken_contact_answers_exactly_as_with_a_free_one(send):
    owner = UserFactory(email="amina@example.ma", full_name="Amina Ouazzani", preferred_language="fr")
    answers = {}
    for contact in ("amina@example.ma", "nadia@example.ma"):
        client = english_client()
        answers[contact] = _answers_to_wrong_codes(
            send, client, contact, sign_up(send, client, contact), {"code": "123456"}
        )
    assert answers["amina@example.ma"] == answers["nadia@example.ma"]

    assert list(User.objects.all()) == [owner]  # no second account, and the owner's is unchanged
    [warning] = mails_to("amina@example.ma")  # the owner is told, once, and given no code
    assert warning.body.startswith(
        "Quelqu’un a essayé d’ouvrir un compte Raqmana avec amina@example.ma"
    )  # her language
    assert "http://127.0.0.1:8000/accounts/login/" in warning.body
    assert "http://127.0.0.1:8000/accounts/password/reset/" in warning.body
    assert not re.search(r"\b\d{6}\b", warning.body)
    assert len(mails_to("nadia@example.ma")) == 2


def test_a_taken_contact_never_completes_a_sign_up(client, send):
    UserFactory(email="amina@example.ma")
    sign_up(send, client, "amina@example.ma")
    pending = ContactCode.objects.get()
    assert pending.contact_taken and pending.code_hash == ""
    for _attempt in range(5):
        send(client, CODE, {"code": "123456"})
    assert User.objects.count() == 1


def test_wrong_codes_void_the_code_until_a_new_one_is_sent(client, send):
    sign_up(send, client, "nadia@example.ma")
    code = code_sent_in(mails_to("nadia@example.ma")[0].body)
    wrong = "000000" if code != "000000" else "111111"
    for _attempt in range(4):
        send(client, CODE, {"code": wrong})
    fifth = send(client, CODE, {"code": wrong})
    assert fifth.context["form"].errors["code"] == ["Too many wrong codes: ask for a new code."]
    right_too_late = send(client, CODE, {"code": code})
    assert right_too_late.status_code == 200 and not User.objects.exists()

    ContactCode.objects.update(last_sent_at=timezone.now() - timedelta(minutes=2))
    send(client, CODE, {"action": "resend"})
    new_code = code_sent_in(mails_to("nadia@example.ma")[-1].body)
    assert send(client, CODE, {"code": new_code}).status_code == 302
    assert User.objects.get().email == "nadia@example.ma"


def test_a_code_expires(client, send):
    sign_up(send, client, "nadia@example.ma")
    code = code_sent_in(mails_to("nadia@example.ma")[0].body)
    ContactCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert send(client, CODE, {"code": code}).context["form"].errors["code"] == ["This code is wrong or has expired."]
    assert not User.objects.exists()


def test_new_codes_come_a_minute_apart_three_in_all_and_replace_the_last(client, send):
    sign_up(send, client, "nadia@example.ma")
    first = code_sent_in(mails_to("nadia@example.ma")[0].body)
    too_soon = send(client, CODE, {"action": "resend"}, follow=True)
    assert re.search(r"You can ask for a new code in \d+ seconds\.", too_soon.text)
    assert len(mails_to("nadia@example.ma")) == 1
    for _resend in range(2):
        ContactCode.objects.update(last_sent_at=timezone.now() - timedelta(minutes=2))
        send(client, CODE, {"action": "resend"})
    assert len(mails_to("nadia@example.ma")) == 3
    ContactCode.objects.update(last_sent_at=timezone.now() - timedelta(minutes=2))
    no_more = send(client, CODE, {"action": "resend"}, follow=True)
    assert "No more codes can be sent for this request: start again later." in no_more.text
    assert len(mails_to("nadia@example.ma")) == 3
    last = code_sent_in(mails_to("nadia@example.ma")[-1].body)
    if first != last:
        assert send(client, CODE, {"code": first}).status_code == 200
    assert send(client, CODE, {"code": last}).status_code == 302


def test_sign_up_is_limited_per_client_address_with_a_translated_refusal(send, monkeypatch):
    monkeypatch.setattr(views, "SIGNUP_RATE", "2/h")
    client = english_client()
    for number in range(2):
        assert sign_up(send, client, f"person{number}@example.ma").status_code == 302
    refused = sign_up(send, client, "person9@example.ma")
    assert refused.status_code == 429
    assert refused.context["form"].non_field_errors() == [
        "Too many accounts were started from your connection. Try again in an hour."
    ]
    assert ContactCode.objects.count() == 2
    other_address = english_client(REMOTE_ADDR="192.0.2.7")
    assert sign_up(send, other_address, "person9@example.ma").status_code == 302


def test_a_forgotten_password_is_replaced_with_the_code_sent_to_the_contact(client, send):
    person = UserFactory(email="amina@example.ma", email_verified_at=None)
    asked = send(client, RESET, {"contact": "Amina@example.ma"})
    assert asked.status_code == 302 and asked.url == CODE
    code = code_sent_in(mails_to("amina@example.ma")[0].body)
    assert "password1" in client.get(CODE).context["form"].fields
    mismatched = send(client, CODE, {"code": code, "password1": "new-horse-battery", "password2": "other"})
    assert mismatched.status_code == 200 and person.check_password(PASSWORD)

    new = "new-horse-battery-staple"
    changed = send(client, CODE, {"code": code, "password1": new, "password2": new})
    assert changed.status_code == 302 and changed.url == reverse("accounts:login")
    person.refresh_from_db()
    assert person.check_password(new) and person.has_verified_contact
    assert client.post(reverse("accounts:login"), {"username": "amina@example.ma", "password": new}).status_code == 302


def test_a_reset_for_a_contact_without_an_account_answers_exactly_as_for_one_with_it(send):
    UserFactory(email="amina@example.ma")
    answers = {}
    for contact in ("amina@example.ma", "nadia@example.ma"):
        client = english_client()
        asked = send(client, RESET, {"contact": contact})
        answers[contact] = _answers_to_wrong_codes(send, client, contact, asked, {"code": "123456", **NEW_PASSWORD})
    assert answers["amina@example.ma"] == answers["nadia@example.ma"]
    assert not mails_to("nadia@example.ma") and len(mails_to("amina@example.ma")) == 2


def _errors(answer):
    """The errors a page shows, whichever form or message carries them."""
    return (
        re.findall(r'<li(?: class="error")?(?: role="alert")?>([^<]+)</li>', answer.text)
        if answer.status_code == 200
        else []
    )


def test_a_contact_receives_five_codes_a_day_at_most_whoever_asks_and_whether_or_not_it_has_an_account(send):
    UserFactory(email="amina@example.ma")
    answers = {}
    for contact in ("amina@example.ma", "nadia@example.ma"):
        first = english_client(REMOTE_ADDR="192.0.2.1")
        answers[contact] = [send(first, RESET, {"contact": contact}).status_code]
        ContactCode.objects.filter(contact=contact).update(last_sent_at=timezone.now() - timedelta(minutes=2))
        answers[contact].append(_errors(send(first, CODE, {"action": "resend"}, follow=True)))
        for address in ("192.0.2.2", "192.0.2.3", "192.0.2.4"):
            asked = send(english_client(REMOTE_ADDR=address), RESET, {"contact": contact})
            answers[contact].append((asked.status_code, _errors(asked)))
        ContactCode.objects.filter(contact=contact).update(last_sent_at=timezone.now() - timedelta(minutes=2))
        answers[contact].append(_errors(send(first, CODE, {"action": "resend"}, follow=True)))
        signed_up = sign_up(send, english_client(REMOTE_ADDR="192.0.2.5"), contact)
        answers[contact].append((signed_up.status_code, _errors(signed_up)))
    assert answers["amina@example.ma"] == answers["nadia@example.ma"]
    refused = ["Too many codes were sent to this email address or phone number today. Try again tomorrow."]
    assert answers["amina@example.ma"][-3:] == [(302, []), refused, (200, refused)]  # the fifth, then no more
    assert len(mails_to("amina@example.ma")) == 5 and not mails_to("nadia@example.ma")


def test_ten_wrong_codes_for_a_contact_void_its_codes_for_the_day_whatever_the_requests(send):
    person = UserFactory(email="amina@example.ma")
    answers = {}
    for contact in ("amina@example.ma", "nadia@example.ma"):
        guesser, owner = english_client(REMOTE_ADDR="192.0.2.1"), english_client(REMOTE_ADDR="192.0.2.2")
        send(guesser, RESET, {"contact": contact})
        wrong = [send(guesser, CODE, {"code": "000000", **NEW_PASSWORD}) for _attempt in range(5)]
        send(owner, RESET, {"contact": contact})
        ContactCode.objects.filter(contact=contact).update(last_sent_at=timezone.now() - timedelta(minutes=2))
        send(guesser, CODE, {"action": "resend"})
        wrong += [send(guesser, CODE, {"code": "000000", **NEW_PASSWORD}) for _attempt in range(5)]
        code = code_sent_in(mails_to(contact)[1].body) if mails_to(contact) else "123456"
        right_too_late = send(owner, CODE, {"code": code, **NEW_PASSWORD})
        again = send(english_client(REMOTE_ADDR="192.0.2.3"), RESET, {"contact": contact})
        answers[contact] = [_errors(answer) for answer in (*wrong, right_too_late, again)]
    assert answers["amina@example.ma"] == answers["nadia@example.ma"]
    void = ["Too many wrong codes were typed for this email address or phone number today. Try again tomorrow."]
    assert answers["amina@example.ma"][-3:] == [void, void, void]
    assert (
        answers["amina@example.ma"][:9]
        == [["This code is wrong or has expired."]] * 4
        + [["Too many wrong codes: ask for a new code."]]
        + [["This code is wrong or has expired."]] * 4
    )
    assert ContactCode.objects.filter(contact="amina@example.ma").count() == 2
    person.refresh_from_db()
    assert person.check_password(PASSWORD)


def test_the_owner_of_a_taken_contact_is_warned_once_a_day_however_many_try(send):
    UserFactory(email="amina@example.ma")
    for address in ("192.0.2.1", "192.0.2.2", "192.0.2.3"):
        assert sign_up(send, english_client(REMOTE_ADDR=address), "amina@example.ma").status_code == 302
    assert len(mails_to("amina@example.ma")) == 1


def test_an_account_that_has_not_proved_its_contact_proves_it_before_ordering(client, send):
    citizen = UserFactory(email="youssef@example.ma", email_verified_at=None)
    client.force_login(citizen)
    sent_away = client.get(ORDER_NEW)
    assert sent_away.status_code == 302 and sent_away.url == f"{VERIFY}?next=%2Fdocuments%2Forders%2Fnew%2F"

    page = client.get(sent_away.url)
    assert page.status_code == 200 and "youssef@example.ma" in page.text
    asked = send(client, sent_away.url, {"channel": "email", "next": ORDER_NEW})
    assert asked.status_code == 302 and asked.url.startswith(CODE)
    code = code_sent_in(mails_to("youssef@example.ma")[0].body)
    back = send(client, asked.url, {"code": code, "next": ORDER_NEW})
    assert back.status_code == 302 and back.url == ORDER_NEW

    citizen.refresh_from_db()
    assert citizen.email_verified_at and citizen.has_verified_contact
    assert client.get(ORDER_NEW).status_code == 200


def test_paying_an_order_also_needs_a_proved_contact(client):
    client.force_login(UserFactory(email_verified_at=None))
    answer = client.post(reverse("documents:order_pay", args=[1]), HTTP_REFERER="http://testserver/documents/orders/1/")
    assert (
        answer.status_code == 302 and answer.url == f"{VERIFY}?next=http%3A%2F%2Ftestserver%2Fdocuments%2Forders%2F1%2F"
    )


def test_the_api_refuses_orders_from_an_account_that_has_not_proved_its_contact(client):
    client.force_login(UserFactory(email_verified_at=None))
    form = {"kind": "birth_extract", "act": "X", "event_date": "2020-01-01", "first_name": "Youssef",
            "requester_relation": "holder", "purpose": "Visa"}  # fmt: skip
    refused = client.post("/api/documents/orders", form)
    assert refused.status_code == 403 and refused.json()["detail"].startswith("Confirm your email address")


def test_an_account_code_works_only_for_its_account(client, send):
    citizen = UserFactory(email_verified_at=None)
    client.force_login(citizen)
    send(client, VERIFY, {"channel": "email"})
    code = code_sent_in(mail.outbox[-1].body)
    intruder = UserFactory(email_verified_at=None)
    client.force_login(intruder)
    session = client.session
    session[views.CONTACT_CODE_SESSION_KEY] = ContactCode.objects.get(user=citizen).pk
    session.save()
    answer = client.post(CODE, {"code": code})
    assert answer.status_code == 302 and answer.url == VERIFY
    citizen.refresh_from_db()
    intruder.refresh_from_db()
    assert not citizen.has_verified_contact and not intruder.has_verified_contact


def test_a_code_sent_to_a_contact_the_account_no_longer_has_proves_nothing(client, send):
    citizen = UserFactory(email="old@example.ma", email_verified_at=None)
    client.force_login(citizen)
    send(client, VERIFY, {"channel": "email"})
    code = code_sent_in(mails_to("old@example.ma")[0].body)
    User.objects.filter(pk=citizen.pk).update(email="new@example.ma")
    answer = send(client, CODE, {"code": code})
    assert answer.status_code == 200 and answer.context["form"].errors["code"]
    citizen.refresh_from_db()
    assert not citizen.has_verified_contact


def test_account_codes_are_limited_per_account(client, send, monkeypatch):
    monkeypatch.setattr(views, "ACCOUNT_CODE_RATE", "2/h")
    client.force_login(UserFactory(email_verified_at=None))
    for _request in range(2):
        assert send(client, VERIFY, {"channel": "email"}).status_code == 302
    refused = send(client, VERIFY, {"channel": "email"})
    assert refused.status_code == 200 and "Too many codes were asked for this account" in refused.text
    assert len(mail.outbox) == 2


def test_an_eid_sign_in_counts_as_a_proved_contact(settings):
    for name, value in OIDC.items():
        setattr(settings, name, value)
    user = NationalEIdBackend().create_user(CLAIMS)
    assert user.email_verified_at and user.phone_verified_at is None and user.has_verified_contact
    assert UserFactory(email_verified_at=None, national_id="MA-EID-0002").has_verified_contact


def test_a_contact_changed_in_the_administration_is_no_longer_proved(rf):
    person = UserFactory(email="old@example.ma", phone="0612345678")
    person.email = "new@example.ma"
    changed = type("ChangeForm", (), {"changed_data": ["email"]})()
    UserAdmin(User, admin.site).save_model(rf.post("/"), person, changed, change=True)
    person.refresh_from_db()
    assert person.email_verified_at is None and person.phone_verified_at is not None


def test_the_demo_citizens_have_proved_their_contact(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    for citizen in User.objects.filter(full_name__in=["Amina Ouazzani", "Driss Lahlou"]):
        assert citizen.has_verified_contact
