"""One check for every text the platform takes from people, whatever the way in (a page, the API, the admin).

Each text has a kind (`TextKind`) saying which script it is written in. Whatever its kind, a text is refused if it
holds a character one cannot see or that is not meant for exchange: control characters (NUL included), the bidi
controls that reorder what surrounds them ("Bennani\\u202eTSET\\u202c" prints "BennaniTEST"), zero-width
characters, private use, surrogates and unassigned code points; markup (`<b`, `</p`, `<script`) too. Accepted text
comes back normalised to NFC, so that one name is always stored with the same code points.

Three ways in, one check (`check_text`):
- models inherit `CheckedTextModel`: ModelForms (the admin included) and `full_clean()` check every text field;
  services that save without `full_clean()` call `check_texts()` or `checked_text()`;
- forms that are not ModelForms inherit `CheckedTextForm`;
- `TextValidator(kind)` for a single field elsewhere.
"""

import enum
import re
import unicodedata
from collections.abc import Collection
from functools import lru_cache
from typing import Any, ClassVar, cast

from django import forms
from django.core import checks
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _


class TextKind(enum.StrEnum):
    ARABIC_NAME = "arabic_name"  # Arabic letters (ڭ گ ڤ included), diacritics, tatweel; spaces, hyphens, apostrophes
    LATIN_NAME = "latin_name"  # Latin letters, accented ones included; spaces, hyphens, apostrophes
    TIFINAGH_NAME = "tifinagh_name"  # Tifinagh letters (U+2D30–U+2D7F); spaces and hyphens
    ARABIC_TEXT = "arabic_text"  # one line whose letters are all Arabic; digits and punctuation allowed
    LATIN_TEXT = "latin_text"  # one line whose letters are all Latin; digits and punctuation allowed
    PLAIN_TEXT = "plain_text"  # one line in any script
    MULTILINE_TEXT = "multiline_text"  # any script, over several lines (tabs allowed)


# Characters that change the direction of the text around them: embeddings, overrides, isolates, and the marks
# LRM, RLM and ALM.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
LINE_BREAKS = frozenset("\n\r\x85\u2028\u2029")
MULTILINE_WHITESPACE = frozenset("\n\r\t")
# The start of an HTML or XML tag, comment or declaration.
MARKUP = re.compile(r"<[A-Za-z/!?][^\s<>]{0,20}")

ARABIC_BLOCKS = ((0x0600, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF))
TIFINAGH_BLOCKS = ((0x2D30, 0x2D7F),)
COMBINING_DIACRITICS = ((0x0300, 0x036F),)  # what NFC leaves of a Latin letter with a rarer accent
NAME_PUNCTUATION = frozenset(" -'’")
TIFINAGH_NAME_PUNCTUATION = frozenset(" -")


def _in_blocks(character: str, blocks: tuple[tuple[int, int], ...]) -> bool:
    return any(first <= ord(character) <= last for first, last in blocks)


def _is_arabic_letter(character: str) -> bool:
    """An Arabic letter, diacritic or tatweel; not an Arabic digit, punctuation or presentation form."""
    return _in_blocks(character, ARABIC_BLOCKS) and unicodedata.category(character)[0] in "LM"


def _is_latin_letter(character: str) -> bool:
    category = unicodedata.category(character)
    if category[0] == "M":
        return _in_blocks(character, COMBINING_DIACRITICS)
    return category[0] == "L" and unicodedata.name(character, "").startswith("LATIN ")


def _is_tifinagh_letter(character: str) -> bool:
    return _in_blocks(character, TIFINAGH_BLOCKS) and unicodedata.category(character)[0] in "LM"


def _is_letter_or_mark(character: str) -> bool:
    return unicodedata.category(character)[0] in "LM"


# Per kind restricted to one script: which characters it accepts, and the refusal naming the first one it does not.
SCRIPT_RULES = {
    TextKind.ARABIC_NAME: (
        lambda character: _is_arabic_letter(character) or character in NAME_PUNCTUATION,
        _("Only Arabic letters are accepted here: “%(character)s” is not one."),
    ),
    TextKind.LATIN_NAME: (
        lambda character: _is_latin_letter(character) or character in NAME_PUNCTUATION,
        _("Only Latin letters are accepted here: “%(character)s” is not one."),
    ),
    TextKind.TIFINAGH_NAME: (
        lambda character: _is_tifinagh_letter(character) or character in TIFINAGH_NAME_PUNCTUATION,
        _("Only Tifinagh letters are accepted here: “%(character)s” is not one."),
    ),
    TextKind.ARABIC_TEXT: (
        lambda character: _is_arabic_letter(character) or not _is_letter_or_mark(character),
        _("This text is written in Arabic letters: “%(character)s” is not one."),
    ),
    TextKind.LATIN_TEXT: (
        lambda character: _is_latin_letter(character) or not _is_letter_or_mark(character),
        _("This text is written in Latin letters: “%(character)s” is not one."),
    ),
}


