"""Complaints fixtures: Témara and Skhirate (both in the prefecture of Skhirate-Témara), a complainant, Témara's
handler and supervisor, Skhirate's handler, and the prefecture's governor's services."""

import pytest

from raqmana.access.roles import Role
from raqmana.access.tests.fixtures import holding
from raqmana.accounts.tests.factories import UserFactory
from raqmana.complaints.services import file_complaint
from raqmana.kernel.tests.scanner import clamav, scanner_away  # noqa: F401 (fixtures)


@pytest.fixture
def complainant(db):
    return UserFactory(full_name="Salma Idrissi")


@pytest.fixture
def handler(temara):
    return holding(Role.COMPLAINTS_HANDLER, "Nadia Handler", territory=temara)


@pytest.fixture
def supervisor(temara):
    return holding(Role.COMPLAINTS_SUPERVISOR, "Omar Supervisor", territory=temara)


@pytest.fixture
def skhirate_handler(skhirate):
    return holding(Role.COMPLAINTS_HANDLER, "Rachid Skhirate", territory=skhirate)


@pytest.fixture
def governor_services(temara):
    return holding(Role.GOVERNOR_SERVICES, "Services du gouverneur", territory=temara.parent)


@pytest.fixture
def filed(complainant, temara):
    def file(**changes):
        given = {
            "by": complainant,
            "kind": "complaint",
            "category": "cleanliness",
            "collectivity": temara,
            "subject": "Ordures non ramassées",
            "text": "Les ordures de la rue Atlas ne sont plus ramassées depuis deux semaines.",
            **changes,
        }
        return file_complaint(**given)[0]

    return file
