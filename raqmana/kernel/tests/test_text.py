"""The one check of every text people give: the script each field expects, no invisible or undefined characters,
no markup, NFC, the model's length; refusals translated, naming the character and where it stands."""

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.test.utils import isolate_apps
from django.utils import translation
from django.utils.functional import Promise

from raqmana.kernel.text import CheckedTextForm, CheckedTextModel, TextKind, TextValidator, check_text
from raqmana.territories.models import CivilStatusOffice


def refusal(value, kind, **options):
    with pytest.raises(ValidationError) as refused:
        check_text(value, kind, **options)
    (error,) = refused.value.error_list
    return error.code, refused.value.messages[0]


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("عبد الرحمن", TextKind.ARABIC_NAME),
        ("مُحَمَّد", TextKind.ARABIC_NAME),  # diacritics
        ("بنكيـــران", TextKind.ARABIC_NAME),  # tatweel
        ("ڭوزيمي", TextKind.ARABIC_NAME),  # the Moroccan letters ڭ گ ڤ
        ("گلميم ڤاطمة", TextKind.ARABIC_NAME),
        ("آيت-الحاج", TextKind.ARABIC_NAME),
        ("Aït Benhaddou", TextKind.LATIN_NAME),
        ("Lahcen O'Brien", TextKind.LATIN_NAME),
        ("L’Hadj", TextKind.LATIN_NAME),
        ("Hélène Çağlar-Ïbrahim", TextKind.LATIN_NAME),
        ("ⵎⵓⵃⵎⵎⴷ", TextKind.TIFINAGH_NAME),
        ("ⴰⵢⵜ ⴱⵏ-ⵃⴷⴷⵓ", TextKind.TIFINAGH_NAME),
        ("مكتب الحالة المدنية الملحق 2 – تمارة", TextKind.ARABIC_TEXT),
        ("Bureau d'état civil n° 2 (Témara)", TextKind.LATIN_TEXT),
        ("Atlas SARL & Fils, 12 bd Zerktouni", TextKind.PLAIN_TEXT),
        ("Passeport — جواز السفر ⵜⴰⵎⴰⵣⵉⵖⵜ", TextKind.PLAIN_TEXT),
        ("a < b, 3<5", TextKind.PLAIN_TEXT),
        ("Première ligne\nSeconde\tligne\r\n", TextKind.MULTILINE_TEXT),
    ],
)
def test_real_names_and_texts_are_accepted_as_typed(name, kind):
    assert check_text(name, kind) == name


def test_the_bidi_override_that_reorders_a_sealed_pdf_is_refused():
    code, message = refusal("Bennani\u202eTSET\u202c", TextKind.LATIN_NAME)
    assert code == "bidi_control"
    assert message == (
        "This text contains an invisible control character (U+202E, character 8) that could reorder it: remove it."
    )


@pytest.mark.parametrize("character", list("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"))
@pytest.mark.parametrize("kind", list(TextKind))
def test_every_bidi_control_is_refused_in_every_kind(character, kind):
    assert refusal(f"محمد{character}", kind)[0] == "bidi_control"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Ben\x00nani", "control_character"),  # NUL, which PostgreSQL cannot even store
        ("Ben\x07nani", "control_character"),
        ("Ben\x9bnani", "control_character"),  # C1
        ("Ben\tnani", "control_character"),  # a tab is for several lines of text
        ("Ben\nnani", "line_break"),
        ("Ben\rnani", "line_break"),
        ("Ben\u2028nani", "line_break"),
        ("Ben\u200bnani", "invisible_character"),  # zero-width space
        ("Ben\u200cnani", "invisible_character"),
        ("Ben\u200dnani", "invisible_character"),
        ("Ben\u2060nani", "invisible_character"),  # word joiner
        ("\ufeffBennani", "invisible_character"),  # byte order mark
        ("Ben\u00adnani", "invisible_character"),  # soft hyphen
        ("Ben\ue000nani", "undefined_character"),  # private use
        ("Ben\U000f0000nani", "undefined_character"),
        ("Ben\ud800nani", "undefined_character"),  # a lone surrogate
        ("Ben\u0378nani", "undefined_character"),  # unassigned
        ("Ben\uffffnani", "undefined_character"),  # a noncharacter
    ],
)
def test_invisible_and_undefined_characters_are_refused_with_their_code_point_and_place(text, code):
    refused_code, message = refusal(text, TextKind.PLAIN_TEXT)
    assert refused_code == code
    assert "character 4" in message or "character 1" in message


