"""The form engine (formdefs) attacked as an acceptance tester would: every field type's good and bad answers,
conditions, drafts against filings, definitions with every structural fault and every breach of Law 55-19, and
malformed or huge input of any shape, which must end in a ValidationError or an error by path, never in a crash.
Messages are read in English: the engine's own are not translated yet, and English is their source."""

import datetime
import time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from raqmana.civil_status.idcs import new_idcs
from raqmana.procedures.formdefs import (
    MAX_REPEATS,
    TYPE_LABELS,
    Checked,
    Field,
    FieldType,
    FormDefinition,
    RequiredDocument,
    check_answers,
    in_language,
    parse_definition,
)
from raqmana.procedures.tests.conftest import SMALL_BUILDING, labels

TODAY = datetime.date(2025, 3, 10)
TEMARA = "04.501.01.07"
QUICK = 0.25  # seconds: what a refusal of a huge answer may take at most


def huge(value, name):
    """A parameter too long to name a test by."""
    return pytest.param(value, id=name)


HUGE_INT = huge(10**5000, "10**5000")


def deeply_nested(depth=100_000):
    value = []
    for _ in range(depth):
        value = [value]
    return value


def field(key, kind, **extra):
    return {"key": key, "type": kind, "label": labels(key), **extra}


def choices(*values):
    return [{"value": value, "label": labels(value)} for value in values]


def form(*fields, requirements=()):
    return parse_definition({"requirements": list(requirements), "fields": list(fields)})


def one(kind, **extra):
    """A form of one optional field, "answer", of this type."""
    return form(field("answer", kind, required=False, **extra))


def check(definition, given, *, complete=False, **options):
    with translation.override("en"):
        return check_answers(definition, given, complete=complete, today=TODAY, **options)


def answer(definition, value, **options):
    """The checked answer to "answer" in a draft, or None; and its errors."""
    checked = check(definition, {"answer": value}, **options)
    return checked.answers.get("answer"), checked.errors.get("answer", [])


def refusal(data):
    """The messages of the ValidationError refusing a definition, in English."""
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        parse_definition(data)
    with translation.override("en"):
        return refused.value.messages


def refused_with(data, expected):
    messages = refusal(data)
    assert any(expected in message for message in messages), messages


# Numbers

AREA = one(FieldType.NUMBER, min=1, max=100000, decimals=2)
COUNT = one(FieldType.NUMBER)


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("12,5", "12.50"),
        ("12.5", "12.50"),
        (12.5, "12.50"),
        (12, "12.00"),
        (" 7 ", "7.00"),
        ("1 234,5", "1234.50"),
        ("1\u00a0234,5", "1234.50"),  # a no-break space between thousands
        ("1\u202f234,5", "1234.50"),  # the narrow one French typography puts there
        ("١٢٫٥", "12.50"),  # Arabic-Indic digits and the Arabic decimal separator
        ("١٬٢٣٤", "1234.00"),  # and its thousands separator
        ("۱۲", "12.00"),  # Eastern Arabic-Indic digits
        ("1e3", "1000.00"),
        ("+3", "3.00"),
        ("1", "1.00"),
        ("100000", "100000.00"),
        ("99999.99", "99999.99"),
    ],
)
def test_a_number_is_read_as_people_type_it_and_kept_with_its_decimals(given, kept):
    assert answer(AREA, given) == (kept, [])


@pytest.mark.parametrize(
    "given",
    [
        "abc",
        "12 m²",
        "NaN",
        "nan",
        "sNaN",
        "Infinity",
        "-Infinity",
        "inf",
        float("nan"),
        float("inf"),
        float("-inf"),
        True,
        False,
        "1_000",
        "1,234,5",
        "0x10",
        "1e999999999999999999999",  # an exponent past Decimal's reach
        "1e",
        ".",
        "--1",
        "١٢abc",
        "١٢" + "\u0e52",  # a Thai digit after Arabic-Indic ones
        [12],
        {"value": 12},
        deeply_nested(),
    ],
)
def test_anything_but_a_finite_number_is_refused(given):
    assert answer(COUNT, given) == (None, ["Enter a number."])


@pytest.mark.parametrize(
    "given", ["1e400", "1e9999", 10**30, HUGE_INT, huge("9" * 5000, "5000 nines"), 1e300, "1000000000000000"]
)
def test_a_number_too_large_is_refused_without_an_arithmetic_error(given):
    assert answer(COUNT, given) == (None, ["This number is too large."])


def test_the_largest_number_kept_has_fifteen_digits():
    assert answer(COUNT, "999999999999999") == ("999999999999999", [])
    assert answer(COUNT, -999999999999999) == ("-999999999999999", [])


@pytest.mark.parametrize(
    ("definition", "given", "message"),
    [
        (AREA, "12.345", "At most 2 digits after the decimal point."),
        (one(FieldType.NUMBER, decimals=1), "0.25", "At most 1 digit after the decimal point."),
        (COUNT, "12.5", "Enter a whole number."),
        (COUNT, 12.5, "Enter a whole number."),
        (COUNT, "1e-400", "Enter a whole number."),
        pytest.param(COUNT, "0." + "0" * 100_000 + "1", "Enter a whole number.", id="a hundred thousand decimals"),
    ],
)
def test_a_number_has_at_most_the_fields_decimals(definition, given, message):
    assert answer(definition, given) == (None, [message])


def test_trailing_zeros_are_no_decimals():
    assert answer(COUNT, "12.000") == ("12", [])


@pytest.mark.parametrize(
    ("given", "message"),
    [("0.99", "Enter 1 or more."), ("-5", "Enter 1 or more."), ("100000.01", "Enter 100000 or less.")],
)
def test_a_number_stays_within_its_bounds(given, message):
    assert answer(AREA, given) == (None, [message])


def test_bounds_written_with_an_exponent_are_quoted_plainly():
    assert answer(one(FieldType.NUMBER, max="1e3"), 1001) == (None, ["Enter 1000 or less."])


def test_minus_zero_is_zero():
    assert answer(COUNT, "-0") == ("0", [])


# Dates

BIRTH = one(FieldType.DATE, not_after="today")
START = one(FieldType.DATE, not_before="today")
IN_2024 = one(FieldType.DATE, not_before="2024-01-01", not_after="2024-12-31")


@pytest.mark.parametrize(("given", "kept"), [("2024-01-15", "2024-01-15"), (" 2024-01-15 ", "2024-01-15")])
def test_a_date_is_kept_as_year_month_day(given, kept):
    assert answer(one(FieldType.DATE), given) == (kept, [])


@pytest.mark.parametrize(
    "given",
    [
        "15/01/2024",
        "2024-02-30",
        "2024-13-01",
        "20240115",  # ISO's basic form, which Python reads
        "2024-W03-1",  # and its week dates
        "2024-01-15T10:00",
        "٢٠٢٤-٠١-١٥",
        "tomorrow",
        20240115,
        True,
        ["2024-01-15"],
        {"date": "2024-01-15"},
        deeply_nested(),
        huge("2" * 1_000_000, "a million digits"),
    ],
)
def test_anything_but_a_real_date_is_refused(given):
    assert answer(one(FieldType.DATE), given) == (None, ["Enter a date as day, month and year."])


@pytest.mark.parametrize(
    ("definition", "given", "message"),
    [
        (BIRTH, "2025-03-11", "The date cannot be after 2025-03-10."),
        (START, "2025-03-09", "The date cannot be before 2025-03-10."),
        (IN_2024, "2023-12-31", "The date cannot be before 2024-01-01."),
        (IN_2024, "2025-01-01", "The date cannot be after 2024-12-31."),
    ],
)
def test_a_date_stays_within_its_bounds(definition, given, message):
    assert answer(definition, given) == (None, [message])


@pytest.mark.parametrize(
    ("definition", "given"),
    [(BIRTH, "2025-03-10"), (START, "2025-03-10"), (IN_2024, "2024-01-01"), (IN_2024, "2024-12-31")],
)
def test_a_date_on_its_bound_is_kept(definition, given):
    assert answer(definition, given) == (given, [])


