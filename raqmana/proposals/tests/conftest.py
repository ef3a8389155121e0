"""Proposals fixtures: Témara's president and mail registry agent, Skhirate's permits agent, the governor's services
of the prefecture, a commission member (no collectivity official), and the DGCT."""

import pytest

from raqmana.access.roles import Role
from raqmana.access.services import grant_role
from raqmana.accounts.tests.factories import UserFactory
from raqmana.proposals import services
from raqmana.territories.models import Territory


@pytest.fixture
def temara(db):
    return Territory.objects.get(code="04.501.01.07")


@pytest.fixture
def skhirate(db):
    return Territory.objects.get(code="04.501.01.05")


def _holding(role, name, **place):
    user = UserFactory(full_name=name)
    grant_role(user, role, by=None, reason="test", **place)
    return user


@pytest.fixture
def president(temara):
    return _holding(Role.COMMUNE_PRESIDENT, "Hassan Alaoui", territory=temara)


@pytest.fixture
def skhirate_agent(skhirate):
    return _holding(Role.PERMITS_AGENT, "Omar Tazi", territory=skhirate)


@pytest.fixture
def governor_services(temara):
    return _holding(Role.GOVERNOR_SERVICES, "Services du gouverneur", territory=temara.parent)


@pytest.fixture
def urban_agency(temara):
    return _holding(Role.URBAN_AGENCY_AGENT, "Agence urbaine", territory=temara.parent)


@pytest.fixture
def dgct(db):
    return _holding(Role.DGCT, "Mehdi Benjelloun")


@pytest.fixture
def proposed(president, temara):
    def propose(**changes):
        given = {
            "by": president,
            "collectivity": temara,
            "title": "Attestation de résidence en ligne",
            "problem": "Le citoyen se déplace trois fois : demande, enquête du moqaddem, retrait.",
            "proposal": "Déposer la demande en ligne et recevoir l'attestation signée électroniquement.",
            **changes,
        }
        return services.submit(**given)

    return propose