def _code_point(character: str) -> str:
    return f"U+{ord(character):04X}"


def _shown(character: str) -> str:
    """A character as a refusal quotes it: a space by its code point, a lone accent on a dotted circle."""
    category = unicodedata.category(character)
    if category[0] == "Z":
        return _code_point(character)
    return f"◌{character}" if category[0] == "M" else character


def _refuse_unseen_character(character: str, position: int, *, multiline: bool) -> None:
    """Refuse a character one cannot see or that is not meant for exchange; `position` counts from 1."""
    params = {"code_point": _code_point(character), "position": position}
    category = unicodedata.category(character)
    if character in BIDI_CONTROLS:
        raise ValidationError(
            _(
                "This text contains an invisible control character (%(code_point)s, character %(position)d) "
                "that could reorder it: remove it."
            ),
            code="bidi_control",
            params=params,
        )
    if multiline and character in MULTILINE_WHITESPACE:
        return
    if not multiline and character in LINE_BREAKS:
        raise ValidationError(
            _("This text must stay on one line: remove the line break (character %(position)d)."),
            code="line_break",
            params=params,
        )
    if category in {"Cc", "Zl", "Zp"}:
        raise ValidationError(
            _("This text contains an invisible control character (%(code_point)s, character %(position)d): remove it."),
            code="control_character",
            params=params,
        )
    if category == "Cf":  # zero-width characters, the byte order mark, soft hyphens...
        raise ValidationError(
            _("This text contains an invisible character (%(code_point)s, character %(position)d): remove it."),
            code="invisible_character",
            params=params,
        )
    if category in {"Co", "Cs", "Cn"}:
        raise ValidationError(
            _(
                "This text contains a character that is private or not defined by Unicode "
                "(%(code_point)s, character %(position)d): remove it."
            ),
            code="undefined_character",
            params=params,
        )


# A letter of the Arabic alphabet (hamza to yeh): a text holding one is written in Arabic script.
ARABIC_LETTER = re.compile("[\u0621-\u064a]")
_ARABIC_LETTERS = "\u0621-\u063a\u0640-\u064a\u06a4\u06ad\u06af"
_LATIN_1_LETTERS = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff"
_ASCII_OTHER_THAN_LETTERS_AND_LESS_THAN = " -;=-@\\[-`{-~"
# Texts made only of these characters pass every check of their kind, so the character-by-character check is
# skipped for them: a digitised register loads tens of thousands of names a second. Anything else ("<", a
# combining mark, a rarer letter) goes through the full check.
PLAIN_CHARACTERS = (
    f"{_ASCII_OTHER_THAN_LETTERS_AND_LESS_THAN}{_LATIN_1_LETTERS}{_ARABIC_LETTERS}\u0660-\u0669\u060c\u061b\u061f"
)
PLAINLY_VALID = {
    TextKind.ARABIC_NAME: re.compile(f"[{_ARABIC_LETTERS} '’-]*"),
    TextKind.LATIN_NAME: re.compile(f"[{_LATIN_1_LETTERS} '’-]*"),
    TextKind.TIFINAGH_NAME: re.compile("[\u2d30-\u2d67\u2d6f -]*"),
    TextKind.ARABIC_TEXT: re.compile(
        f"[{_ASCII_OTHER_THAN_LETTERS_AND_LESS_THAN}{_ARABIC_LETTERS}\u0660-\u0669\u060c\u061b\u061f]*"
    ),
    TextKind.LATIN_TEXT: re.compile(f"[{_ASCII_OTHER_THAN_LETTERS_AND_LESS_THAN}{_LATIN_1_LETTERS}]*"),
    TextKind.PLAIN_TEXT: re.compile(f"[{PLAIN_CHARACTERS}]*"),
    TextKind.MULTILINE_TEXT: re.compile(f"[{PLAIN_CHARACTERS}\n\r\t]*"),
}


