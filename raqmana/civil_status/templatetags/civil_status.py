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
    text = converted.text_ar if (get_language() or "ar").startswith("ar") else converted.text_latin
    return f"{text} ({_('approximate')})" if converted.approximate else text