def test_today_is_moroccos_day_unless_given():
    with translation.override("en"):
        checked = check_answers(START, {"answer": "2000-01-01"}, complete=False)
    assert checked.errors["answer"][0].startswith("The date cannot be before ")


# Texts

NAME = one(FieldType.TEXT)
NOTE = one(FieldType.LONG_TEXT)


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("  Atlas  ", "Atlas"),
        ("e\u0301cole", "\u00e9cole"),  # decomposed, kept composed (NFC)
        ("محل الأطلس", "محل الأطلس"),
        ("ⵜⴰⵎⴰⵣⵉⵖⵜ", "ⵜⴰⵎⴰⵣⵉⵖⵜ"),
        ("Surface < 100 m²", "Surface < 100 m²"),
    ],
)
def test_a_text_is_kept_trimmed_and_composed(given, kept):
    assert answer(NAME, given) == (kept, [])


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("Bennani\u202eTSET\u202c", "invisible control character (U+202E, character 8) that could reorder it"),
        ("a\u2067b", "(U+2067, character 2) that could reorder it"),
        ("a\u200fb", "(U+200F, character 2) that could reorder it"),
        ("a\x00b", "invisible control character (U+0000, character 2): remove it"),
        ("a\x1bb", "invisible control character (U+001B, character 2): remove it"),
        ("a\u200bb", "invisible character (U+200B, character 2): remove it"),
        ("a\ue000b", "private or not defined by Unicode (U+E000, character 2)"),
        ("a\nb", "must stay on one line"),
        ("<script>alert(1)</script>", "Markup is not accepted here: remove “<script”."),
    ],
)
def test_a_text_with_an_unseen_character_or_markup_is_refused_with_a_clear_message(given, message):
    kept, errors = answer(NAME, given)
    assert kept is None and len(errors) == 1 and message in errors[0], errors


def test_the_kernels_refusal_is_read_in_the_persons_language():
    with translation.override("fr"):
        checked = check_answers(NAME, {"answer": "a\u202eb"}, complete=False)
    assert checked.errors["answer"] == [
        "Ce texte contient un caractère de contrôle invisible (U+202E, en position 2) qui pourrait en modifier "
        "l'ordre : supprimez-le."
    ]


def test_a_long_text_keeps_its_lines_and_tabs():
    assert answer(NOTE, "Line one\r\n\tLine two") == ("Line one\r\n\tLine two", [])


@pytest.mark.parametrize(
    ("definition", "longest"), [(NAME, 200), (NOTE, 5000), (one(FieldType.TEXT, max_length=10), 10)]
)
def test_a_text_has_its_fields_length_at_most(definition, longest):
    assert answer(definition, "a" * longest) == ("a" * longest, [])
    kept, errors = answer(definition, "a" * (longest + 1))
    assert kept is None
    assert errors == [f"Ensure this value has at most {longest} characters (it has {longest + 1})."]


def test_the_length_is_counted_once_composed():
    assert answer(one(FieldType.TEXT, max_length=3), "e\u0301e\u0301e\u0301") == ("\u00e9\u00e9\u00e9", [])


@pytest.mark.parametrize("given", [12, 1.5, True, ["a"], {"text": "a"}, deeply_nested()])
def test_a_text_is_a_string(given):
    assert answer(NAME, given) == (None, ["Enter a text."])


@pytest.mark.parametrize(
    "given",
    [
        huge("a" * 1_000_000, "ascii"),
        huge("\u00e9<" * 500_000, "markup"),
        huge("\u014b" * 1_000_000, "rare letters"),
        huge("e\u0301" * 500_000, "decomposed"),
    ],
)
def test_a_megabyte_of_text_is_refused_at_once(given):
    started = time.perf_counter()
    kept, errors = answer(NOTE, given)
    assert time.perf_counter() - started < QUICK
    assert kept is None and errors[0].startswith("Ensure this value has at most 5000 characters")


@pytest.mark.parametrize("given", ["   ", "\t\n ", "\u00a0"])
def test_a_text_of_spaces_is_no_answer(given):
    required = form(field("answer", FieldType.LONG_TEXT))
    assert check(required, {"answer": given}) == Checked({}, {})
    assert check(required, {"answer": given}, complete=True).errors == {"answer": ["This field is required."]}


# Choices

USE = one(FieldType.CHOICE, choices=choices("housing", "commercial"))
SERVICES = one(FieldType.MULTIPLE_CHOICE, choices=choices("water", "power", "sewer"))


def test_a_choice_is_one_of_the_values_offered():
    assert answer(USE, "commercial") == ("commercial", [])


@pytest.mark.parametrize(
    "given", ["castle", "Commercial", " commercial", "commercial\n", 1, True, ["commercial"], {"value": "housing"}]
)
def test_a_choice_not_offered_is_refused(given):
    assert answer(USE, given) == (None, ["Choose one of the answers offered."])


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        (["sewer", "water"], ["water", "sewer"]),  # in the order offered
        (["power", "power", "power"], ["power"]),  # each once
        ("power", ["power"]),  # one choice alone
        (["water", "power", "sewer"], ["water", "power", "sewer"]),
    ],
)
def test_a_multiple_choice_keeps_each_choice_once_in_the_order_offered(given, kept):
    assert answer(SERVICES, given) == (kept, [])


@pytest.mark.parametrize(
    "given", [["water", "gas"], ["water", 1], [None], [["water"]], [True], {"water": True}, 5, "gas"]
)
def test_a_multiple_choice_with_a_value_not_offered_is_refused(given):
    assert answer(SERVICES, given) == (None, ["Choose among the answers offered."])


def test_a_long_multiple_choice_is_checked_at_once():
    started = time.perf_counter()
    assert answer(SERVICES, ["water", "power"] * 500_000) == (["water", "power"], [])
    assert answer(SERVICES, ["water"] * 500_000 + ["gas"]) == (None, ["Choose among the answers offered."])
    assert time.perf_counter() - started < QUICK * 2


def test_an_empty_multiple_choice_is_no_answer():
    required = form(field("answer", FieldType.MULTIPLE_CHOICE, choices=choices("water")))
    assert check(required, {"answer": []}) == Checked({}, {})
    assert check(required, {"answer": []}, complete=True).errors == {"answer": ["This field is required."]}


# Yes or no

YES_NO = one(FieldType.YES_NO)


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        (True, True),
        (False, False),
        ("yes", True),
        ("no", False),
        ("true", True),
        ("false", False),
        ("1", True),
        ("0", False),
        (" Yes ", True),
        ("NO", False),
    ],
)
def test_yes_or_no_is_kept_as_a_boolean(given, kept):
    assert answer(YES_NO, given) == (kept, [])


@pytest.mark.parametrize("given", [1, 0, 1.0, 2, "oui", "y", "n", "yes please", [True], {"yes": True}])
def test_anything_else_is_no_yes_nor_no(given):
    assert answer(YES_NO, given) == (None, ["Answer yes or no."])


def test_no_is_an_answer_to_a_required_question():
    required = form(field("answer", FieldType.YES_NO))
    assert check(required, {"answer": False}, complete=True) == Checked({"answer": False}, {})


# Addresses

SITE = form(field("site", FieldType.ADDRESS))
OPTIONAL_SITE = form(field("site", FieldType.ADDRESS, required=False))


def communes(*known):
    asked = []

    def commune_ok(code):
        asked.append(code)
        return code in known

    commune_ok.asked = asked
    return commune_ok


def test_an_address_is_a_known_commune_and_a_street():
    given = {"site": {"commune": f" {TEMARA} ", "street": " 12 rue Atlas ", "extra": "dropped"}}
    checked = check(SITE, given, complete=True, commune_ok=communes(TEMARA))
    assert checked == Checked({"site": {"commune": TEMARA, "street": "12 rue Atlas"}}, {})


