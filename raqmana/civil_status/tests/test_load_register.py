"""manage.py load_register: a digitised register's file loaded batch by batch, each line named in what it says, and
run again after any failure to load what is missing."""

import csv
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from raqmana.civil_status.models import Act
from raqmana.civil_status.synthetic import ActGenerator
from raqmana.territories.models import CivilStatusOffice, Territory

pytestmark = pytest.mark.django_db

# What a generated row holds that a register's file does not: the loader sets them.
NOT_IN_FILES = {"state", "drafted_by_id", "signed_by_id"}


def file_values(row):
    """A generated act as a register's file gives it: the office by its code, communes by their HCP code, dates
    and times in ISO format."""
    values = {}
    for name, value in row.items():
        if name in NOT_IN_FILES:
            continue
        if name == "office_id":
            name, value = "office", CivilStatusOffice.objects.get(pk=value).code
        elif name in ("birth_place_id", "death_place_id"):
            name, value = name.removesuffix("_id"), Territory.objects.get(pk=value).code if value else ""
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        values[name] = value
    return values


def write_register(path, rows):
    """The rows as CSV, or JSON Lines when the path ends in .jsonl."""
    lines = [file_values(row) for row in rows]
    with path.open("w", encoding="utf-8", newline="") as file:
        if path.suffix == ".jsonl":
            file.writelines(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
        else:
            writer = csv.DictWriter(file, fieldnames=list(lines[0]))
            writer.writeheader()
            writer.writerows(lines)
    return path


@pytest.fixture
def register_rows(temara_office, agent):
    temara = temara_office.territory
    generator = ActGenerator([temara], {temara.pk: temara_office.pk}, seed=4)

    def rows(count):
        """Acts of volume 1 of 1985, numbered from 1."""
        drawn = [generator.birth(agent.pk) for _ in range(count)]
        return [
            {**row, "year": 1985, "register_volume": "1", "paper_number": str(number)}
            for number, row in enumerate(drawn, 1)
        ]

    return rows


def load_register(path, *options, batch_size=10):
    out = StringIO()
    with translation.override("en"):
        call_command(
            "load_register",
            str(path),
            "--by",
            "Salma.Bennani@Example.org",
            "--reason",
            "Digitising Témara's 1985 register",
            "--batch-size",
            str(batch_size),
            *options,
            stdout=out,
        )
    return out.getvalue().splitlines()


@pytest.fixture
def loader(agent):
    agent.email = "salma.bennani@example.org"
    agent.save(update_fields=["email"])
    return agent


def test_a_file_is_loaded_batch_by_batch_then_found_loaded_when_run_again(tmp_path, register_rows, loader):
    rows = register_rows(25)
    register = write_register(tmp_path / "temara-1985.csv", rows)

    assert load_register(register) == [
        "Batch 1, lines 2 to 11. Loaded: 10; already in the register: 0.",
        "Batch 2, lines 12 to 21. Loaded: 10; already in the register: 0.",
        "Batch 3, lines 22 to 26. Loaded: 5; already in the register: 0.",
        "Done. Loaded: 25; already in the register: 0; repeated in the file: 0.",
    ]
    act = Act.objects.get(paper_number="7")
    assert (act.year, act.number, act.register_volume, act.state) == (1985, 7, "1", "signed")
    assert (act.first_name_ar, act.birth_place_id, act.drafted_by) == (
        rows[6]["first_name_ar"], rows[6]["birth_place_id"], loader
    )  # fmt: skip
    assert act.signed_at == rows[6]["signed_at"]

    again = load_register(register, "--verbosity", "2", batch_size=20)
    assert again[0] == "Batch 1, lines 2 to 21. Loaded: 0; already in the register: 20."
    assert again[1] == "Line 2: already in the register."
    assert again[-1] == "Done. Loaded: 0; already in the register: 25; repeated in the file: 0."
    assert Act.objects.count() == 25


def test_json_lines_with_repeated_and_bis_acts(tmp_path, register_rows, loader, temara_office):
    rows = register_rows(6)
    bis = {**rows[1], "paper_number": "2 مكرر", "first_name_ar": "زينب"}
    del rows[1]["signed_at"]  # signed on the day of its declaration, as the paper register says
    rows = [rows[0], rows[1], bis, rows[2], rows[1], *rows[3:]]
    register = write_register(tmp_path / "temara-1985.jsonl", rows)

    assert load_register(register, batch_size=2) == [
        "Batch 1, lines 1 to 2. Loaded: 2; already in the register: 0.",
        "Line 5: the same paper act as line 2, not loaded twice.",
        "Batch 2, lines 4 to 6. Loaded: 2; already in the register: 0.",
        "Batch 3, lines 7 to 8. Loaded: 2; already in the register: 0.",
        "Batch 4, lines 3 to 3. Loaded: 1; already in the register: 0.",
        "Done. Loaded: 7; already in the register: 0; repeated in the file: 1.",
    ]
    # The bis act comes after every plain number of its register, whichever batch they were in.
    assert Act.objects.get(paper_number="2 مكرر").number == 7
    assert Act.objects.get(paper_number="2").signed_at.date() == rows[1]["declared_on"]


def test_a_bad_line_stops_the_load_named_and_translated_and_a_second_run_completes_it(tmp_path, register_rows, loader):
    rows = register_rows(25)
    rows[13]["birth_date"] = "1985-02-30"
    register = write_register(tmp_path / "temara-1985.csv", rows)
    with pytest.raises(CommandError) as stopped:
        load_register(register)
    assert str(stopped.value).splitlines() == [
        "Line 15, birth_date: “1985-02-30” value has the correct format (YYYY-MM-DD) but it is an invalid date.",
        "Acts loaded before this line: 10 (batches committed: 1); none after it. Correct the file and run the "
        "command again: what the register holds is skipped.",
    ]
    assert Act.objects.count() == 10

    rows[13]["birth_date"] = rows[13]["declared_on"]
    write_register(register, rows)
    assert load_register(register)[-1] == "Done. Loaded: 15; already in the register: 10; repeated in the file: 0."
    assert sorted(Act.objects.values_list("number", flat=True)) == list(range(1, 26))


def test_one_number_twice_in_a_file_is_refused_naming_both_lines(tmp_path, register_rows, loader):
    rows = register_rows(14)
    rows[13].update(register_volume="2", paper_number="02")  # another volume, and the number of line 3
    register = write_register(tmp_path / "temara-1985.csv", rows)
    with pytest.raises(CommandError) as stopped:
        load_register(register)
    assert str(stopped.value).splitlines()[0] == "Line 15, paper_number: Line 3 has the same number in this register."
    assert Act.objects.count() == 10


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({"office": "99.999"}, "Line 1, office: No civil status office has the code 99.999."),
        ({"birth_place": "04.501"}, "Line 1, birth_place: No commune has the HCP code 04.501."),
        ({"sex": "X"}, "Line 1, sex: Value 'X' is not a valid choice."),
        ({"declared_on": ""}, "Line 1, declared_on: This field is required."),
        ({"paper_number": ""}, "Line 1, paper_number: This field is required."),
        (
            {"paper_number": "12.5"},
            "Line 1, paper_number: An act number is written in digits, alone or followed by one of these words: "
            "مكرر, مكرر مرتين, مكرر ثلاث مرات, bis, ter, quater.",
        ),
        ({"paper_number": 0}, "Line 1, paper_number: An act number is between 1 and 2,147,483,647."),
        (
            {"office": "\x00"},
            "Line 1, office: This text contains an invisible control character (U+0000, character 1): remove it.",
        ),
    ],
)
def test_a_value_no_act_can_hold_is_named(tmp_path, register_rows, loader, change, said):
    values = {**file_values(register_rows(1)[0]), **change}
    register = tmp_path / "register.jsonl"
    register.write_text(json.dumps(values) + "\n", encoding="utf-8")
    with pytest.raises(CommandError) as stopped:
        load_register(register)
    assert str(stopped.value).splitlines()[0] == said