def test_multiline_text_keeps_line_breaks_and_tabs_but_no_other_control():
    assert check_text("un\ndeux\r\ntrois\tquatre", TextKind.MULTILINE_TEXT)
    assert refusal("un\x00deux", TextKind.MULTILINE_TEXT)[0] == "control_character"
    assert refusal("un\u2029deux", TextKind.MULTILINE_TEXT)[0] == "control_character"
    assert refusal("un\x0bdeux", TextKind.MULTILINE_TEXT)[0] == "control_character"


def test_the_control_message_names_the_code_point():
    assert refusal("a\x00b", TextKind.PLAIN_TEXT)[1] == (
        "This text contains an invisible control character (U+0000, character 2): remove it."
    )


@pytest.mark.parametrize("kind", list(TextKind))
@pytest.mark.parametrize("markup", ["<b>محمد</b>", "<script>alert(1)</script>", "محمد</p>", "<!-- x -->", "<img src=>"])
def test_markup_is_refused_in_every_kind(kind, markup):
    assert refusal(markup, kind)[0] == "markup"


def test_html_in_an_arabic_name_is_named():
    assert refusal("<b>محمد</b>", TextKind.ARABIC_NAME)[1] == "Markup is not accepted here: remove “<b”."


def test_latin_letters_in_an_arabic_name_are_refused_naming_the_first():
    code, message = refusal("محمد Ali", TextKind.ARABIC_NAME)
    assert code == "wrong_script"
    assert message == "Only Arabic letters are accepted here: “A” is not one."


@pytest.mark.parametrize(
    ("name", "kind", "named"),
    [
        ("Ahmed3", TextKind.LATIN_NAME, "3"),
        ("محمد٣", TextKind.ARABIC_NAME, "٣"),  # Arabic-Indic digits are digits too
        ("ⵎⵓⵃ2", TextKind.TIFINAGH_NAME, "2"),
        ("Bennani بناني", TextKind.LATIN_NAME, "ب"),
        ("ⵎⵓⵃ Moha", TextKind.TIFINAGH_NAME, "M"),
        ("ⵎⵓⵃ'ⵎ", TextKind.TIFINAGH_NAME, "'"),
        ("Ben_nani", TextKind.LATIN_NAME, "_"),
        ("Ｂennani", TextKind.LATIN_NAME, "Ｂ"),  # fullwidth, a look-alike
        ("Вennani", TextKind.LATIN_NAME, "В"),  # Cyrillic, a look-alike
        ("ﻣﺤﻤﺪ", TextKind.ARABIC_NAME, "ﻣ"),  # presentation forms, as copied from a PDF
        ("مكتب Rabat", TextKind.ARABIC_TEXT, "R"),
        ("Bureau تمارة", TextKind.LATIN_TEXT, "ت"),
    ],
)
def test_digits_and_other_scripts_are_refused_naming_the_character(name, kind, named):
    code, message = refusal(name, kind)
    assert code == "wrong_script" and f"“{named}”" in message


def test_names_keep_single_spaces_and_need_a_letter():
    assert check_text("  عبد \u00a0 الرحمن ", TextKind.ARABIC_NAME) == "عبد الرحمن"
    assert check_text("   ", TextKind.LATIN_NAME) == ""
    for typed in ("-", "' -", "’"):
        with pytest.raises(ValidationError) as refused:
            check_text(typed, TextKind.ARABIC_NAME)
        assert refused.value.code in {"no_letter", "wrong_script"}


def test_text_is_normalised_to_nfc():
    decomposed = "Ai\u0308t Benhaddou"  # i + combining diaeresis
    assert check_text(decomposed, TextKind.LATIN_NAME) == "Aït Benhaddou"
    assert check_text("ا\u0653", TextKind.ARABIC_NAME) == "آ"  # alef + madda above


def test_the_length_is_counted_once_normalised():
    assert check_text("Ai\u0308t", TextKind.LATIN_NAME, max_length=3) == "Aït"
    with pytest.raises(ValidationError) as refused:
        check_text("Aïta", TextKind.LATIN_NAME, max_length=3)
    assert refused.value.error_list[0].code == "max_length"