def test_an_unknown_commune_is_refused_and_the_street_kept_in_a_draft():
    checked = check(SITE, {"site": {"commune": "99.999.99.99", "street": "12 rue Atlas"}}, commune_ok=communes(TEMARA))
    assert checked == Checked(
        {"site": {"commune": "", "street": "12 rue Atlas"}}, {"site": ["Choose the commune from the list."]}
    )


@pytest.mark.parametrize(
    "commune",
    [
        123,
        4.501,
        True,
        [TEMARA],
        {"code": TEMARA},
        deeply_nested(),
        "0" * 17,
        "04.501'; --",
        huge("x" * 1_000_000, "a megabyte"),
    ],
)
def test_a_commune_that_is_no_code_is_refused_without_being_looked_up(commune):
    commune_ok = communes(TEMARA)
    started = time.perf_counter()
    checked = check(SITE, {"site": {"commune": commune, "street": "12 rue Atlas"}}, commune_ok=commune_ok)
    assert time.perf_counter() - started < QUICK
    assert checked.errors == {"site": ["Choose the commune from the list."]}
    assert commune_ok.asked == []


def test_a_filing_needs_the_street_a_draft_does_not():
    given = {"site": {"commune": TEMARA, "street": ""}}
    assert check(SITE, given) == Checked({"site": {"commune": TEMARA, "street": ""}}, {})
    assert check(SITE, given, complete=True).errors == {"site": ["Give the street and number, or the place."]}


def test_a_filing_needs_the_commune_of_an_address_begun():
    checked = check(OPTIONAL_SITE, {"site": {"street": "12 rue Atlas"}}, complete=True)
    assert checked.errors == {"site": ["Choose the commune from the list."]}


@pytest.mark.parametrize("given", [{}, {"commune": "", "street": ""}, {"commune": None, "street": "  "}])
def test_an_optional_address_left_blank_is_no_error(given):
    assert check(OPTIONAL_SITE, {"site": given}, complete=True) == Checked({}, {})


@pytest.mark.parametrize("given", [{}, {"commune": "", "street": ""}, None])
def test_a_required_address_left_blank_is_required(given):
    assert check(SITE, {"site": given}, complete=True).errors == {"site": ["This field is required."]}


@pytest.mark.parametrize("given", ["12 rue Atlas, Témara", [TEMARA, "12 rue Atlas"], 12, True])
def test_an_address_is_an_object(given):
    assert check(SITE, {"site": given}).errors == {"site": ["Give the address and its commune."]}


@pytest.mark.parametrize(
    ("street", "message"),
    [
        (12, "Enter a text."),
        (["rue"], "Enter a text."),
        ("rue\u202eAtlas", "could reorder it"),
        ("a" * 301, "at most 300"),
    ],
)
def test_a_faulty_street_is_refused_and_the_commune_kept(street, message):
    checked = check(SITE, {"site": {"commune": TEMARA, "street": street}})
    assert checked.answers == {"site": {"commune": TEMARA, "street": ""}}
    assert len(checked.errors["site"]) == 1 and message in checked.errors["site"][0]


def test_a_filing_names_each_fault_of_an_address_once():
    checked = check(SITE, {"site": {"commune": "", "street": "rue\u202eAtlas"}}, complete=True)
    assert len(checked.errors["site"]) == 2
    assert "could reorder it" in checked.errors["site"][0]
    assert checked.errors["site"][1] == "Choose the commune from the list."
    checked = check(SITE, {"site": {"commune": "99", "street": "  "}}, complete=True, commune_ok=communes(TEMARA))
    assert checked.errors == {
        "site": ["Choose the commune from the list.", "Give the street and number, or the place."]
    }
    checked = check(SITE, {"site": {"commune": TEMARA, "street": "  "}}, complete=True)
    assert checked.errors == {"site": ["Give the street and number, or the place."]}


# Points on the map

POINT = one(FieldType.MAP_POINT)


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ({"lat": 33.9716, "lon": -6.8498}, {"lat": 33.9716, "lon": -6.8498}),  # Rabat
        ({"lat": "33,9716", "lon": "-6,8498"}, {"lat": 33.9716, "lon": -6.8498}),
        ({"lat": 27.1536, "lon": -13.2033, "zoom": 9}, {"lat": 27.1536, "lon": -13.2033}),  # Laâyoune
        ({"lat": 23.6848, "lon": -15.9580}, {"lat": 23.6848, "lon": -15.958}),  # Dakhla
        ({"lat": 35.1234567891, "lon": -5.1}, {"lat": 35.123457, "lon": -5.1}),
    ],
)
def test_a_point_in_morocco_is_kept_to_six_decimals(given, kept):
    assert answer(POINT, given) == (kept, [])


@pytest.mark.parametrize(
    "given",
    [
        {"lat": 48.8566, "lon": 2.3522},  # Paris
        {"lat": 40.4168, "lon": -3.7038},  # Madrid
        {"lat": 0, "lon": 0},
        {"lat": -6.8498, "lon": 33.9716},  # latitude and longitude swapped
        {"lat": "1e400", "lon": -6.8},
    ],
)
def test_a_point_outside_morocco_is_refused(given):
    assert answer(POINT, given) == (None, ["This point is not in Morocco."])


@pytest.mark.parametrize(
    "given",
    [
        {"lat": "north", "lon": -6.8},
        {"lat": 33.9},
        {"lon": -6.8},
        {"latitude": 33.9, "longitude": -6.8},
        {"lat": float("nan"), "lon": -6.8},
        {"lat": "NaN", "lon": "NaN"},
        {"lat": float("inf"), "lon": -6.8},
        {"lat": True, "lon": -6.8},
        {"lat": None, "lon": None},
        {"lat": [33.9], "lon": [-6.8]},
        [33.9, -6.8],
        "33.9,-6.8",
        33.9,
        deeply_nested(),
    ],
)
def test_a_point_without_two_finite_coordinates_is_refused(given):
    assert answer(POINT, given) == (None, ["Place the point on the map, or give its latitude and longitude."])


# Files

FILES = [{"kind": "plans", "label": labels("Plans")}]


def plans(**extra):
    return form(field("plans", FieldType.FILE, document="plans", **extra), requirements=FILES)


def dossiers_files(*ids):
    asked = []

    def attachment_ok(path, given):
        asked.append((path, list(given)))
        return [pk for pk in given if pk in ids]

    attachment_ok.asked = asked
    return attachment_ok


@pytest.mark.parametrize(("given", "kept"), [([1, 2], [1, 2]), (3, [3]), ("3", [3]), ([" 4 ", 4, "4"], [4])])
def test_a_file_field_holds_attachment_ids_each_once(given, kept):
    assert check(plans(), {"plans": given}) == Checked({"plans": kept}, {})


@pytest.mark.parametrize(
    "given", [True, [False], 3.7, [1.0], "x", "٥", -1, 0, "-1", 2**64, [[1]], {"id": 1}, ["1e3"], [None]]
)
def test_a_file_id_is_a_positive_whole_number(given):
    assert check(plans(), {"plans": given}).errors == {"plans": ["This file is unknown."]}


def test_a_file_not_of_the_dossier_is_refused_and_the_others_kept():
    attachment_ok = dossiers_files(1, 2)
    checked = check(plans(), {"plans": [1, 7, 2]}, attachment_ok=attachment_ok)
    assert checked == Checked({"plans": [1, 2]}, {"plans": ["This file is unknown."]})
    assert attachment_ok.asked == [("plans", [1, 7, 2])]


def test_no_file_of_the_dossier_leaves_the_field_empty():
    checked = check(plans(), {"plans": [7]}, complete=True, attachment_ok=dossiers_files(1))
    assert checked == Checked({}, {"plans": ["This file is unknown."]})


def test_too_many_files_are_refused():
    assert check(plans(max=3), {"plans": [1, 2, 3, 4]}).errors == {"plans": ["At most 3 files."]}
    assert check(plans(max=1), {"plans": [1, 2]}).errors == {"plans": ["At most 1 file."]}


