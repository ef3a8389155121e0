"""Template filters writing counts and money the platform's one way (the rule: `raqmana.kernel.numbers`)."""

from decimal import Decimal

from django import template

from raqmana.kernel.numbers import CURRENCY, format_money, format_quantity, isolated, isolated_money, isolated_quantity

register = template.Library()


@register.filter(needs_autoescape=True, name="isolated")
def isolated_filter(value: object, autoescape: bool = True) -> object:
    """`{% blocktranslate with date=day|date:"SHORT_DATE_FORMAT"|isolated %}`: a date, a time or a number kept whole
    inside a sentence of the other direction (plain in a text template)."""
    if value is None or value == "":
        return ""
    return isolated(str(value)) if autoescape else value


@register.filter(needs_autoescape=True)
def quantity(value: int | None, autoescape: bool = True) -> str:
    """`{{ count|quantity }}`: a grouped count, isolated in a page (plain in a text template, such as a message)."""
    if value is None or value == "":
        return ""
    return isolated_quantity(value) if autoescape else format_quantity(value)


@register.filter(needs_autoescape=True)
def money(amount: Decimal | int | str | None, currency: str = CURRENCY, autoescape: bool = True) -> str:
    """`{{ payment.amount|money }}`, `{{ payment.received_amount|money:payment.received_currency }}`: an amount
    written the one way; in a page its number is isolated from the text around it."""
    if amount is None or amount == "":
        return ""
    currency = currency or CURRENCY
    return isolated_money(amount, currency) if autoescape else format_money(amount, currency)
