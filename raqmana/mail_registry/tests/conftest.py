"""Mail registry fixtures: Témara and Skhirate, a mail registry agent in each, Témara's president and permits agent."""

import pytest

from raqmana.access.roles import Role
from raqmana.access.services import grant_role
from raqmana.accounts.tests.factories import UserFactory
from raqmana.kernel.tests.scanner import clamav, scanner_away  # noqa: F401 (fixtures)
from raqmana.mail_registry.services import register_letter
from raqmana.territories.models import Territory


@pytest.fixture
def temara(db):
    return Territory.objects.get(code="04.501.01.07")


@pytest.fixture
def skhirate(db):
    return Territory.objects.get(code="04.501.01.05")


def _holding(role, place, name):
    user = UserFactory(full_name=name)
    grant_role(user, role, territory=place, by=None, reason="test")
    return user


@pytest.fixture
def clerk(temara):
    return _holding(Role.MAIL_REGISTRY_AGENT, temara, "Khadija Amrani")


@pytest.fixture
def skhirate_clerk(skhirate):
    return _holding(Role.MAIL_REGISTRY_AGENT, skhirate, "Hind Skhirate")


@pytest.fixture
def president(temara):
    return _holding(Role.COMMUNE_PRESIDENT, temara, "Hassan Alaoui")


@pytest.fixture
def permits_agent(temara):
    return _holding(Role.PERMITS_AGENT, temara, "Omar Tazi")


@pytest.fixture
def registered(clerk, temara):
    def register(**changes):
        given = {
            "by": clerk,
            "commune": temara,
            "direction": "incoming",
            "correspondent": "Agence urbaine de Rabat-Salé",
            "subject": "Avis sur le plan d'aménagement du secteur Nord",
            **changes,
        }
        return register_letter(**given)

    return register
