"""Mail registry fixtures: Témara and Skhirate, a mail registry agent in each, Témara's president and permits agent."""

import pytest

from raqmana.access.roles import Role
from raqmana.access.tests.fixtures import holding
from raqmana.kernel.tests.scanner import clamav, scanner_away  # noqa: F401 (fixtures)
from raqmana.mail_registry.services import register_letter


@pytest.fixture
def clerk(temara):
    return holding(Role.MAIL_REGISTRY_AGENT, "Khadija Amrani", territory=temara)


@pytest.fixture
def skhirate_clerk(skhirate):
    return holding(Role.MAIL_REGISTRY_AGENT, "Hind Skhirate", territory=skhirate)


@pytest.fixture
def president(temara):
    return holding(Role.COMMUNE_PRESIDENT, "Hassan Alaoui", territory=temara)


@pytest.fixture
def permits_agent(temara):
    return holding(Role.PERMITS_AGENT, "Omar Tazi", territory=temara)


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