def test_ten_thousand_files_are_refused_without_being_looked_up():
    attachment_ok = dossiers_files(1)
    started = time.perf_counter()
    checked = check(plans(), {"plans": list(range(1, 10_001))}, attachment_ok=attachment_ok)
    assert time.perf_counter() - started < QUICK
    assert checked.errors == {"plans": ["At most 5 files."]} and attachment_ok.asked == []


def test_a_filing_needs_the_least_number_of_files():
    definition = plans(min=2)
    assert check(definition, {"plans": [1]}) == Checked({"plans": [1]}, {})
    assert check(definition, {"plans": [1]}, complete=True).errors == {"plans": ["Attach at least 2 files."]}
    assert check(definition, {}, complete=True).errors == {"plans": ["Attach at least 2 files."]}
    assert check(definition, {"plans": [1, 2]}, complete=True).valid


def test_an_optional_file_field_begun_needs_its_least_number_too():
    definition = plans(min=2, required=False)
    assert check(definition, {}, complete=True).valid
    assert check(definition, {"plans": [1]}, complete=True).errors == {"plans": ["Attach at least 2 files."]}


def test_a_required_document_is_attached_at_filing():
    assert check(plans(), {}, complete=True).errors == {"plans": ["Attach the document."]}


# Repeatable blocks

LOTS = parse_definition(
    {
        "requirements": [{"kind": "lot_plan", "label": labels("Lot plan")}],
        "fields": [
            field(
                "lots",
                FieldType.REPEAT,
                min=2,
                max=3,
                fields=[
                    field("area", FieldType.NUMBER, min=1),
                    field("use", FieldType.CHOICE, choices=choices("housing", "shop")),
                    field("shop_sign", FieldType.TEXT, shown_if={"field": "use", "in": ["shop"]}),
                    field("plan", FieldType.FILE, document="lot_plan", required=False),
                ],
            )
        ],
    }
)


def lot(area="100", use="housing", **extra):
    return {"area": area, "use": use, **extra}


def test_a_block_keeps_its_entries_checked():
    checked = check(LOTS, {"lots": [lot(), lot("250", "shop", shop_sign="Atlas", plan=[4])]}, complete=True)
    assert checked == Checked(
        {
            "lots": [
                {"area": "100", "use": "housing"},
                {"area": "250", "use": "shop", "shop_sign": "Atlas", "plan": [4]},
            ]
        },
        {},
    )


def test_errors_in_entries_are_named_by_their_path():
    checked = check(LOTS, {"lots": [lot(), lot(area="0"), lot(use="castle", area="x")]}, complete=True)
    assert checked.errors == {
        "lots.1.area": ["Enter 1 or more."],
        "lots.2.area": ["Enter a number."],
        "lots.2.use": ["Choose one of the answers offered."],
    }


def test_a_field_hidden_in_an_entry_is_dropped_there_only():
    checked = check(LOTS, {"lots": [lot(shop_sign="Atlas"), lot(use="shop", shop_sign="Atlas")]})
    assert [entry.get("shop_sign") for entry in checked.answers["lots"]] == [None, "Atlas"]


def test_a_required_field_of_a_shown_entry_is_required_at_filing():
    checked = check(LOTS, {"lots": [lot(), lot(use="shop")]}, complete=True)
    assert checked.errors == {"lots.1.shop_sign": ["This field is required."]}


@pytest.mark.parametrize("given", [{"area": "100"}, "lots", 3, True, {"0": lot()}])
def test_a_block_is_a_list(given):
    assert check(LOTS, {"lots": given}).errors == {"lots": ["This block is malformed."]}


def test_a_block_has_at_most_its_entries():
    assert check(LOTS, {"lots": [lot()] * 4}).errors == {"lots": ["At most 3 entries."]}


def test_ten_thousand_entries_are_refused_at_once():
    definition = form(field("rows", FieldType.REPEAT, fields=[field("name", FieldType.TEXT)]))
    started = time.perf_counter()
    checked = check(definition, {"rows": [{"name": "x" * 1000}] * 10_000})
    assert time.perf_counter() - started < QUICK
    assert checked.errors == {"rows": [f"At most {MAX_REPEATS} entries."]}


def test_an_empty_entry_keeps_its_place_in_a_draft():
    """Entry 2 stays entry 2: its errors and its files (attached under "lots.2.plan") name it by its place."""
    checked = check(LOTS, {"lots": [lot(), {}, lot("7", plan=[9])]})
    assert checked == Checked(
        {"lots": [{"area": "100", "use": "housing"}, {}, {"area": "7", "use": "housing", "plan": [9]}]}, {}
    )


def test_an_empty_entry_is_filled_in_or_removed_before_filing():
    checked = check(LOTS, {"lots": [lot(), {"area": "", "plan": []}, lot()]}, complete=True)
    assert checked.errors == {"lots.1": ["Fill in this entry or remove it."]}


@pytest.mark.parametrize("entry", ["lot", 3, None, ["area", "100"], True])
def test_an_entry_that_is_no_object_is_named(entry):
    checked = check(LOTS, {"lots": [lot(), entry]})
    assert checked == Checked(
        {"lots": [{"area": "100", "use": "housing"}, {}]}, {"lots.1": ["This entry is malformed."]}
    )


def test_a_filing_needs_the_least_number_of_entries():
    assert check(LOTS, {"lots": [lot()]}).valid
    assert check(LOTS, {"lots": [lot()]}, complete=True).errors == {"lots": ["Add at least 2 entries."]}
    assert check(LOTS, {}, complete=True).errors == {"lots": ["Add at least 2 entries."]}


def test_a_required_block_has_an_entry_at_filing():
    definition = form(field("rows", FieldType.REPEAT, fields=[field("name", FieldType.TEXT)]))
    assert check(definition, {}) == Checked({"rows": []}, {})
    assert check(definition, {"rows": []}, complete=True).errors == {"rows": ["Add at least 1 entry."]}


def test_an_optional_block_may_stay_empty():
    definition = form(field("rows", FieldType.REPEAT, required=False, min=2, fields=[field("name", FieldType.TEXT)]))
    assert check(definition, {"rows": []}, complete=True) == Checked({"rows": []}, {})
    assert check(definition, {"rows": [{"name": "a"}]}, complete=True).errors == {"rows": ["Add at least 2 entries."]}


# Civil status links

LINKED = form(field("applicant", FieldType.CIVIL_STATUS_LINK))
VALID_IDCS = new_idcs()


def register_link():
    return {
        "idcs": new_idcs(),
        "act": "04.501.01.07/2000/12",
        "names": {
            "first_name_ar": "يوسف",
            "family_name_ar": "العلوي",
            "first_name_latin": "Youssef",
            "family_name_latin": "El Alaoui",
        },
        "birth_date": "2000-05-01",
        "sex": "M",
    }


def test_a_link_the_register_gave_is_kept():
    link = register_link()
    assert check(LINKED, {"applicant": link}, complete=True) == Checked({"applicant": link}, {})


@pytest.mark.parametrize(
    "forged",
    [
        {"idcs": "123456789012", "names": {"first_name_ar": "x"}},  # a wrong check digit
        {"idcs": "12345", "names": {"first_name_ar": "x"}},
        {"idcs": 123456789012, "names": {"first_name_ar": "x"}},
        {"idcs": VALID_IDCS, "names": "Youssef"},
        {"idcs": VALID_IDCS, "names": {}},
        {"idcs": VALID_IDCS, "names": {"first_name_ar": ["x"]}},
        {"idcs": VALID_IDCS},
        {"names": {"first_name_ar": "x"}},
        "Youssef El Alaoui",
        [VALID_IDCS],
        True,
        deeply_nested(),
    ],
)
def test_a_link_not_shaped_as_the_registers_is_refused(forged):
    for complete in (False, True):
        checked = check(LINKED, {"applicant": forged}, complete=complete)
        assert checked == Checked(
            {}, {"applicant": ["Link your civil status record: the register gives your details."]}
        )


