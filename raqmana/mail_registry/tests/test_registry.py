"""The mail registry: numbering without gaps per commune, year and direction, answers and links, confidentiality,
search and the day's register, scoping; refusals on their field, numbering nothing."""

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from raqmana.audit.models import AuditEvent
from raqmana.kernel.tests import samples
from raqmana.mail_registry import selectors
from raqmana.mail_registry.models import MailEntry
from raqmana.mail_registry.selectors import Search
from raqmana.mail_registry.services import register_letter

pytestmark = pytest.mark.django_db


def test_each_direction_is_numbered_from_one_each_year_in_its_commune(registered, skhirate_clerk, skhirate):
    first, second = registered(), registered()
    outgoing = registered(direction="outgoing", correspondent="Wilaya de Rabat", subject="Transmission")
    elsewhere = register_letter(
        by=skhirate_clerk, commune=skhirate, direction="incoming", correspondent="Citoyen", subject="Demande"
    )
    year = timezone.localdate().year
    assert [first.reference, second.reference, outgoing.reference] == [f"A-{year}/1", f"A-{year}/2", f"D-{year}/1"]
    assert elsewhere.number == 1 and elsewhere.unit != first.unit
    assert AuditEvent.objects.filter(action="mail.registered", target_id=str(first.pk)).exists()


def test_an_outgoing_letter_answers_an_incoming_one_once(registered):
    incoming = registered(answer_due_on=timezone.localdate() + timedelta(days=10))
    answer = registered(direction="outgoing", correspondent="Agence urbaine", subject="Réponse", in_reply_to=incoming)
    assert incoming.answered_by == answer
    with pytest.raises(ValidationError) as twice:
        registered(direction="outgoing", correspondent="Agence urbaine", subject="Bis", in_reply_to=incoming)
    assert "in_reply_to" in twice.value.message_dict
    with pytest.raises(ValidationError) as backwards:
        registered(in_reply_to=answer)
    assert "in_reply_to" in backwards.value.message_dict


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"direction": "sideways"}, "direction"),
        ({"correspondent": " "}, "correspondent"),
        ({"subject": "x" * 301}, "subject"),
        ({"subject": "Objet\u202e"}, "subject"),
        ({"letter_date": timezone.localdate() + timedelta(days=3)}, "letter_date"),
        ({"answer_due_on": timezone.localdate() - timedelta(days=1)}, "answer_due_on"),
        ({"direction": "outgoing", "answer_due_on": timezone.localdate()}, "answer_due_on"),
    ],
)
def test_bad_input_is_refused_on_its_field_and_numbers_nothing(registered, changes, field):
    with pytest.raises(ValidationError) as refused:
        registered(**changes)
    assert field in refused.value.message_dict
    assert not MailEntry.objects.exists()
    assert registered().number == 1  # no number was used


def test_only_the_commune_s_mail_registry_registers_its_mail(temara, president, skhirate_clerk, permits_agent):
    for outsider in (president, skhirate_clerk, permits_agent):
        with pytest.raises(PermissionDenied):
            register_letter(by=outsider, commune=temara, direction="incoming", correspondent="X", subject="Y")


def test_scans_are_kept_rewritten_and_opened_by_those_who_read_the_letter(
    registered, clerk, permits_agent, skhirate_clerk, president, clamav
):
    scan = SimpleUploadedFile("lettre.pdf", samples.pdf(b"BT /F1 12 Tf (lettre) Tj ET"))
    letter = registered(files=[scan], confidential=True)
    kept = letter.files.get()
    assert selectors.open_file(clerk, kept.pk) == kept
    assert selectors.open_file(president, kept.pk) == kept
    assert selectors.open_file(permits_agent, kept.pk) is None  # reads the register, not confidential mail
    assert selectors.open_file(skhirate_clerk, kept.pk) is None
    assert AuditEvent.objects.filter(action="mail.file_read", target_id=str(letter.pk)).count() == 2


def test_search_and_the_day_s_register_stay_in_the_reader_s_communes(
    registered, permits_agent, skhirate_clerk, skhirate, clerk
):
    plain = registered(correspondent="Lydec", subject="Coupure d'eau programmée")
    secret = registered(correspondent="Wilaya", subject="Enquête administrative", confidential=True)
    register_letter(by=skhirate_clerk, commune=skhirate, direction="incoming", correspondent="Lydec", subject="Eau")
    assert selectors.search(clerk, Search(correspondent="lydec")) == [plain]
    assert selectors.search(clerk, Search(subject="enquête")) == [secret]
    assert selectors.search(permits_agent, Search(subject="enquête")) == []  # a confidential subject is not searched
    assert selectors.search(clerk, Search(number=plain.reference)) == [plain]
    assert selectors.search(clerk, Search(number=f"{plain.year}/{plain.number}", direction="incoming")) == [plain]
    assert selectors.search(clerk, Search(number="A-٢٠٢٦/١")) == []  # digits as typed in ASCII only
    assert selectors.search(clerk, Search(number="nonsense/x")) == []
    today = timezone.localdate()
    assert selectors.day_register(clerk, today) == [plain, secret]
    assert selectors.day_register(clerk, today - timedelta(days=1)) == []
    assert not selectors.shows_confidential(permits_agent, secret) and selectors.shows_confidential(clerk, secret)
    assert len(selectors.day_register(skhirate_clerk, today)) == 1


@pytest.mark.django_db(transaction=True)
def test_letters_registered_at_once_take_consecutive_numbers(territories_in_transactional_db, temara):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time: numbers cannot race there")
    from raqmana.access.roles import Role
    from raqmana.access.services import grant_role
    from raqmana.accounts.tests.factories import UserFactory

    clerk = UserFactory()
    grant_role(clerk, Role.MAIL_REGISTRY_AGENT, territory=temara, by=None, reason="test")
    errors = []

    def register():
        try:
            register_letter(by=clerk, commune=temara, direction="incoming", correspondent="X", subject="Y")
        except Exception as error:  # reported below: a thread's failure must fail the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=register) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    numbers = sorted(MailEntry.objects.values_list("number", flat=True))
    assert numbers == list(range(1, 21))


def test_the_search_by_part_of_a_name_or_subject_has_trigram_indexes_on_postgresql(db):
    if connection.vendor != "postgresql":
        pytest.skip("pg_trgm is PostgreSQL's: SQLite reads the letters in reach")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'mail_registry_mailentry'")
        names = {row[0] for row in cursor.fetchall()}
    assert {"mail_correspondent_trgm", "mail_subject_trgm"} <= names
