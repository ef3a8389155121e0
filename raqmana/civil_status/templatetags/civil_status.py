from django import template

from raqmana.calendars.hijri import HijriDate, MoroccanHijriCalendar

register = template.Library()


@register.filter
def hijri(day):
    """A Gregorian date in Morocco's Hijri calendar, marked approximate before 1924 and computed in a month whose
    official start is not recorded."""
    if not day:
        return ""
    converted = MoroccanHijriCalendar().to_hijri(day)
    return converted.marked_text


@register.filter
def hijri_of(act, field):
    """An act's date in Hijri, `{{ act|hijri_of:"birth_date" }}`: as typed from the register when it was typed
    in Hijri (`birth_date_hijri`), else converted from the Gregorian date."""
    typed = getattr(act, f"{field}_hijri", "")
    if typed:
        return HijriDate.from_iso(typed).text
    return hijri(getattr(act, field))