def test_a_file_whose_columns_are_no_acts_is_refused_before_anything_is_loaded(tmp_path, register_rows, loader):
    register = write_register(tmp_path / "register.csv", register_rows(2))
    text = register.read_text(encoding="utf-8").replace("paper_number", "numero", 1)
    register.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError) as stopped:
        load_register(register)
    assert str(stopped.value).splitlines()[:2] == [
        "Line 1: No act has these fields: numero.",
        "Line 1: These columns are missing: paper_number.",
    ]
    register.write_bytes(b"office,year\n")
    with pytest.raises(CommandError) as stopped:
        load_register(register)
    assert str(stopped.value).startswith("Line 1: These columns are missing: register_volume, paper_number, kind.")
    assert not Act.objects.exists()


def test_a_line_that_is_not_utf8_is_named(tmp_path, register_rows, loader):
    register = write_register(tmp_path / "register.csv", register_rows(12))
    lines = register.read_bytes().splitlines(keepends=True)
    register.write_bytes(b"".join([*lines[:12], "1985\u00e9,".encode("latin-1"), *lines[12:]]))
    with pytest.raises(CommandError) as stopped:
        load_register(register)
    assert str(stopped.value).splitlines()[0] == "Line 13: This line is not UTF-8 text."
    assert Act.objects.count() == 10