def check_text(value: str, kind: str, *, max_length: int | None = None) -> str:
    """`value` normalised to NFC if it is a text of this kind, at most `max_length` characters long once
    normalised; otherwise ValidationError with a translated message naming what to change.

    The checks go from the most hidden fault to the most visible: unseen characters, markup, script, length.
    """
    kind = TextKind(kind)
    if kind in NAME_KINDS:
        value = " ".join(value.split())  # names are stored without stray spaces, so "  " is an empty name
    if PLAINLY_VALID[kind].fullmatch(value) and (max_length is None or len(value) <= max_length):
        return _name_with_a_letter(value, kind)
    text = unicodedata.normalize("NFC", value)
    for position, character in enumerate(text, start=1):
        _refuse_unseen_character(character, position, multiline=kind == TextKind.MULTILINE_TEXT)
    if markup := MARKUP.search(text):
        raise ValidationError(
            _("Markup is not accepted here: remove “%(markup)s”."), code="markup", params={"markup": markup.group()}
        )
    if kind in SCRIPT_RULES:
        accepts, refusal = SCRIPT_RULES[kind]
        for character in text:
            if not accepts(character):
                raise ValidationError(refusal, code="wrong_script", params={"character": _shown(character)})
    if max_length is not None:
        MaxLengthValidator(max_length)(text)
    return _name_with_a_letter(text, kind)


NAME_KINDS = {TextKind.ARABIC_NAME, TextKind.LATIN_NAME, TextKind.TIFINAGH_NAME}


def _name_with_a_letter(text: str, kind: TextKind) -> str:
    """A name given is at least one letter: "-" or "'" alone is no name."""
    if kind in NAME_KINDS and text and not any(unicodedata.category(character)[0] == "L" for character in text):
        raise ValidationError(_("A name has at least one letter."), code="no_letter")
    return text


def check_field_text(field: str, value: str, kind: str, *, max_length: int | None = None) -> str:
    """`check_text`, its refusal keyed by `field`: the name the text was given under."""
    try:
        return check_text(value, kind, max_length=max_length)
    except ValidationError as error:
        raise ValidationError({field: error.error_list}) from None


@lru_cache(maxsize=100_000)
def _checked_once(value: str, kind: str, max_length: int | None) -> str:
    """`check_text` for the values a bulk load repeats (a register holds a few thousand distinct names)."""
    return check_text(value, kind, max_length=max_length)


@deconstructible
class TextValidator:
    """A field validator for one kind of text (see `check_text`). It cannot store the NFC form: models
    inheriting `CheckedTextModel` do."""

    def __init__(self, kind: str) -> None:
        self.kind = TextKind(kind)

    def __call__(self, value: str) -> None:
        check_text(value, self.kind)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TextValidator) and other.kind == self.kind