def test_a_filing_needs_the_link():
    assert check(LINKED, {}).valid
    assert check(LINKED, {}, complete=True).errors == {
        "applicant": ["Link your civil status record: the register gives your details."]
    }


# Conditions

CHAINED = form(
    field("use", FieldType.CHOICE, choices=choices("housing", "commercial")),
    field("shop", FieldType.CHOICE, choices=choices("grocery", "bar"), shown_if={"field": "use", "in": ["commercial"]}),
    field("licence", FieldType.TEXT, shown_if={"field": "shop", "in": ["bar"]}),
    field("note", FieldType.TEXT, required=False),
)


def test_a_hidden_fields_answer_is_dropped():
    checked = check(CHAINED, {"use": "housing", "shop": "grocery", "note": "n"})
    assert checked == Checked({"use": "housing", "note": "n"}, {})


def test_a_hidden_field_is_not_required():
    assert check(CHAINED, {"use": "housing"}, complete=True) == Checked({"use": "housing"}, {})


def test_a_shown_field_is_required():
    checked = check(CHAINED, {"use": "commercial", "shop": "bar"}, complete=True)
    assert checked.errors == {"licence": ["This field is required."]}


def test_a_field_behind_a_hidden_one_is_hidden_too():
    checked = check(CHAINED, {"use": "housing", "shop": "bar", "licence": "L-1"}, complete=True)
    assert checked == Checked({"use": "housing"}, {})


def test_a_field_behind_a_refused_answer_is_hidden():
    checked = check(CHAINED, {"use": "castle", "shop": "bar", "licence": "L-1"}, complete=True)
    assert checked == Checked({}, {"use": ["Choose one of the answers offered."]})


def test_a_condition_on_a_multiple_choice_holds_when_any_choice_is_made():
    definition = form(
        field("services", FieldType.MULTIPLE_CHOICE, choices=choices("water", "power", "sewer")),
        field("meter", FieldType.TEXT, shown_if={"field": "services", "in": ["power", "sewer"]}),
    )
    assert check(definition, {"services": ["water", "sewer"], "meter": "M"}).answers["meter"] == "M"
    assert "meter" not in check(definition, {"services": ["water"], "meter": "M"}).answers


@pytest.mark.parametrize("shows_for", [["yes"], [True], ["yes", True]])
@pytest.mark.parametrize("given", [True, "yes", "true", "1", " YES "])
def test_a_yes_no_condition_holds_whether_yes_comes_as_true_or_as_yes(shows_for, given):
    definition = form(
        field("parcelling", FieldType.YES_NO),
        field("lots", FieldType.NUMBER, shown_if={"field": "parcelling", "in": shows_for}),
    )
    assert check(definition, {"parcelling": given, "lots": "12"}) == Checked({"parcelling": True, "lots": "12"}, {})
    assert check(definition, {"parcelling": given}, complete=True).errors == {"lots": ["This field is required."]}


@pytest.mark.parametrize("given", [False, "no", "false", "0"])
def test_a_yes_no_condition_fails_on_no(given):
    definition = form(
        field("parcelling", FieldType.YES_NO),
        field("lots", FieldType.NUMBER, shown_if={"field": "parcelling", "in": ["yes"]}),
    )
    assert check(definition, {"parcelling": given, "lots": "12"}, complete=True) == Checked({"parcelling": False}, {})


def test_a_condition_on_no_holds_on_false():
    definition = form(
        field("owner", FieldType.YES_NO),
        field("owners_consent", FieldType.TEXT, shown_if={"field": "owner", "in": [False]}),
    )
    assert check(definition, {"owner": "no", "owners_consent": "C"}).answers == {"owner": False, "owners_consent": "C"}


def test_the_definition_keeps_a_yes_no_conditions_answers_as_booleans():
    definition = form(
        field("parcelling", FieldType.YES_NO),
        field("lots", FieldType.NUMBER, shown_if={"field": "parcelling", "in": ["yes", "no", True]}),
    )
    assert definition.fields[1].shown_if.values == (True, False)


# Drafts and filings


def small_building_answers():
    return {
        "applicant": register_link(),
        "use": "commercial",
        "area": "120,5",
        "site": {"commune": TEMARA, "street": "12 rue Atlas"},
        "shop_sign": "Atlas",
        "plans": [1],
    }


def test_a_complete_dossier_files():
    checked = check(parse_definition(SMALL_BUILDING), small_building_answers(), complete=True)
    assert checked.valid and checked.answers["area"] == "120.50"


def test_a_draft_keeps_what_is_well_formed_and_requires_nothing():
    given = {"use": "castle", "area": "12,5", "shop_sign": "ignored"}
    checked = check(parse_definition(SMALL_BUILDING), given)
    assert checked == Checked({"area": "12.50"}, {"use": ["Choose one of the answers offered."]})


def test_a_filing_names_every_missing_answer_at_once():
    checked = check(parse_definition(SMALL_BUILDING), {}, complete=True)
    assert checked.errors == {
        "applicant": ["Link your civil status record: the register gives your details."],
        "use": ["This field is required."],
        "area": ["This field is required."],
        "site": ["This field is required."],
        "plans": ["Attach the document."],
    }


def test_answers_to_no_field_are_dropped():
    checked = check(parse_definition(SMALL_BUILDING), {"area": "5", "admin": True, "__proto__": {}, 1: "x"})
    assert checked == Checked({"area": "5.00"}, {})


@pytest.mark.parametrize("given", [None, [], ["area", "5"], "area=5", 5, True, deeply_nested()])
def test_answers_that_are_no_object_are_refused_with_a_message(given):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        check_answers(parse_definition(SMALL_BUILDING), given, complete=False)
    assert refused.value.messages == ["The answers are an object giving each field's answer by its key."]


ODD_VALUES = [
    None,
    True,
    False,
    0,
    -1,
    1.5,
    float("nan"),
    float("inf"),
    10**5000,
    "",
    "x",
    "\x00",
    "\u202e",
    [],
    [None],
    [{}],
    [[1]],
    {},
    {"lat": {}, "commune": [], "street": {}, "idcs": [], "names": []},
    {"a": deeply_nested()},
    deeply_nested(),
    Decimal("NaN"),
    object(),
]


@pytest.mark.parametrize("kind", list(TYPE_LABELS))
def test_no_answer_of_any_shape_crashes_a_field(kind):
    extra = {
        FieldType.CHOICE: {"choices": choices("a")},
        FieldType.MULTIPLE_CHOICE: {"choices": choices("a")},
        FieldType.FILE: {"document": "plans"},
        FieldType.REPEAT: {"fields": [field("name", FieldType.TEXT)]},
    }.get(kind, {})
    definition = form(field("answer", kind, **extra), requirements=FILES if kind == FieldType.FILE else ())
    for value in [*ODD_VALUES, [value for value in ODD_VALUES if value is not None]]:
        for complete in (False, True):
            checked = check(definition, {"answer": value}, complete=complete, commune_ok=communes(TEMARA))
            assert isinstance(checked, Checked)
            assert all(isinstance(message, str) for messages in checked.errors.values() for message in messages)


# Definitions


def test_the_small_building_definition_parses():
    definition = parse_definition(SMALL_BUILDING)
    assert isinstance(definition, FormDefinition)
    assert [item.key for item in definition.fields] == [
        "applicant",
        "use",
        "area",
        "site",
        "point",
        "shop_sign",
        "plans",
    ]
    assert definition.field("area") == Field(
        key="area", type="number", label=labels("Covered floor area"), min=Decimal(1), max=Decimal(100000), decimals=2
    )
    assert definition.requirements[0] == RequiredDocument("plans", labels("Architect's plans"))
    assert [item.key for item in definition.file_fields()] == ["plans"]
    assert [item.key for item in definition.civil_status_links()] == ["applicant"]


