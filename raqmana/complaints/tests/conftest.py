"""Complaints fixtures: Témara and Skhirate (both in the prefecture of Skhirate-Témara), a complainant, Témara's
handler and supervisor, Skhirate's handler, and the prefecture's governor's services."""

import pytest

from raqmana.access.roles import Role
from raqmana.access.services import grant_role
from raqmana.accounts.tests.factories import UserFactory
from raqmana.complaints.services import file_complaint
from raqmana.kernel.tests.scanner import clamav, scanner_away  # noqa: F401 (fixtures)
from raqmana.territories.models import Territory


@pytest.fixture
def temara(db):
    return Territory.objects.get(code="04.501.01.07")


@pytest.fixture
def skhirate(db):
    return Territory.objects.get(code="04.501.01.05")


@pytest.fixture
def complainant(db):
    return UserFactory(full_name="Salma Idrissi")


def _holding(role, place, name):
    user = UserFactory(full_name=name)
    grant_role(user, role, territory=place, by=None, reason="test")
    return user


@pytest.fixture
def handler(temara):
    return _holding(Role.COMPLAINTS_HANDLER, temara, "Nadia Handler")


@pytest.fixture
def supervisor(temara):
    return _holding(Role.COMPLAINTS_SUPERVISOR, temara, "Omar Supervisor")


@pytest.fixture
def skhirate_handler(skhirate):
    return _holding(Role.COMPLAINTS_HANDLER, skhirate, "Rachid Skhirate")


@pytest.fixture
def governor_services(temara):
    return _holding(Role.GOVERNOR_SERVICES, temara.parent, "Services du gouverneur")


@pytest.fixture
def filed(complainant, temara):
    def file(**changes):
        given = {
            "by": complainant,
            "kind": "complaint",
            "category": "cleanliness",
            "commune": temara,
            "subject": "Ordures non ramassées",
            "text": "Les ordures de la rue Atlas ne sont plus ramassées depuis deux semaines.",
            **changes,
        }
        return file_complaint(**given)[0]

    return file
