"""Hijri dates on certified documents and pages: Morocco's official months, computed or approximate ones marked,
and a date typed in Hijri from an old register printed as typed."""

from datetime import date
from types import SimpleNamespace

import pytest
from django.utils import translation

from raqmana.calendars.hijri import MoroccanHijriCalendar
from raqmana.civil_status.models import Act
from raqmana.civil_status.templatetags.civil_status import hijri, hijri_of
from raqmana.civil_status_documents.constants import CivilStatusDocument
from raqmana.civil_status_documents.content import certified_content
from raqmana.documents.content import dated

pytestmark = pytest.mark.django_db


@pytest.fixture
def calendar():
    return MoroccanHijriCalendar()


def test_a_date_in_an_announced_month_is_printed_plain(calendar):
    assert dated(date(2025, 3, 31), calendar) == (("31/03/2025", "number"), ("1 شوال 1446 هـ", "ar"))


def test_a_date_in_a_month_without_an_official_start_says_it_is_computed(calendar):
    assert dated(date(2000, 1, 1), calendar)[1] == ("24 رمضان 1420 هـ (محسوب)", "ar")


def test_a_date_before_1924_says_it_is_approximate(calendar):
    assert dated(date(1915, 6, 1), calendar)[1] == ("18 رجب 1333 هـ (تقريبي)", "ar")


def test_a_date_typed_in_hijri_is_printed_as_typed(calendar):
    # Umm al-Qura would make 20 January 1932 the 12th of Ramadan 1350 too; the register's word is printed even
    # where the two would differ.
    assert dated(date(1932, 1, 20), calendar, "1350-09-12")[1] == ("12 رمضان 1350 هـ", "ar")
    assert dated(date(1932, 1, 21), calendar, "1350-09-12")[1] == ("12 رمضان 1350 هـ", "ar")


def test_the_certified_content_prints_the_typed_hijri_birth_date(birth_act, calendar):
    Act.objects.filter(pk=birth_act.pk).update(birth_date=date(1932, 1, 21), birth_date_hijri="1350-09-13")
    act = Act.objects.get(pk=birth_act.pk)
    content = certified_content(CivilStatusDocument.BIRTH_FULL_COPY, act, act.signed_at, calendar)
    rows = {row["label"][1]: [value["text"] for value in row["values"]] for row in content["rows"]}
    assert rows["Date de naissance"] == ["21/01/1932", "13 رمضان 1350 هـ"]
    # The declaration was typed in Gregorian: converted, and marked where its month is only computed.
    declared = birth_act.declared_on
    assert rows["Date de la déclaration"] == [f"{declared:%d/%m/%Y}", dated(declared, calendar)[1][0]]


def test_the_template_filters_mark_computed_dates_and_prefer_the_typed_hijri():
    with translation.override("en"):
        assert hijri(date(2025, 3, 31)) == "1 Chawwal 1446 H"
        assert hijri(date(2000, 1, 1)) == "24 Ramadan 1420 H (computed)"
        assert hijri(date(1915, 6, 1)) == "18 Rajab 1333 H (approximate)"
        typed = SimpleNamespace(birth_date=date(1932, 1, 21), birth_date_hijri="1350-09-13")
        assert hijri_of(typed, "birth_date") == "13 Ramadan 1350 H"
        converted = SimpleNamespace(birth_date=date(2025, 3, 31), birth_date_hijri="")
        assert hijri_of(converted, "birth_date") == "1 Chawwal 1446 H"
        # An act from before the typed Hijri fields: converted.
        assert hijri_of(SimpleNamespace(death_date=date(2025, 3, 31)), "death_date") == "1 Chawwal 1446 H"
        assert hijri_of(SimpleNamespace(death_date=None, death_date_hijri=""), "death_date") == ""
    with translation.override("ar"):
        assert hijri(date(2025, 3, 31)) == "1 شوال 1446 هـ"
