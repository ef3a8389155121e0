"""Loading digitised paper registers in bulk: each act keeps its paper number (its number in the register when
plain), the sequences are raised past them, births get their IDCS, one bad row stops the batch, and a load run
again skips and reports what the register already holds."""

from concurrent.futures import ThreadPoolExecutor
from datetime import date
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone, translation

from raqmana.audit.models import AuditEvent
from raqmana.civil_status.constants import ACT_REGISTER, ActKind
from raqmana.civil_status.idcs import is_valid_idcs
from raqmana.civil_status.models import Act
from raqmana.civil_status.services.acts import draft_act, sign_act
from raqmana.civil_status.services.bulk_load import LoadResult, load_historical_acts
from raqmana.civil_status.synthetic import ActGenerator
from raqmana.kernel.sequences import Sequence, raise_numbers, reserve_numbers
from raqmana.territories.constants import Level
from raqmana.territories.models import CivilStatusOffice, Territory

pytestmark = pytest.mark.django_db


@pytest.fixture
def generator():
    communes = list(Territory.objects.filter(level=Level.COMMUNE))
    offices = dict(CivilStatusOffice.objects.filter(territory__level=Level.COMMUNE).values_list("territory_id", "pk"))
    return ActGenerator(communes, offices, seed=7)


@pytest.fixture
def temara_rows(temara_office, agent):
    """Births of Témara's paper register of 1985, numbered from 1 in volume 1 (as `temara_rows(5)` gives five)."""
    temara = temara_office.territory
    generator = ActGenerator([temara], {temara.pk: temara_office.pk}, seed=5)

    def rows(count, year=1985):
        drawn = []
        for number in range(1, count + 1):
            row = generator.birth(agent.pk)
            declared = min(date(year, 1 + number % 12, 1 + number % 28), timezone.localdate())
            row.update(year=year, register_volume="1", paper_number=str(number), declared_on=declared)
            row.update(birth_date=declared, mother_birth_date=None, signed_at=timezone.now())
            drawn.append(row)
        return drawn

    return rows


def test_paper_numbers_are_the_register_numbers_and_births_get_an_idcs(generator, agent):
    rows = [generator.birth(agent.pk) for _ in range(300)]
    assert load_historical_acts(rows, by=agent, reason="Digitising the 1975 registers") == LoadResult(loaded=300)

    for row in rows:
        act = Act.objects.get(office=row["office_id"], year=row["year"], number=int(row["paper_number"]))
        assert (act.register_volume, act.paper_number, act.first_name_ar) == (
            row["register_volume"], row["paper_number"], row["first_name_ar"]
        )  # fmt: skip
    for sequence in Sequence.objects.filter(register=ACT_REGISTER):
        numbers = Act.objects.filter(office=sequence.unit_id, year=sequence.year).values_list("number", flat=True)
        assert max(numbers) == sequence.last_number
    idcs = list(Act.objects.values_list("idcs", flat=True))
    assert len(set(idcs)) == 300 and all(is_valid_idcs(value) for value in idcs)
    assert not Act.objects.filter(name_key_latin="").exists()
    event = AuditEvent.objects.get(action="act.batch_loaded")
    assert event.details == {"acts": 300, "already_loaded": 0, "repeated": 0}
    assert event.reason == "Digitising the 1975 registers"


def test_a_load_run_again_skips_and_reports_what_the_register_holds(temara_rows, agent):
    rows = temara_rows(10)
    first = load_historical_acts(rows[:4], by=agent, reason="Digitising, stopped half-way")
    idcs = set(Act.objects.values_list("idcs", flat=True))

    again = load_historical_acts(rows, by=agent, reason="Digitising, run again")
    assert (first.loaded, again) == (4, LoadResult(loaded=6, already_loaded=[1, 2, 3, 4]))
    assert idcs < set(Act.objects.values_list("idcs", flat=True))
    assert sorted(Act.objects.values_list("number", flat=True)) == list(range(1, 11))

    assert load_historical_acts(rows, by=agent, reason="Once more") == LoadResult(already_loaded=list(range(1, 11)))
    assert Act.objects.count() == 10
    assert AuditEvent.objects.filter(action="act.batch_loaded").count() == 2  # nothing loaded, nothing recorded