def test_the_loader_and_the_reason_are_required(tmp_path, register_rows, loader):
    register = write_register(tmp_path / "register.csv", register_rows(1))
    with translation.override("en"), pytest.raises(CommandError, match="No account has the email address nobody@"):
        call_command("load_register", str(register), "--by", "nobody@example.org", "--reason", "r")
    with translation.override("en"), pytest.raises(CommandError, match="Say why these acts are loaded"):
        call_command("load_register", str(register), "--by", loader.email, "--reason", " ")
    with translation.override("en"), pytest.raises(CommandError, match="There is no file at"):
        call_command("load_register", str(tmp_path / "none.csv"), "--by", loader.email, "--reason", "r")


def test_a_number_another_act_holds_is_refused_naming_the_line(tmp_path, register_rows, loader):
    rows = register_rows(3)
    load_register(write_register(tmp_path / "volume-1.csv", rows))
    other_volume = [{**row, "register_volume": "2", "paper_number": str(number)} for number, row in enumerate(rows, 3)]
    with pytest.raises(CommandError) as stopped:
        load_register(write_register(tmp_path / "volume-2.csv", other_volume))
    assert str(stopped.value).splitlines()[0] == (
        "Line 2, paper_number: Number 3 of 1985 is already another act's in this office's register."
    )
    assert Act.objects.count() == 3


@pytest.mark.parametrize(
    ("column", "value", "position"),
    [
        ("office", "{office}\x00", 13),
        ("birth_place", "\x00{birth_place}", 1),
        ("sex", "M\x00", 2),
        ("kind", "bi\x0brth", 3),
        ("birth_date", "{birth_date}\x00", 11),
        ("birth_time", "\x1b", 1),
        ("year", "19\x0085", 3),
        ("paper_number", "3\x00", 2),
        ("register_volume", "\x001", 1),
        ("declarant_name", "محمد\x00العلوي", 5),
        ("first_name_ar", "\x7f{first_name_ar}", 1),
    ],
)
def test_a_control_character_in_any_cell_is_refused_naming_its_line_and_column(
    tmp_path, register_rows, loader, column, value, position
):
    """Codes are looked up and values read only once they hold nothing a text may not hold: PostgreSQL takes no
    NUL, not even in a query, and a refusal does not quote what one cannot see."""
    lines = [file_values(row) for row in register_rows(3)]
    lines[2][column] = value.format(**lines[2])
    register = tmp_path / "register.csv"
    with register.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(lines[0]))
        writer.writeheader()
        writer.writerows(lines)
    with pytest.raises(CommandError) as stopped:
        load_register(register)
    code_point = f"U+{ord(next(character for character in value if not character.isprintable())):04X}"
    assert str(stopped.value).splitlines()[0] == (
        f"Line 4, {column}: This text contains an invisible control character ({code_point}, character {position}): "
        "remove it."
    )
    assert not Act.objects.exists()


def test_a_lone_surrogate_in_a_json_line_is_refused_naming_its_line(tmp_path, register_rows, loader):
    values = file_values(register_rows(1)[0])
    register = tmp_path / "register.jsonl"
    register.write_text(json.dumps({**values, "birth_place": "\ud800"}) + "\n", encoding="utf-8")
    with pytest.raises(CommandError) as stopped:
        load_register(register)
    assert str(stopped.value).splitlines()[0].startswith("Line 1, birth_place: This text contains a character that")
