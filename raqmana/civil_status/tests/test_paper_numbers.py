"""A paper act number is digits, alone or followed by the word of an inserted act from one declared list; anything
else is no act number."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from raqmana.civil_status.paper_numbers import INSERTED_ACT_WORDS, checked, plain_number


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("12", "12"),
        ("007", "007"),
        ("١٢٣", "١٢٣"),
        ("۱۲", "۱۲"),
        (" 12 ", "12"),
        ("12 مكرر", "12 مكرر"),
        ("12مكرر", "12 مكرر"),
        ("١٢  مكرر  مرتين", "١٢ مكرر مرتين"),
        ("12 مكرر ثلاث مرات", "12 مكرر ثلاث مرات"),
        ("12bis", "12 bis"),
        ("12 BIS", "12 bis"),
        ("7 Ter", "7 ter"),
        ("7 quater", "7 quater"),
    ],
)
def test_a_paper_number_is_kept_as_written_in_one_spelling(typed, kept):
    assert checked(typed) == kept


@pytest.mark.parametrize(
    "typed",
    ["-5", "abc", "12.5", "12,5", "+12", "12 a", "bis", "مكرر 12", "12 bis bis", "12 مكررر", "1٢", "12-bis", "12 °"],
)
def test_anything_else_is_no_act_number(typed):
    with translation.override("en"):
        with pytest.raises(ValidationError) as refused:
            checked(typed)
        assert refused.value.messages == [
            "An act number is written in digits, alone or followed by one of these words: "
            + ", ".join(INSERTED_ACT_WORDS)
            + "."
        ]


@pytest.mark.parametrize("typed", ["0", "0 مكرر", "99999999999", "99999999999 bis"])
def test_an_act_number_is_one_a_register_can_hold(typed):
    with translation.override("en"):
        with pytest.raises(ValidationError) as refused:
            checked(typed)
        assert refused.value.messages == ["An act number is between 1 and 2,147,483,647."]


def test_only_a_plain_number_is_a_number_in_the_register():
    assert [plain_number(checked(typed)) for typed in ("12", "007", "١٢٣", "12 bis", "12 مكرر")] == [
        12,
        7,
        123,
        None,
        None,
    ]