class CheckedTextModel(models.Model):
    """A model whose every text field is checked by `check_text` and stored in NFC.

    Every CharField and TextField without choices is checked: a CharField as PLAIN_TEXT, a TextField as
    MULTILINE_TEXT, unless `text_kinds` names another kind; the field's max_length applies. For instance, an act
    whose names are written in three scripts declares:

        class Act(CheckedTextModel):
            text_kinds = {
                **{f"{part}_ar": TextKind.ARABIC_NAME for part in NAME_PARTS},
                **{f"{part}_latin": TextKind.LATIN_NAME for part in NAME_PARTS},
                **{f"{part}_tfng": TextKind.TIFINAGH_NAME for part in NAME_PARTS},
            }

    A subclass adds to its parent's kinds with `{**Parent.text_kinds, ...}`; a name that is no text field of the
    model fails the system checks. The check runs in `clean_fields()`, so in `full_clean()` and ModelForms
    (refusals beside each field, what was typed kept). A service that saves without `full_clean()` calls
    `check_texts()` on a new object, or `checked_text()` for a value it is about to store.
    """

    text_kinds: ClassVar[dict[str, TextKind]] = {}
    _checked_text_fields: ClassVar[list[tuple[str, TextKind, int | None]]]

    class Meta:
        abstract = True

    @classmethod
    def text_kind_of(cls, field: object) -> TextKind | None:
        """The kind a field's text is checked as, or None for a field that holds no free text."""
        if not isinstance(field, models.CharField | models.TextField) or field.choices:
            return None
        default = TextKind.MULTILINE_TEXT if isinstance(field, models.TextField) else TextKind.PLAIN_TEXT
        return cls.text_kinds.get(field.name, default)

    @classmethod
    def checked_text(cls, field_name: str, value: str, *, error_key: str | None = None) -> str:
        """`value` checked and normalised as the field `field_name` stores it. The refusal is keyed by
        `error_key`, the name the text was given under where it differs from the field's."""
        field: Any = cls._meta.get_field(field_name)
        kind = cast(TextKind, cls.text_kind_of(field))
        return check_field_text(error_key or field_name, value, kind, max_length=field.max_length)

    @classmethod
    def checked_values(cls, values: dict[str, Any]) -> dict[str, str]:
        """The text values of a dict of field values (by attname, as bulk loads keep rows), checked and
        normalised; refusals keyed by field name. Other values are left out."""
        checked = {}
        for attname, kind, max_length in cls._text_fields():
            value = values.get(attname)
            if isinstance(value, str) and value:
                try:
                    checked[attname] = _checked_once(value, kind, max_length)
                except ValidationError as error:
                    raise ValidationError({attname: error.error_list}) from None
        return checked

    @classmethod
    def _text_fields(cls) -> list[tuple[str, TextKind, int | None]]:
        """(attname, kind, max_length) of each checked field, worked out once per model."""
        if "_checked_text_fields" not in cls.__dict__:
            cls._checked_text_fields = [
                (field.attname, kind, field.max_length)
                for field in cls._meta.fields
                if (kind := cls.text_kind_of(field)) is not None
            ]
        return cls._checked_text_fields

    def check_texts(self, exclude: Collection[str] = ()) -> None:
        """Check every text field's value and store it normalised; refusals are keyed by field name."""
        errors = {}
        for field in self._meta.fields:
            value = getattr(self, field.attname)
            if field.name in exclude or self.text_kind_of(field) is None or not isinstance(value, str):
                continue
            try:
                setattr(self, field.attname, self.checked_text(field.name, value))
            except ValidationError as error:
                errors.update(error.error_dict)
        if errors:
            raise ValidationError(errors)

    def clean_fields(self, exclude: Collection[str] | None = None) -> None:
        exclude = set(exclude or ())
        try:
            self.check_texts(exclude)
            errors = {}
        except ValidationError as error:
            errors = error.error_dict
        try:
            # A text already refused is not refused a second time (its length, for instance).
            super().clean_fields(exclude=exclude | errors.keys())
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    @classmethod
    def check(cls, **kwargs: Any) -> list[checks.CheckMessage]:
        errors = super().check(**kwargs)
        text_fields = {field.name for field in cls._meta.fields if cls.text_kind_of(field) is not None}
        for name in sorted(cls.text_kinds.keys() - text_fields):
            errors.append(
                checks.Error(
                    f"text_kinds names '{name}', which is not a text field without choices of this model.",
                    obj=cls,
                    id="kernel.E001",
                )
            )
        return errors


class CheckedTextForm:
    """A mixin, before forms.Form, checking each text field of a form that is not a ModelForm by `check_text`.

    Every CharField (its subclasses included, password inputs excepted) is checked as PLAIN_TEXT, or as
    MULTILINE_TEXT with a Textarea, unless `text_kinds` maps its name to another kind. The cleaned data keeps what
    was typed; the model the service stores it in normalises it.
    """

    text_kinds: ClassVar[dict[str, TextKind]] = {}
    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            # A password is never shown nor printed, and may hold any character.
            if not isinstance(field, forms.CharField) or isinstance(field.widget, forms.PasswordInput):
                continue
            default = TextKind.MULTILINE_TEXT if isinstance(field.widget, forms.Textarea) else TextKind.PLAIN_TEXT
            field.validators.append(TextValidator(self.text_kinds.get(name, default)))


def machine_text(text: str, max_length: int) -> str:
    """A text a machine wrote (a mail server's refusal, a gateway's answer), made storable and safe to show: every
    control, format, private-use or unassigned character (NUL, which PostgreSQL cannot store, and the bidi controls
    included) becomes U+FFFD, and the text is cut to `max_length`. Such texts are kept as evidence, not refused."""
    kept = "".join("\ufffd" if unicodedata.category(character)[0] == "C" else character for character in text)
    return kept[:max_length]
