"""Numbers and money written one way: amounts as Moroccan usage writes them in each language, counts grouped and
isolated, years and references never grouped."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from raqmana.kernel.numbers import format_money, format_quantity, isolated_money, with_amounts

NBSP = "\xa0"


@pytest.mark.parametrize(
    ("language", "amount", "currency", "written"),
    [
        ("ar", Decimal("2"), "MAD", f"2,00{NBSP}درهم"),
        ("fr", Decimal("2"), "MAD", f"2,00{NBSP}DH"),
        ("en", Decimal("2"), "MAD", f"2.00{NBSP}MAD"),
        ("ar", Decimal("1500.5"), "MAD", f"1{NBSP}500,50{NBSP}درهم"),
        ("en", Decimal("1500.5"), "MAD", f"1,500.50{NBSP}MAD"),
        ("fr", "0.5", "EUR", f"0,50{NBSP}EUR"),  # a currency other than the dirham keeps its ISO code
    ],
)
def test_money_is_written_as_moroccan_usage_has_it(language, amount, currency, written):
    assert format_money(amount, currency, language) == written


def test_money_follows_the_active_language():
    with translation.override("fr"):
        assert format_money(Decimal("2.00")) == f"2,00{NBSP}DH"


def test_money_in_a_page_isolates_its_number():
    with translation.override("ar"):
        assert isolated_money(Decimal("2")) == f'<span class="money"><bdi dir="ltr">2,00</bdi>{NBSP}درهم</span>'


def test_a_message_with_amounts_escapes_its_text_not_its_amounts():
    with translation.override("en"):
        told = with_amounts("<b>%(amount)s</b>", amount=isolated_money(2))
    assert told.startswith("&lt;b&gt;<span") and told.endswith("</span>&lt;/b&gt;")


@pytest.mark.parametrize(("language", "written"), [("ar", f"1{NBSP}503"), ("fr", f"1{NBSP}503"), ("en", "1,503")])
def test_a_quantity_is_grouped_by_thousands(language, written):
    assert format_quantity(1503, language) == written


@pytest.mark.parametrize("language", ["ar", "fr", "en"])
def test_years_and_references_are_never_grouped_while_quantities_and_money_are(language):
    template = Template(
        "{% load numbers %}{{ year }} {{ number }}/{{ year }}|{{ count|quantity }}|{{ amount|money }}|{{ none|money }}"
    )
    with translation.override(language):
        text = template.render(Context({"year": 2026, "number": 12345, "count": 1503, "amount": Decimal("1234.5")}))
    references, count, amount, nothing = text.split("|")
    assert references == "2026 12345/2026"
    assert count == f'<bdi dir="ltr">{format_quantity(1503, language)}</bdi>'
    assert format_money(Decimal("1234.5"), language=language).split(NBSP)[-1] in amount
    assert nothing == ""


def test_a_text_template_writes_amounts_without_markup():
    template = Template(
        "{% load numbers %}{% autoescape off %}{{ amount|money }} {{ count|quantity }}{% endautoescape %}"
    )
    with translation.override("fr"):
        assert template.render(Context({"amount": 2, "count": 1503})) == f"2,00{NBSP}DH 1{NBSP}503"
