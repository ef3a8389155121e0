from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from raqmana.calendars.hijri import MoroccanHijriCalendar

register = template.Library()


@register.filter
def hijri(day):
    """A Gregorian date in Morocco's Hijri calendar, marked approximate before 1924."""
    if not day:
        return ""
    converted = MoroccanHijriCalendar().to_hijri(day)
    arabic = (get_language() or "ar").startswith("ar")
    month = converted.month_name_ar if arabic else converted.month_name_latin
    text = f"{converted.day} {month} {converted.year} {'هـ' if arabic else 'H'}"
    return f"{text} ({_('approximate')})" if converted.approximate else text