def test_refusals_are_translatable_messages_with_their_details_as_parameters():
    """The catalogues get the messages at the next `make messages`; the character stays out of the msgid."""
    with pytest.raises(ValidationError) as refused:
        check_text("محمد Ali", TextKind.ARABIC_NAME)
    (error,) = refused.value.error_list
    assert isinstance(error.message, Promise) and "%(character)s" in str(error.message)
    assert error.params == {"character": "A"}


def test_the_validator_deconstructs_and_compares_for_migrations():
    validator = TextValidator(TextKind.ARABIC_NAME)
    path, args, _kwargs = validator.deconstruct()
    assert path == "raqmana.kernel.text.TextValidator" and args == (TextKind.ARABIC_NAME,)
    assert validator == TextValidator("arabic_name") and validator != TextValidator(TextKind.LATIN_NAME)
    with pytest.raises(ValidationError):
        validator("Ali")


class NameForm(CheckedTextForm, forms.Form):
    text_kinds = {"name_ar": TextKind.ARABIC_NAME}

    name_ar = forms.CharField()
    note = forms.CharField(widget=forms.Textarea, required=False)
    reference = forms.CharField(required=False)
    password = forms.CharField(widget=forms.PasswordInput, required=False)


def test_a_form_checks_each_text_field_by_its_kind_and_keeps_what_was_typed():
    form = NameForm({"name_ar": "<b>محمد", "note": "un\ndeux", "reference": "X\u202e1", "password": "p\u202eass"})
    assert not form.is_valid()
    assert set(form.errors) == {"name_ar", "reference"}  # a Textarea takes lines; a password anything
    assert form.errors.as_data()["name_ar"][0].code == "markup"
    assert 'value="&lt;b&gt;محمد"' in str(form["name_ar"]) and 'aria-invalid="true"' in str(form["name_ar"])
    assert NameForm({"name_ar": "محمد", "note": "un\ndeux"}).is_valid()


@pytest.mark.django_db
def test_a_model_refuses_by_field_through_full_clean_and_stores_nfc():
    office = CivilStatusOffice.objects.order_by("pk").first()
    office.name_ar, office.name_fr, office.address = "مكتب Témara", "Bureau <i>", "Rue\u202e 7"
    with pytest.raises(ValidationError) as refused:
        office.full_clean()
    errors = refused.value.error_dict
    assert set(errors) == {"name_ar", "name_fr", "address"}
    assert [errors[name][0].code for name in ("name_ar", "name_fr", "address")] == [
        "wrong_script",
        "markup",
        "bidi_control",
    ]
    office.name_ar, office.name_fr, office.address = "مكتب تمارة", "Bureau d'e\u0301tat civil", "Rue 7"
    office.full_clean()
    assert office.name_fr == "Bureau d'état civil"


@pytest.mark.django_db
def test_a_text_too_long_for_its_field_is_refused_once():
    office = CivilStatusOffice.objects.order_by("pk").first()
    office.address = "x" * 301
    with pytest.raises(ValidationError) as refused:
        office.full_clean()
    assert [error.code for error in refused.value.error_dict["address"]] == ["max_length"]
    with pytest.raises(ValidationError) as refused:
        office.check_texts()
    assert [error.code for error in refused.value.error_dict["address"]] == ["max_length"]


def test_a_single_value_is_checked_as_its_field_and_keyed_as_asked():
    assert CivilStatusOffice.checked_text("name_fr", "Bureau d'e\u0301tat civil") == "Bureau d'état civil"
    with pytest.raises(ValidationError) as refused:
        CivilStatusOffice.checked_text("name_ar", "Bureau", error_key="name")
    assert set(refused.value.error_dict) == {"name"}


@isolate_apps("raqmana.kernel")
def test_a_kind_declared_for_a_field_that_holds_no_free_text_fails_the_checks():
    class Person(CheckedTextModel):
        text_kinds = {"first_name_ar": TextKind.ARABIC_NAME, "first_name_tfgn": TextKind.TIFINAGH_NAME}

        first_name_ar = models.CharField(max_length=100)
        sex = models.CharField(max_length=1, choices=[("m", "m"), ("f", "f")])

    assert [error.id for error in Person.check()] == ["kernel.E001"]
    assert "first_name_tfgn" in Person.check()[0].msg


def test_a_machines_text_is_kept_readable_and_storable():
    from raqmana.kernel.text import machine_text

    assert machine_text("550 bad\x00mailbox\u202e", 300) == "550 bad\ufffdmailbox\ufffd"
    assert machine_text("ش" * 500, 300) == "ش" * 300
