"""Places and people the tests of every service share (a pytest plugin, named in the root conftest.py): Témara and
Skhirate, two communes of the prefecture of Skhirate-Témara, and `holding`, a person holding a role somewhere."""

import pytest

from raqmana.access.services import grant_role
from raqmana.accounts.tests.factories import UserFactory
from raqmana.territories.models import Territory

TEMARA, SKHIRATE = "04.501.01.07", "04.501.01.05"


def holding(role, name="", **place):
    """A new person holding `role` at `place` (territory=... or unit=...), named `name`."""
    person = UserFactory(full_name=name) if name else UserFactory()
    grant_role(person, role, by=None, reason="test", **place)
    return person


@pytest.fixture
def temara(db):
    return Territory.objects.get(code=TEMARA)


@pytest.fixture
def skhirate(db):
    return Territory.objects.get(code=SKHIRATE)
