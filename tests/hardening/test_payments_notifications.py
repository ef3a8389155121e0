"""Acceptance probes of payments (unregistered models, tariffs, callbacks) and notifications (kinds, languages,
retries, rollbacks, SMS-only people)."""

import threading
import time
from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import connection, connections, transaction
from django.utils import timezone

from raqmana.accounts.tests.factories import UserFactory
from raqmana.notifications.models import Notification
from raqmana.notifications.services import MAX_ATTEMPTS, attempt_delivery, notify
from raqmana.payments import callbacks, services
from raqmana.payments.constants import PaymentState
from raqmana.payments.models import Fee, Payment, Refund
from raqmana.payments.tests.conftest import a_commune, gateway_outcome, new_payment
from raqmana.territories.constants import Level
from raqmana.territories.models import Territory

pytestmark = pytest.mark.django_db


def tomorrow(days=1):
    return timezone.localdate() + timedelta(days=days)


def fee(**changes):
    values = {
        "collectivity": a_commune(3),
        "amount": Decimal("5.00"),
        "valid_from": tomorrow(),
        "label_ar": "رسم",
        "label_fr": "Droit",
        "legal_basis": "Loi",
    }
    values.update(changes)
    return services.add_fee("hardening_fee", **values)


def test_a_payment_for_a_model_nobody_registered_is_refused_at_creation(db):
    payer = UserFactory()
    with pytest.raises(ImproperlyConfigured):
        new_payment(payer)  # accounts.user has no callbacks outside the payments tests' fixture
    assert not Payment.objects.exists()


def test_overlapping_tariffs_are_refused_one_after_the_other(db):
    fee(valid_until=tomorrow(10))
    with pytest.raises(ValidationError):
        fee(valid_from=tomorrow(5))


def test_a_tariff_ending_before_it_starts_is_refused(db):
    with pytest.raises(ValidationError):
        fee(valid_from=tomorrow(10), valid_until=tomorrow(2))


@pytest.mark.parametrize("level", [Level.ARRONDISSEMENT])
def test_a_fee_for_a_territory_that_is_no_collectivity_is_refused(db, level):
    with pytest.raises(ValidationError):
        fee(collectivity=Territory.objects.filter(level=level).first())


def test_a_payment_to_a_territory_that_is_no_collectivity_is_refused(heard):
    with pytest.raises(ValueError):
        new_payment(UserFactory(), collectivity=Territory.objects.filter(level=Level.ARRONDISSEMENT).first())


def test_a_raising_callback_leaves_the_payment_as_it_was(monkeypatch):
    def boom(payment):
        raise RuntimeError("the app failed")

    monkeypatch.setitem(callbacks._registry, "accounts.user", callbacks.PaymentCallbacks(on_paid=boom))
    payment = new_payment(UserFactory())
    with pytest.raises(RuntimeError):
        services.settle(gateway_outcome(payment))
    payment.refresh_from_db()
    assert payment.state == PaymentState.PENDING and payment.paid_at is None
    assert not payment.transitions.filter(to_state=PaymentState.PAID).exists()


def test_a_refund_of_an_unpaid_cancelled_payment_does_nothing(heard):
    payment = new_payment(UserFactory())
    services.cancel(payment, by=None)
    services.refund(payment, by=None, reason="x")
    payment.refresh_from_db()
    assert payment.state == PaymentState.CANCELLED and not Refund.objects.filter(payment=payment).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks")
@pytest.mark.django_db(transaction=True)
def test_two_overlapping_first_tariffs_added_at_once_do_not_both_pass(territories_in_transactional_db):
    """add_fee locked the existing rows of the code and collectivity; for the first tariff there are none, so two
    admins adding overlapping first tariffs at once (1-10 and from 5 on, which one after the other is refused) both
    passed Fee.clean and both were stored. Now the changes of one tariff wait for each other (an advisory lock): the
    second, checked once the first is committed, is refused."""
    added, errors = threading.Event(), []
    commune = a_commune(4)

    def first():
        try:
            with transaction.atomic():
                fee(collectivity=commune, valid_from=tomorrow(1), valid_until=tomorrow(10))
                added.set()
                time.sleep(1)  # the second is checked meanwhile, and waits
        finally:
            connections.close_all()

    def second():
        try:
            added.wait(timeout=10)
            fee(collectivity=commune, valid_from=tomorrow(5))
        except ValidationError as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Fee.objects.filter(code="hardening_fee", collectivity=commune).count() == 1
    assert len(errors) == 1


# Notifications


def test_an_undeclared_kind_is_refused(db):
    with pytest.raises(LookupError):
        notify(UserFactory(), "documents.never_declared", {})


def test_nothing_is_queued_nor_sent_after_a_rollback(db, django_capture_on_commit_callbacks):
    person = UserFactory(preferred_language="fr")
    with django_capture_on_commit_callbacks(execute=True) as queued, pytest.raises(RuntimeError), transaction.atomic():
        notify(person, "civil_status_documents.order_issued", {"order": None, "url": "/x"})
        raise RuntimeError
    assert not queued and not Notification.objects.exists() and not mail.outbox


def test_an_unknown_language_falls_back_to_arabic(db):
    """A person whose stored language is none of the site's (an old row, an import): the message should be in
    Arabic (settings.LANGUAGE_CODE), not in the templates' English."""
    arabic = UserFactory(preferred_language="ar")
    unknown = UserFactory(preferred_language="fr")
    type(unknown).objects.filter(pk=unknown.pk).update(preferred_language="de")
    unknown.refresh_from_db()
    [expected] = notify(arabic, "civil_status_documents.order_issued", {"order": None, "url": "/x"})
    [got] = notify(unknown, "civil_status_documents.order_issued", {"order": None, "url": "/x"})
    assert got.subject == expected.subject, (got.subject, expected.subject)


def test_retries_on_a_failing_mail_backend_stop_after_the_last(db):
    person = UserFactory()
    with transaction.atomic():
        [notification] = notify(person, "civil_status_documents.order_issued", {"order": None, "url": "/x"})
    with mock.patch("raqmana.notifications.services.send_email", side_effect=OSError("smtp down")):
        for _attempt in range(MAX_ATTEMPTS + 2):
            Notification.objects.filter(pk=notification.pk).update(next_attempt_at=None)
            assert attempt_delivery(notification.pk) is False
    notification.refresh_from_db()
    assert notification.attempts == MAX_ATTEMPTS and notification.error == "smtp down"
    assert notification.sent_at is None


def test_an_sms_only_person_without_an_sms_provider_leaves_a_trace(db, settings):
    """A citizen who signed up with a phone only: without an SMS provider (production unless configured), notify
    returns [] and keeps no row: nothing sent, nothing to retry, nothing shows that the citizen was never told.
    Should: a Notification row kept unsent (or an error logged / a system check when phone sign-up is on and no
    SMS provider is configured)."""
    settings.RAQMANA_SMS_PROVIDER = ""
    person = UserFactory(email=None, phone="+212612345678")
    notify(person, "civil_status_documents.order_issued", {"order": None, "url": "/x"})
    assert Notification.objects.filter(user=person).exists()
