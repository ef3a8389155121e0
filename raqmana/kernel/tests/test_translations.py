"""The catalogues ship compiled and complete: every string has its Arabic and French text, and the .mo matches."""

import gettext
from pathlib import Path

import polib
import pytest
from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy

LOCALE = Path(__file__).resolve().parents[2] / "locale"


@pytest.mark.parametrize("language", ["ar", "fr"])
def test_catalogue_is_complete_and_compiled(language):
    po = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    assert po.percent_translated() == 100, [entry.msgid for entry in po.untranslated_entries()]
    assert not po.fuzzy_entries()
    with open(LOCALE / language / "LC_MESSAGES" / "django.mo", "rb") as compiled:
        mo = gettext.GNUTranslations(compiled)
    plural_forms = int(po.metadata["Plural-Forms"].split("nplurals=")[1].split(";")[0])
    for entry in po.translated_entries():
        if entry.msgid_plural:
            # A missing form makes gettext fall back to another catalogue's text for that count.
            assert sorted(entry.msgstr_plural) == list(range(plural_forms)), entry.msgid
            assert all(entry.msgstr_plural.values()), entry.msgid
            assert mo.ngettext(entry.msgid, entry.msgid_plural, 1) in entry.msgstr_plural.values()
        elif entry.msgctxt:
            assert mo.pgettext(entry.msgctxt, entry.msgid) == entry.msgstr, f"{entry.msgid!r}: run `make messages`"
        else:
            assert mo.gettext(entry.msgid) == entry.msgstr, f"{entry.msgid!r}: run `make messages`"


def test_an_arabic_question_as_a_label_takes_no_colon_after_its_question_mark():
    class Question(forms.Form):
        reason = forms.CharField(label=gettext_lazy("Why are you searching?"))

    with translation.override("ar"):
        label = Question()["reason"].label_tag()
    assert "لماذا تبحث؟<" in label and "؟:" not in label