def test_rows_repeated_in_one_load_are_loaded_once_and_reported(temara_rows, agent):
    rows = temara_rows(3)
    # The same paper act typed twice, as written ("2" and " 2 " are one number as written).
    rows += [{**rows[1], "first_name_ar": "مريم"}, {**rows[0], "paper_number": " 1 "}]
    result = load_historical_acts(rows, by=agent, reason="Digitising")
    assert result == LoadResult(loaded=3, repeated=[(4, 2), (5, 1)])
    assert Act.objects.get(number=2).first_name_ar == rows[1]["first_name_ar"]


def test_a_bis_number_is_kept_as_written_and_takes_the_next_number(
    temara_rows, temara_office, agent, officer, birth_data
):
    rows = temara_rows(4)
    bis = {**rows[2], "paper_number": "3 مكرر", "first_name_ar": "زينب"}
    assert load_historical_acts([*rows[:3], bis, rows[3]], by=agent, reason="Digitising").loaded == 5

    act = Act.objects.get(paper_number="3 مكرر")
    assert (act.number, act.register_volume, act.reference) == (5, "1", f"{temara_office.code}/1985/5")
    assert load_historical_acts([bis], by=agent, reason="again") == LoadResult(already_loaded=[1])
    assert Sequence.objects.get(register=ACT_REGISTER, unit=temara_office, year=1985).last_number == 5


def test_the_sequence_is_raised_past_the_paper_numbers_of_the_current_year(
    temara_rows, temara_office, agent, officer, birth_data
):
    this_year = timezone.localdate().year
    rows = temara_rows(3, year=this_year)
    rows[2]["paper_number"] = "41"
    load_historical_acts(rows, by=agent, reason="Digitising this year's paper register")
    signed = sign_act(draft_act(temara_office, ActKind.BIRTH, birth_data, by=agent), by=officer)
    assert (signed.year, signed.number) == (this_year, 42)


def test_a_number_another_act_holds_is_refused_naming_the_row(temara_rows, temara_office, agent, officer, birth_data):
    signed = sign_act(draft_act(temara_office, ActKind.BIRTH, birth_data, by=agent), by=officer)
    rows = temara_rows(3, year=signed.year)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        load_historical_acts(rows, by=agent, reason="Digitising")
    assert refused.value.message_dict == {
        "1.paper_number": [f"Number 1 of {signed.year} is already another act's in this office's register."]
    }
    assert list(Act.objects.all()) == [signed]


def test_one_number_twice_in_a_load_is_refused_naming_both_rows(temara_rows, agent):
    rows = temara_rows(3)
    rows[2].update(register_volume="2", paper_number="0002")  # "0002" of volume 2 is number 2 again
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        load_historical_acts(rows, by=agent, reason="Digitising")
    assert refused.value.message_dict == {"3.paper_number": ["Row 2 has the same number in this register."]}
    assert not Act.objects.exists()


def test_paper_numbers_in_arabic_indic_digits_are_plain_numbers(temara_rows, agent):
    rows = temara_rows(1)
    rows[0]["paper_number"] = "١٢٣"
    load_historical_acts(rows, by=agent, reason="Digitising")
    assert Act.objects.get().number == 123


def test_a_digitised_act_names_its_place_in_the_paper_register(temara_rows, agent):
    for changes, named in (
        ({"paper_number": "  "}, "1.paper_number"),
        ({"register_volume": ""}, "1.register_volume"),
        ({"year": None}, "1.year"),
        ({"paper_number": "0"}, "1.paper_number"),
        ({"paper_number": "12\u202e"}, "1.paper_number"),
    ):
        with pytest.raises(ValidationError) as refused:
            load_historical_acts([{**temara_rows(1)[0], **changes}], by=agent, reason="Digitising")
        assert named in refused.value.message_dict
    assert not Act.objects.exists()


@pytest.mark.parametrize("paper_number", ["-5", "abc", "12.5", "12 a", "bis"])
def test_a_paper_number_that_is_no_act_number_is_refused_naming_the_row(temara_rows, agent, paper_number):
    rows = temara_rows(2)
    rows[1]["paper_number"] = paper_number
    with translation.override("en"):
        with pytest.raises(ValidationError) as refused:
            load_historical_acts(rows, by=agent, reason="Digitising")
        assert list(refused.value.message_dict) == ["2.paper_number"]
        assert refused.value.message_dict["2.paper_number"][0].startswith("An act number is written in digits")
    assert not Act.objects.exists()


