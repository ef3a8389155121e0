"""Act numbers: the office's yearly sequence, with no duplicate and no gap, even under parallel signatures."""

from concurrent.futures import ThreadPoolExecutor
from unittest import mock

import pytest
from django.db import IntegrityError, connection, connections

from raqmana.access.roles import Role
from raqmana.access.services import grant_role
from raqmana.accounts.tests.factories import UserFactory
from raqmana.civil_status.constants import ActKind
from raqmana.civil_status.models import Act
from raqmana.civil_status.services.acts import draft_act, sign_act


def test_a_failed_signature_gives_its_number_back(db, temara_office, agent, officer, birth_data):
    first = sign_act(draft_act(temara_office, ActKind.BIRTH, birth_data, by=agent), by=officer)
    failing = draft_act(temara_office, ActKind.BIRTH, birth_data, by=agent)
    with (
        mock.patch("raqmana.civil_status.services.acts.unused_idcs", side_effect=IntegrityError("boom")),
        pytest.raises(IntegrityError),
    ):
        sign_act(failing, by=officer)
    following = sign_act(draft_act(temara_office, ActKind.BIRTH, birth_data, by=agent), by=officer)
    assert (first.number, following.number) == (1, 2)
    assert Act.objects.get(pk=failing.pk).number is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel signatures need PostgreSQL's row locks")
def test_parallel_signatures_take_every_number_once(territories_in_transactional_db, birth_data):
    from raqmana.territories.models import CivilStatusOffice

    office = CivilStatusOffice.objects.get(territory__code="04.501.01.07")
    agent, officers = UserFactory(), [UserFactory() for _ in range(4)]
    grant_role(agent, Role.CIVIL_STATUS_AGENT, unit=office, by=None, reason="test")
    for officer in officers:
        grant_role(officer, Role.CIVIL_STATUS_OFFICER, unit=office, by=None, reason="test")
    drafts = [draft_act(office, ActKind.BIRTH, birth_data, by=agent) for _ in range(60)]

    def sign(index):
        try:
            return sign_act(drafts[index], by=officers[index % len(officers)]).number
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=8) as pool:
        numbers = list(pool.map(sign, range(len(drafts))))

    assert sorted(numbers) == list(range(1, len(drafts) + 1))
    assert Act.objects.filter(office=office, number__isnull=False).count() == len(drafts)
    assert len(set(Act.objects.values_list("idcs", flat=True))) == len(drafts)


def test_each_register_numbers_apart_in_one_office_and_year(db, temara_office):
    """The kernel's sequences are kept by (register, unit, year): acts and another register of the same office do not
    share numbers."""
    from raqmana.civil_status.constants import ACT_REGISTER
    from raqmana.kernel.sequences import Sequence, next_number, reserve_numbers

    assert reserve_numbers(ACT_REGISTER, {(temara_office.pk, 2026): 3}) == {(temara_office.pk, 2026): 3}
    assert next_number("tests.other_register", temara_office, 2026) == 1
    assert next_number(ACT_REGISTER, temara_office, 2026) == 4
    assert next_number(ACT_REGISTER, temara_office, 2027) == 1
    assert Sequence.objects.filter(unit=temara_office).count() == 3