def test_a_definition_names_the_address_where_its_project_lies():
    assert parse_definition(SMALL_BUILDING).site == "site"
    assert parse_definition({**SMALL_BUILDING, "site": ""}).site == ""
    assert parse_definition({key: value for key, value in SMALL_BUILDING.items() if key != "site"}).site == ""


@pytest.mark.parametrize("site", ["area", "nowhere", 3, None, ["site"], {"field": "site"}, "lots"])
def test_the_site_is_an_address_field_outside_any_block(site):
    place = {"key": "place", "type": "address", "label": labels("Place")}
    lots = {"key": "lots", "type": "repeat", "label": labels("Lots"), "fields": [place]}
    data = {**SMALL_BUILDING, "fields": [*SMALL_BUILDING["fields"], lots], "site": site}
    refused_with(data, "site: the site names an address field of the form, outside any repeatable block.")


def test_a_definition_may_hold_other_sections_for_other_modules():
    parse_definition({**SMALL_BUILDING, "fees": {"construction_tax": {}}, "commission": {"members": []}})


def test_labels_are_kept_trimmed_and_composed():
    definition = form(field("name", FieldType.TEXT, label={"ar": " اسم ", "fr": "Nom", "en": "Ne\u0301"}))
    assert definition.fields[0].label == {"ar": "اسم", "fr": "Nom", "en": "N\u00e9"}


def test_a_label_is_read_in_the_active_language():
    definition = form(field("name", FieldType.TEXT, label={"ar": "الاسم", "fr": "Nom", "en": "Name"}))
    with translation.override("fr"):
        assert definition.fields[0].text == "Nom"
    with translation.override("ar"):
        assert definition.fields[0].text == "الاسم"
    with translation.override("es"):
        assert in_language(definition.fields[0].label) == "Nom"
    assert in_language(None) == ""


def test_a_choice_is_shown_by_its_label():
    with translation.override("en"):
        assert USE.fields[0].choice_text("commercial") == "commercial"
        assert USE.fields[0].choice_text("castle") == "castle"


@pytest.mark.parametrize("data", [None, [], "fields", 3, True, [SMALL_BUILDING]])
def test_a_definition_that_is_no_object_is_refused_with_a_message(data):
    assert refusal(data) == ["A definition is an object with its requirements and fields."]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "fields: a list is expected."),
        ({"fields": None}, "fields: a list is expected."),
        ({"fields": "name"}, "fields: a list is expected."),
        ({"fields": {"name": {}}}, "fields: a list is expected."),
        ({"fields": 3}, "fields: a list is expected."),
        ({"fields": [], "requirements": "plans"}, "requirements: a list is expected."),
        ({"fields": [], "requirements": None}, "requirements: a list is expected."),
        ({"fields": [None]}, "fields[0]: a field has a key of lower-case letters, digits and underscores."),
        ({"fields": ["name"]}, "fields[0]: a field has a key"),
        ({"fields": [["name", "text"]]}, "fields[0]: a field has a key"),
        ({"fields": [], "requirements": [None]}, "requirements[0]: a document has a code"),
        ({"fields": [], "requirements": ["plans"]}, "requirements[0]: a document has a code"),
    ],
)
def test_a_definition_of_the_wrong_shape_is_refused_with_a_message(data, message):
    refused_with(data, message)


def faulty(**extra):
    """A definition whose one field, "name", carries `extra`."""
    return {"fields": [{"key": "name", "type": "text", "label": labels("Name"), **extra}]}


@pytest.mark.parametrize("key", ["Name", "1name", "na-me", "name\n", "", " name", "n" * 41, None, 3, ["name"]])
def test_a_field_key_is_lower_case_letters_digits_and_underscores(key):
    refused_with(faulty(key=key), "a field has a key of lower-case letters, digits and underscores.")


def test_a_field_key_is_used_once_per_block():
    refused_with(
        {"fields": [field("name", FieldType.TEXT), field("name", FieldType.NUMBER)]},
        "fields[1]: the key name is used twice.",
    )


def test_a_key_may_come_again_in_another_block():
    form(field("name", FieldType.TEXT), field("rows", FieldType.REPEAT, fields=[field("name", FieldType.TEXT)]))


@pytest.mark.parametrize(
    ("kind", "shown"), [("files", "files"), (None, "NoneType"), ([], "list"), ({}, "dict"), (3, "int")]
)
def test_an_unknown_field_type_is_named(kind, shown):
    refused_with(faulty(type=kind), f"fields[0] (name): unknown field type {shown}.")


@pytest.mark.parametrize(
    "label",
    [
        {"ar": "اسم", "fr": "Nom"},
        {"ar": "اسم", "fr": "Nom", "en": "  "},
        {"ar": "اسم", "fr": "Nom", "en": 3},
        "Name",
        ["Name"],
        None,
    ],
)
def test_a_label_is_given_in_the_three_languages(label):
    refused_with(faulty(label=label), "fields[0] (name).label: a text is needed in Arabic, French and English")


@pytest.mark.parametrize(
    ("label", "message"),
    [
        ("Na\u202eme", "fields[0] (name).label.en: This text contains an invisible control character (U+202E"),
        ("<b>Name</b>", "fields[0] (name).label.en: Markup is not accepted here"),
        ("Name\nline", "fields[0] (name).label.en: This text must stay on one line"),
        ("N" * 301, "fields[0] (name).label.en: Ensure this value has at most 300 characters"),
    ],
)
def test_a_label_is_checked_as_any_text_people_read(label, message):
    refused_with(faulty(label={"ar": "اسم", "fr": "Nom", "en": label}), message)


def test_a_help_text_may_run_over_lines_but_is_checked_too():
    form(field("name", FieldType.TEXT, help=labels("First line\nSecond line")))
    refused_with(faulty(help=labels("a\u202eb")), "fields[0] (name).help.en: This text contains an invisible")
    refused_with(faulty(help={"fr": "Aide"}), "fields[0] (name).help: a text is needed in Arabic")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"requird": False}, "unknown attribute “requird”."),
        ({"shown-if": {}}, "unknown attribute “shown-if”."),
        ({"choices": choices("a")}, "unknown attribute “choices”."),  # a text offers no choices
        ({"min": 3}, "unknown attribute “min”."),  # nor bounds: max_length is its limit
        ({"document": "plans"}, "unknown attribute “document”."),
    ],
)
def test_an_attribute_the_type_does_not_read_is_named(extra, message):
    refused_with(faulty(**extra), f"fields[0] (name): {message}")


@pytest.mark.parametrize(
    ("kind", "attribute", "value"),
    [
        (FieldType.TEXT, "decimals", 9),
        (FieldType.TEXT, "not_before", "soon"),
        (FieldType.TEXT, "unit", "m²"),
        (FieldType.NUMBER, "max_length", 0),
    ],
)
def test_an_attribute_of_another_type_is_named_once(kind, attribute, value):
    messages = refusal({"fields": [field("name", kind, **{attribute: value})]})
    assert messages == [f"fields[0] (name): unknown attribute “{attribute}”."]


@pytest.mark.parametrize("required", ["no", 0, None, "false"])
def test_required_is_true_or_false(required):
    refused_with(faulty(required=required), "fields[0] (name): “required” is true or false.")


def test_a_field_not_required_is_optional():
    assert not form(field("name", FieldType.TEXT, required=False)).fields[0].required


@pytest.mark.parametrize("max_length", [0, 20001, -1, True, "10", 10.5])
def test_max_length_is_a_whole_number_within_its_range(max_length):
    refused_with(faulty(max_length=max_length), "“max_length” is a whole number from 1 to 20000.")


def number_field(**extra):
    return {"fields": [field("area", FieldType.NUMBER, **extra)]}


@pytest.mark.parametrize("decimals", [7, -1, 2.5, True, "2", None])
def test_decimals_is_a_whole_number_from_0_to_6(decimals):
    refused_with(number_field(decimals=decimals), "“decimals” is a whole number from 0 to 6.")