def test_the_words_of_an_inserted_act_are_kept_in_one_spelling(temara_rows, agent):
    rows = temara_rows(2)
    inserted = [{**rows[0], "paper_number": typed} for typed in ("1 BIS", "1 ter", "1 مكرر", "1مكرر مرتين")]
    assert load_historical_acts([*rows, *inserted], by=agent, reason="Digitising").loaded == 6
    assert sorted(Act.objects.filter(number__gt=2).values_list("paper_number", flat=True)) == sorted(
        ["1 bis", "1 ter", "1 مكرر", "1 مكرر مرتين"]
    )
    again = load_historical_acts([{**rows[0], "paper_number": "1bis"}], by=agent, reason="again")
    assert again == LoadResult(already_loaded=[1])


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("declarant_name", "محمد\x00العلوي"),
        ("first_name_latin", "Amina\x07"),
        ("paper_number", "3\x00"),
        ("register_volume", "1\x1b"),
        ("kind", "birth\x00"),
        ("birth_date_hijri", "1405-01-01\x00"),
        ("declarant_relation", "\x00"),
    ],
)
def test_a_control_character_in_any_value_is_refused_before_the_database(temara_rows, agent, field, value):
    """Direct callers too: PostgreSQL's COPY cannot take a NUL, and no act keeps a character one cannot see."""
    rows = temara_rows(3)
    rows[2][field] = value
    with translation.override("en"):
        with pytest.raises(ValidationError) as refused:
            load_historical_acts(rows, by=agent, reason="Digitising")
        assert list(refused.value.message_dict) == [f"3.{field}"]
        assert "invisible control character (U+00" in refused.value.message_dict[f"3.{field}"][0]
    assert not Act.objects.exists()


def test_one_impossible_row_stops_the_whole_batch_and_is_named(generator, agent):
    rows = [generator.birth(agent.pk) for _ in range(10)]
    rows[6]["mother_birth_date"] = rows[6]["birth_date"]
    with pytest.raises(ValidationError) as refused:
        load_historical_acts(rows, by=agent, reason="Digitising")
    assert list(refused.value.message_dict) == ["7.mother_birth_date"]
    assert not Act.objects.exists() and not Sequence.objects.exists()


def test_numbers_are_reserved_in_thousands_of_sequences_at_once():
    """One statement, whatever the number of sequences: no limit on parameters is reached."""
    offices = list(CivilStatusOffice.objects.values_list("pk", flat=True))
    counts = {(office, year): 3 for office in offices for year in range(1990, 2002)}
    assert len(counts) > 18_000
    assert set(reserve_numbers(ACT_REGISTER, counts).values()) == {3}
    assert set(reserve_numbers(ACT_REGISTER, counts).values()) == {6}


def test_a_sequence_is_raised_to_at_least_a_floor_and_never_lowered(temara_office):
    office = temara_office.pk
    assert raise_numbers(ACT_REGISTER, {(office, 1985): 40, (office, 1986): 0}) == {
        (office, 1985): 40,
        (office, 1986): 0,
    }
    assert raise_numbers(ACT_REGISTER, {(office, 1985): 12}) == {(office, 1985): 40}
    assert reserve_numbers(ACT_REGISTER, {(office, 1985): 1, (office, 1986): 1}) == {
        (office, 1985): 41,
        (office, 1986): 1,
    }
    assert raise_numbers(ACT_REGISTER, {}) == {}


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


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent loads need PostgreSQL's row locks")
def test_concurrent_loads_of_one_register_write_each_act_once(territories_in_transactional_db):
    from raqmana.accounts.tests.factories import UserFactory

    office = CivilStatusOffice.objects.get(territory__code="04.501.01.07")
    loader = UserFactory()
    generator = ActGenerator([office.territory], {office.territory_id: office.pk}, seed=9)
    rows = [generator.birth(loader.pk) for _ in range(2000)]

    def load(rows):
        try:
            return load_historical_acts([dict(row) for row in rows], by=loader, reason="Digitising")
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(load, [rows, rows[500:], rows[:1500], rows]))

    assert sum(result.loaded for result in results) == 2000
    assert sum(len(result.already_loaded) for result in results) == 2000 + 1500 + 1500 + 2000 - 2000
    assert Act.objects.count() == 2000
    assert Act.objects.values("idcs").distinct().count() == 2000
