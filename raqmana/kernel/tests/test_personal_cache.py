"""What is known of a person is kept under their version: worked out once per version, again after any change of the
person, never kept from inside the transaction that changes them (its rollback would leave it current)."""

import pickle

import pytest
from django.core.cache import cache, caches
from django.db import transaction

from raqmana.accounts.models import User
from raqmana.accounts.selectors import signed_in_account
from raqmana.kernel import personal_cache

pytestmark = pytest.mark.django_db


class Someone:
    def __init__(self, pk):
        self.pk = pk


def counted():
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    return compute, calls


def test_what_is_known_is_worked_out_once_per_version(committed):
    compute, calls = counted()
    for _ in range(3):
        assert personal_cache.remembered_for(Someone(41), "facts", compute) == 1
    personal_cache.person_changed(41)
    committed()
    for _ in range(3):
        assert personal_cache.remembered_for(Someone(41), "facts", compute) == 2
    assert personal_cache.remembered_for(Someone(42), "facts", compute) == 3  # another person, kept apart
    assert len(calls) == 3


def test_a_change_made_by_another_process_is_seen_through_the_shared_version():
    """Another process shares only the cache: its change draws a new version there, and this process's own memory,
    keyed by version, is not read for it again."""
    compute, _calls = counted()
    person = Someone(43)
    personal_cache.remembered_for(person, "facts", compute)
    cache.set("person:43:version", "drawn-elsewhere")  # what person_changed does in the other process
    assert personal_cache.remembered_for(Someone(43), "facts", compute) == 2
    assert personal_cache.remembered_for(person, "facts", compute) == 1  # a request's object keeps its version


def test_a_request_object_reads_the_version_again_after_a_change_in_this_process(committed):
    compute, _calls = counted()
    person = Someone(44)
    personal_cache.remembered_for(person, "facts", compute)
    personal_cache.person_changed(44)
    committed()
    assert personal_cache.remembered_for(person, "facts", compute) == 2
    assert personal_cache.remembered_for(person, "facts", compute) == 2


def test_nothing_is_kept_from_inside_the_transaction_that_changes_the_person(committed):
    compute, calls = counted()
    with transaction.atomic():
        personal_cache.person_changed(45)
        personal_cache.remembered_for(Someone(45), "facts", compute)
        personal_cache.remembered_for(Someone(45), "facts", compute)
    assert len(calls) == 2
    committed()
    personal_cache.remembered_for(Someone(45), "facts", compute)
    personal_cache.remembered_for(Someone(45), "facts", compute)
    assert len(calls) == 3


def test_a_kept_account_holds_no_password_nor_enrolment_hash_and_still_checks_a_password(committed):
    user = User.objects.create_user(email="amina@example.ma", password="a long password 1", full_name="Amina")
    user.enrolment_code_hash = "pbkdf2_sha256$enrolment-secret"
    user.save()
    committed()
    session_hash = user.get_session_auth_hash()
    kept = signed_in_account(user.pk)
    assert kept.get_session_auth_hash() == session_hash
    stored = [value for key, value in caches["people"]._cache.items() if "accounts.account" in key]
    shared = cache.get(next(key.split(":", 2)[2] for key in caches["people"]._cache if "accounts.account" in key))
    for pickled in [*stored, pickle.dumps(shared)]:
        assert user.password.encode() not in pickled and b"enrolment-secret" not in pickled
    assert kept.check_password("a long password 1")  # the password is read from the database when asked for


def test_a_kept_account_whose_password_changes_gets_a_new_session_hash():
    user = User.objects.create_user(email="amina@example.ma", password="a long password 1", full_name="Amina")
    kept = signed_in_account(user.pk)
    kept.set_password("another long password")
    assert kept.get_session_auth_hash() != user.get_session_auth_hash()