@pytest.mark.parametrize("bound", ["NaN", "Infinity", "-inf", float("nan"), "abc", True, [1], {}, HUGE_INT, "1e400"])
@pytest.mark.parametrize("name", ["min", "max"])
def test_a_number_fields_bounds_are_finite_numbers(bound, name):
    refused_with(number_field(**{name: bound}), f"fields[0] (area).{name}: a number is expected.")


def test_a_number_fields_least_bound_comes_first():
    refused_with(number_field(min=10, max=1), "fields[0] (area): “min” is more than “max”.")


def test_a_number_fields_bounds_may_be_written_as_text():
    item = parse_definition(number_field(min="0,5", max="1e3")).fields[0]
    assert (item.min, item.max) == (Decimal("0.5"), Decimal("1e3"))


def date_field(**extra):
    return {"fields": [field("day", FieldType.DATE, **extra)]}


@pytest.mark.parametrize("bound", ["tomorrow", "2024-13-01", "20240101", "2024-W01-1", 20240101, True, ["today"]])
@pytest.mark.parametrize("name", ["not_before", "not_after"])
def test_a_date_bound_is_today_or_a_date(bound, name):
    refused_with(date_field(**{name: bound}), f"fields[0] (day): “{name}” is “today” or a date (YYYY-MM-DD).")


def test_a_date_field_leaves_room_for_a_date():
    refused_with(
        date_field(not_before="2025-01-02", not_after="2025-01-01"),
        "fields[0] (day): “not_before” is after “not_after”: no date could be given.",
    )


def choice_field(items):
    return {"fields": [field("use", FieldType.CHOICE, choices=items)]}


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ([], "fields[0] (use): each choice has a value and a label."),
        (None, "fields[0] (use).choices: a list is expected."),
        ("housing", "fields[0] (use).choices: a list is expected."),
        (["housing"], "fields[0] (use).choices[0]: each choice has a value and a label."),
        ([{"value": 1, "label": labels("One")}], "fields[0] (use).choices[0]: each choice has a value and a label."),
        ([{"value": "", "label": labels("None")}], "fields[0] (use).choices[0]: each choice has a value"),
        ([{"value": " a ", "label": labels("A")}], "fields[0] (use).choices[0]: each choice has a value"),
        ([{"value": "a" * 101, "label": labels("A")}], "fields[0] (use).choices[0]: each choice has a value"),
        ([{"value": "a"}], "fields[0] (use).choices[0]: a text is needed in Arabic, French and English"),
        (choices("a", "b", "a"), "fields[0] (use): two choices have the same value."),
    ],
)
def test_choices_have_distinct_values_and_labels(items, message):
    refused_with(choice_field(items), message)


@pytest.mark.parametrize(
    ("shown_if", "message"),
    [
        ({"field": "later", "in": ["a"]}, "“shown_if” names an earlier field of the same block"),
        ({"field": "nowhere", "in": ["a"]}, "“shown_if” names an earlier field of the same block"),
        ({"field": "second", "in": ["a"]}, "“shown_if” names an earlier field of the same block"),  # itself
        ({"field": "first", "in": []}, "“shown_if” names an earlier field of the same block"),
        ({"field": "first", "in": "a"}, "“shown_if” names an earlier field of the same block"),
        ({"field": "first"}, "“shown_if” names an earlier field of the same block"),
        ({"field": "first", "in": ["a"], "not_in": ["b"]}, "“shown_if” names an earlier field of the same block"),
        ({"field": ["first"], "in": ["a"]}, "“shown_if” names an earlier field of the same block"),
        ("first", "“shown_if” names an earlier field of the same block"),
        (None, "“shown_if” names an earlier field of the same block"),
        ({"field": "first", "in": ["castle"]}, "“shown_if” shows for castle, which first does not offer."),
        ({"field": "first", "in": [True]}, "“shown_if” shows for bool, which first does not offer."),
        ({"field": "first", "in": [["a"]]}, "“shown_if” shows for list, which first does not offer."),
        (
            {"field": "note", "in": ["a"]},
            "“shown_if” reads a choice, a multiple choice or a yes/no field; note is none.",
        ),
        ({"field": "ok", "in": ["maybe"]}, "“shown_if” shows for maybe, which ok does not offer."),
        ({"field": "ok", "in": [1]}, "“shown_if” shows for int, which ok does not offer."),
    ],
)
def test_a_condition_reads_an_earlier_field_and_answers_it_offers(shown_if, message):
    data = {
        "fields": [
            field("first", FieldType.CHOICE, choices=choices("a", "b")),
            field("note", FieldType.TEXT),
            field("ok", FieldType.YES_NO),
            field("second", FieldType.TEXT, shown_if=shown_if),
            field("later", FieldType.CHOICE, choices=choices("a")),
        ]
    }
    refused_with(data, f"fields[3] (second): {message}")


def test_a_condition_reads_its_own_block_only():
    refused_with(
        {
            "fields": [
                field("use", FieldType.CHOICE, choices=choices("a")),
                field(
                    "rows",
                    FieldType.REPEAT,
                    fields=[field("x", FieldType.TEXT, shown_if={"field": "use", "in": ["a"]})],
                ),
            ]
        },
        "fields[1] (rows).fields[0] (x): “shown_if” names an earlier field of the same block",
    )


def block(*fields, **extra):
    return {"fields": [field("rows", FieldType.REPEAT, fields=list(fields), **extra)]}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            block(field("inner", FieldType.REPEAT, fields=[field("x", FieldType.TEXT)])),
            "fields[0] (rows).fields[0] (inner): a repeatable block holds neither another block nor a civil status",
        ),
        (
            block(field("person", FieldType.CIVIL_STATUS_LINK)),
            "fields[0] (rows).fields[0] (person): a repeatable block holds neither another block",
        ),
        (block(), "fields[0] (rows): a repeatable block has fields."),
        ({"fields": [field("rows", FieldType.REPEAT)]}, "fields[0] (rows).fields: a list is expected."),
    ],
)
def test_a_block_holds_plain_fields(data, message):
    refused_with(data, message)


@pytest.mark.parametrize(
    "counts",
    [
        {"min": -1},
        {"min": 3, "max": 2},
        {"max": MAX_REPEATS + 1},
        {"max": 0},
        {"min": True},
        {"max": "3"},
        {"min": 1.5},
    ],
)
def test_a_blocks_counts_are_whole_the_least_first_within_the_limit(counts):
    refused_with(
        block(field("x", FieldType.TEXT), **counts),
        f"fields[0] (rows): “min” and “max” are counts, the least first, “max” from 1 to {MAX_REPEATS}.",
    )


@pytest.mark.parametrize("counts", [{"max": 21}, {"max": 0}, {"min": 6}, {"min": -1}, {"max": False}])
def test_a_file_fields_counts_are_whole_the_least_first_within_the_limit(counts):
    refused_with(
        {"requirements": FILES, "fields": [field("plans", FieldType.FILE, document="plans", **counts)]},
        "fields[0] (plans): “min” and “max” are counts, the least first, “max” from 1 to 20.",
    )


@pytest.mark.parametrize("document", [None, 3, "", "Plans", ["plans"]])
def test_a_file_field_names_its_document(document):
    data = {"requirements": FILES, "fields": [field("plans", FieldType.FILE, document=document)]}
    refused_with(data, "fields[0] (plans): a file field names the document it brings (“document”).")


def test_a_file_field_brings_a_listed_document():
    refused_with(
        {
            "requirements": FILES,
            "fields": [
                field("plans", FieldType.FILE, document="plans"),
                field("deed", FieldType.FILE, document="deed"),
            ],
        },
        "deed: the document deed is not listed in the procedure.",
    )


def test_a_document_is_asked_for_by_one_field():
    refused_with(
        {
            "requirements": FILES,
            "fields": [
                field("plans", FieldType.FILE, document="plans"),
                field("more", FieldType.FILE, document="plans"),
            ],
        },
        "fields: The document plans is asked for twice.",
    )


