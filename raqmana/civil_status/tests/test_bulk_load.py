"""Loading digitised paper registers in bulk: numbers continue each office's yearly sequence, births get their
IDCS, and one bad row stops the batch."""

from unittest import mock

import pytest
from django.core.exceptions import ValidationError

from raqmana.audit.models import AuditEvent
from raqmana.civil_status.constants import ACT_REGISTER, ActKind
from raqmana.civil_status.idcs import is_valid_idcs
from raqmana.civil_status.models import Act
from raqmana.civil_status.services.acts import draft_act, sign_act
from raqmana.civil_status.services.bulk_load import load_historical_acts
from raqmana.civil_status.synthetic import ActGenerator
from raqmana.kernel.sequences import Sequence, reserve_numbers
from raqmana.territories.constants import Level
from raqmana.territories.models import CivilStatusOffice, Territory

pytestmark = pytest.mark.django_db


@pytest.fixture
def generator():
    communes = list(Territory.objects.filter(level=Level.COMMUNE))
    offices = dict(CivilStatusOffice.objects.filter(territory__level=Level.COMMUNE).values_list("territory_id", "pk"))
    return ActGenerator(communes, offices, seed=7)


def test_a_bulk_load_continues_each_sequence_and_gives_births_an_idcs(
    generator, temara_office, agent, officer, birth_data
):
    signed = sign_act(draft_act(temara_office, ActKind.BIRTH, birth_data, by=agent), by=officer)
    rows = [generator.birth(agent.pk) for _ in range(300)]
    rows += [{**generator.birth(agent.pk), "office_id": temara_office.pk, "year": signed.year} for _ in range(5)]
    assert load_historical_acts(rows, by=agent, reason="Digitising the 1975 registers") == 305

    loaded = Act.objects.exclude(pk=signed.pk)
    temara = loaded.filter(office=temara_office, year=signed.year).values_list("number", flat=True)
    assert sorted(temara) == [2, 3, 4, 5, 6]
    for sequence in Sequence.objects.filter(register=ACT_REGISTER):
        numbers = sorted(
            Act.objects.filter(office=sequence.unit_id, year=sequence.year).values_list("number", flat=True)
        )
        assert numbers == list(range(1, sequence.last_number + 1))
    idcs = list(loaded.values_list("idcs", flat=True))
    assert len(set(idcs)) == 305 and all(is_valid_idcs(value) for value in idcs)
    assert not loaded.filter(name_key_latin="").exists()
    event = AuditEvent.objects.get(action="act.batch_loaded")
    assert event.details == {"acts": 305} and event.reason == "Digitising the 1975 registers"


def test_one_impossible_row_stops_the_whole_batch(generator, agent):
    rows = [generator.birth(agent.pk) for _ in range(10)]
    rows[6]["mother_birth_date"] = rows[6]["birth_date"]
    with pytest.raises(ValidationError):
        load_historical_acts(rows, by=agent, reason="Digitising")
    assert not Act.objects.exists() and not Sequence.objects.exists()


def test_numbers_are_reserved_in_thousands_of_sequences_at_once():
    """One statement, whatever the number of sequences: no limit on parameters is reached."""
    offices = list(CivilStatusOffice.objects.values_list("pk", flat=True))
    counts = {(office, year): 3 for office in offices for year in range(1990, 2002)}
    assert len(counts) > 18_000
    assert set(reserve_numbers(ACT_REGISTER, counts).values()) == {3}
    assert set(reserve_numbers(ACT_REGISTER, counts).values()) == {6}


def test_an_idcs_taken_meanwhile_by_a_concurrent_load_is_drawn_again(generator, agent):
    """Between the check that the drawn IDCS are free and the insert, another load may commit one of them."""
    first = [generator.birth(agent.pk) for _ in range(3)]
    load_historical_acts(first, by=agent, reason="Digitising")
    taken = Act.objects.values_list("idcs", flat=True).first()
    draws = iter([taken, "350000000002", "350000000018", "350000000025"])
    with (
        mock.patch("raqmana.civil_status.services.acts.idcs_in_use", return_value=set()),
        mock.patch("raqmana.civil_status.services.acts.new_idcs", side_effect=lambda: next(draws)),
    ):
        load_historical_acts([generator.birth(agent.pk)], by=agent, reason="Digitising")
    assert Act.objects.count() == 4 and Act.objects.filter(idcs="350000000002").exists()


def test_a_name_out_of_its_script_stops_the_batch_and_is_named(generator, agent):
    rows = [generator.birth(agent.pk) for _ in range(5)]
    rows[3]["family_name_latin"] = "Alaoui\u202eTSET"
    with pytest.raises(ValidationError) as refused:
        load_historical_acts(rows, by=agent, reason="Digitising")
    assert list(refused.value.message_dict) == ["4.family_name_latin"]
    assert not Act.objects.exists()
