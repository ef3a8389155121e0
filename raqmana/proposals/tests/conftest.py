"""Proposals fixtures: Témara's president and mail registry agent, Skhirate's permits agent, the governor's services
of the prefecture, a commission member (no collectivity official), and the DGCT."""

import pytest

from raqmana.access.roles import Role
from raqmana.access.tests.fixtures import holding
from raqmana.proposals import services


@pytest.fixture
def president(temara):
    return holding(Role.COMMUNE_PRESIDENT, "Hassan Alaoui", territory=temara)


@pytest.fixture
def skhirate_agent(skhirate):
    return holding(Role.PERMITS_AGENT, "Omar Tazi", territory=skhirate)


@pytest.fixture
def governor_services(temara):
    return holding(Role.GOVERNOR_SERVICES, "Services du gouverneur", territory=temara.parent)


@pytest.fixture
def urban_agency(temara):
    return holding(Role.URBAN_AGENCY_AGENT, "Agence urbaine", territory=temara.parent)


@pytest.fixture
def dgct(db):
    return holding(Role.DGCT, "Mehdi Benjelloun")


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