def test_a_document_is_listed_once():
    refused_with(
        {"requirements": FILES * 2, "fields": [field("plans", FieldType.FILE, document="plans")]},
        "requirements: The document plans is asked for twice.",
    )


def test_a_document_the_applicant_holds_is_asked_by_a_field():
    refused_with({"requirements": FILES, "fields": []}, "requirements: no field asks for the document plans.")


@pytest.mark.parametrize("source", ["another_administration", "civil_status_register"])
def test_a_document_an_administration_holds_is_never_uploaded(source):
    refused_with(
        {
            "requirements": [{"kind": "deed", "label": labels("Deed"), "source": source}],
            "fields": [field("applicant", FieldType.CIVIL_STATUS_LINK), field("deed", FieldType.FILE, document="deed")],
        },
        "deed: the document deed is held by an administration: it is pulled, not uploaded.",
    )


@pytest.mark.parametrize(
    ("form_", "article"), [("certified_copy", "certified copy"), ("legalised_signature", "legalised signature")]
)
def test_no_certified_copy_nor_legalised_signature_is_asked(form_, article):
    refused_with(
        {"requirements": [{**FILES[0], "form": form_}], "fields": [field("plans", FieldType.FILE, document="plans")]},
        f"requirements: A file may not require a {article} (Law 55-19, art. 7): plans.",
    )


REGISTER_HELD = [{"kind": "birth", "label": labels("Birth"), "source": "civil_status_register"}]


def test_a_document_the_register_holds_needs_a_civil_status_link():
    refused_with(
        {"requirements": REGISTER_HELD, "fields": []},
        "fields: a document the register holds needs a civil status link to pull it.",
    )


@pytest.mark.parametrize("extra", [{"required": False}, {"shown_if": {"field": "use", "in": ["a"]}}])
def test_the_link_pulling_a_registers_document_is_always_asked(extra):
    refused_with(
        {
            "requirements": REGISTER_HELD,
            "fields": [
                field("use", FieldType.CHOICE, choices=choices("a", "b")),
                field("applicant", FieldType.CIVIL_STATUS_LINK, **extra),
            ],
        },
        "fields: a document the register holds is pulled through the civil status link: it is required, never hidden.",
    )


def test_one_civil_status_link_is_enough():
    refused_with(
        {"fields": [field("applicant", FieldType.CIVIL_STATUS_LINK), field("spouse", FieldType.CIVIL_STATUS_LINK)]},
        "fields: one civil status link is enough: the register is asked once.",
    )


@pytest.mark.parametrize(
    ("requirement", "message"),
    [
        ({"kind": "plans", "label": labels("P"), "form": "photocopy"}, "unknown form or source of the document."),
        ({"kind": "plans", "label": labels("P"), "source": "neighbour"}, "unknown form or source of the document."),
        ({"kind": "plans", "label": labels("P"), "form": ["electronic"]}, "unknown form or source of the document."),
        ({"kind": "plans", "label": labels("P"), "copies": 2}, "requirements[0] (plans): unknown attribute “copies”."),
        ({"kind": "Plans", "label": labels("P")}, "requirements[0]: a document has a code"),
        ({"kind": "plans\n", "label": labels("P")}, "requirements[0]: a document has a code"),
        ({"kind": "plans"}, "requirements[0] (plans).label: a text is needed in Arabic, French and English"),
    ],
)
def test_a_requirement_is_a_code_a_label_a_form_and_a_source(requirement, message):
    refused_with({"requirements": [requirement], "fields": []}, message)


def test_every_fault_is_named_at_once():
    data = {
        "requirements": [
            {"kind": "plans", "label": labels("Plans"), "form": "certified_copy"},
            {"kind": "deed", "label": {"fr": "Titre"}},
            {"kind": "birth", "label": labels("Birth"), "source": "civil_status_register"},
        ],
        "fields": [
            field("Use", FieldType.CHOICE),
            field("use", FieldType.CHOICE, choices=choices("a", "a")),
            field("area", "surface"),
            field("size", FieldType.NUMBER, min="NaN", decimals=9),
            field("size", FieldType.TEXT, requird=True),
            field("day", FieldType.DATE, not_before="soon"),
            field("shop", FieldType.TEXT, shown_if={"field": "later", "in": ["x"]}),
            field("rows", FieldType.REPEAT, max=1000, fields=[field("inner", FieldType.REPEAT, fields=[])]),
            field("plans", FieldType.FILE, document="plan"),
        ],
    }
    messages = refusal(data)
    expected = [
        "requirements[1] (deed).label: a text is needed in Arabic, French and English (ar, fr, en).",
        "fields[0]: a field has a key of lower-case letters, digits and underscores.",
        "fields[1] (use): two choices have the same value.",
        "fields[2] (area): unknown field type surface.",
        "fields[3] (size): “decimals” is a whole number from 0 to 6.",
        "fields[3] (size).min: a number is expected.",
        "fields[4] (size): unknown attribute “requird”.",
        "fields[4]: the key size is used twice.",
        "fields[5] (day): “not_before” is “today” or a date (YYYY-MM-DD).",
        "fields[6] (shop): “shown_if” names an earlier field of the same block and the answers it shows for.",
        "fields[7] (rows).fields[0] (inner): a repeatable block holds neither another block nor a civil status link.",
        "fields[7] (rows): a repeatable block has fields.",
        "fields[7] (rows): “min” and “max” are counts, the least first, “max” from 1 to 500.",
        "requirements: A file may not require a certified copy (Law 55-19, art. 7): plans.",
        "plans: the document plan is not listed in the procedure.",
        "requirements: no field asks for the document plans.",
        "requirements: no field asks for the document deed.",
        "fields: a document the register holds needs a civil status link to pull it.",
    ]
    assert sorted(messages) == sorted(expected)


ODD_ATTRIBUTES = [None, True, 0, -1, 1.5, float("nan"), 10**5000, "", "x", [], [None], {}, {"x": 1}, deeply_nested()]
ATTRIBUTES = [
    "key",
    "type",
    "label",
    "help",
    "required",
    "shown_if",
    "max_length",
    "min",
    "max",
    "decimals",
    "unit",
    "not_before",
    "not_after",
    "choices",
    "document",
    "fields",
]


@pytest.mark.parametrize("attribute", ATTRIBUTES)
def test_no_attribute_of_any_shape_crashes_the_parser(attribute):
    for kind in (FieldType.NUMBER, FieldType.CHOICE, FieldType.FILE, FieldType.REPEAT, FieldType.DATE):
        for value in ODD_ATTRIBUTES:
            data = {
                "requirements": FILES,
                "fields": [
                    field("use", FieldType.CHOICE, choices=choices("a")),
                    {**field("x", kind), attribute: value},
                    field("plans", FieldType.FILE, document="plans"),
                ],
            }
            try:
                parse_definition(data)
            except ValidationError as error:
                with translation.override("en"):
                    assert all(isinstance(message, str) and message for message in error.messages)


def test_a_huge_definition_is_refused_quickly():
    data = {"fields": [field(f"f{index}", "unknown") for index in range(10_000)]}
    started = time.perf_counter()
    assert len(refusal(data)) == 10_000
    assert time.perf_counter() - started < 2


def test_the_file_ids_the_answers_hold_in_fields_and_in_blocks_entries():
    drawing = {"key": "drawing", "type": "file", "document": "lot_plan", "label": labels("Drawing")}
    lots = {"key": "lots", "type": "repeat", "label": labels("Lots"), "fields": [drawing]}
    requirements = [*SMALL_BUILDING["requirements"], {"kind": "lot_plan", "label": labels("Lot plan")}]
    form = parse_definition(
        {**SMALL_BUILDING, "requirements": requirements, "fields": [*SMALL_BUILDING["fields"], lots]}
    )
    answers = {"plans": [3, 4], "lots": [{"drawing": [7]}, "not an entry", {"drawing": "8"}], "use": [9]}
    assert form.file_ids(answers) == {3, 4, 7}
    assert form.file_ids({}) == set()
