"""Rules of Law 36-21 on civil status (in force with decree 2.22.04 of 2023), one function each.

Article numbers are not cited here: the consolidated text was not available to check them against, so each
docstring names the provision by its content (see DOMAIN.md, "Civil status").
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .constants import (
    BIRTH_DECLARANT_PRIORITY,
    DECLARATION_DELAY_DAYS,
    DECLARATION_DELAY_DAYS_ABROAD,
    MINIMUM_MOTHER_AGE_YEARS,
    ActKind,
    DeclarantRelation,
)
from .names import compact_arabic


def declaration_deadline(event_date, abroad, working_calendar):
    """Law 36-21, declaration delays: a birth or a death is declared within 30 days, within one year for
    Moroccans abroad; a delay whose last day is a weekend or a holiday runs to the next working day."""
    days = DECLARATION_DELAY_DAYS_ABROAD if abroad else DECLARATION_DELAY_DAYS
    return working_calendar.deadline(event_date, days)


def check_late_declaration(kind, event_date, declared_on, abroad, judgment_number, judgment_court, working_calendar):
    """Law 36-21, late declarations: past the delay a birth or death is registered only on a court judgment,
    whose reference the act records."""
    deadline = declaration_deadline(event_date, abroad, working_calendar)
    if declared_on > deadline and not (judgment_number.strip() and judgment_court.strip()):
        message = (
            _("This birth is declared after the legal delay (ended %(deadline)s): record the court judgment.")
            if kind == ActKind.BIRTH
            else _("This death is declared after the legal delay (ended %(deadline)s): record the court judgment.")
        )
        raise ValidationError(
            {"late_judgment_number": ValidationError(message, params={"deadline": deadline.isoformat()}, code="late")}
        )


def check_birth_declarant(relation, precedence_reason):
    """Law 36-21, who declares a birth: the father, else the mother, else the grandfather, the paternal then
    maternal uncles and aunts, the guardian, the brothers and sisters, the nephews and nieces. A declarant
    further down the list says why those before could not declare."""
    if relation not in BIRTH_DECLARANT_PRIORITY:
        raise ValidationError(
            {"declarant_relation": _("A birth is declared by a relative in the legal order, or by the guardian.")},
            code="not_a_birth_declarant",
        )
    if relation != DeclarantRelation.FATHER and not precedence_reason.strip():
        before = BIRTH_DECLARANT_PRIORITY[: BIRTH_DECLARANT_PRIORITY.index(relation)]
        raise ValidationError(
            {
                "declarant_precedence_reason": ValidationError(
                    _("Say why %(before)s could not declare the birth."),
                    params={"before": ", ".join(str(DeclarantRelation(item).label).lower() for item in before)},
                    code="precedence_reason_required",
                )
            }
        )


IDENTITY_FIELDS = ["sex", "birth_date", "birth_date_hijri", "first_name_ar", "family_name_ar", "father_first_name_ar"]


def check_same_person(deceased, born, *, quote_birth_act=True):
    """Law 36-21, death of a person registered at birth: the death is written beside the birth act, so the
    death act and the birth act must record the same person: same sex, same date of birth (as typed in Hijri
    when both give it so: a month start recorded since may have moved its Gregorian equivalent), and the same
    names by the register's normalised keys, compound names joined or apart (the father's first name compared
    when both acts give it).

    `deceased` and `born` are dicts of IDENTITY_FIELDS (the deceased's Hijri birth date converted when only its
    Gregorian one was given); raises a ValidationError naming what differs and quoting the birth act's values
    only when `quote_birth_act` (the agent may read it), else saying only that it is another person."""
    differences = []
    if deceased["sex"] != born["sex"]:
        differences.append(_("sex"))
    # A birth typed in Hijri is the same day as typed, or as the Gregorian date the act carries.
    both_hijri = deceased["birth_date_hijri"] and born["birth_date_hijri"]
    same_birth = deceased["birth_date"] == born["birth_date"] or (
        both_hijri and deceased["birth_date_hijri"] == born["birth_date_hijri"]
    )
    if not same_birth:
        differences.append(
            _("date of birth (%(date)s on the birth act)") % {"date": born["birth_date"].isoformat()}
            if quote_birth_act
            else _("date of birth")
        )
    labels = {
        "first_name_ar": _("first name"),
        "family_name_ar": _("family name"),
        "father_first_name_ar": _("father's first name"),
    }
    for field, label in labels.items():
        if field == "father_first_name_ar" and not (deceased[field].strip() and born[field].strip()):
            continue
        if compact_arabic(deceased[field]) != compact_arabic(born[field]):
            differences.append(
                _("%(name)s (“%(value)s” on the birth act)") % {"name": label, "value": born[field]}
                if quote_birth_act
                else label
            )
    if differences and not quote_birth_act:
        # Which facts differ would let an agent who may not read the birth act find them by trial.
        raise ValidationError(
            {"birth_act": ValidationError(_("This birth act records another person."), code="another_person")}
        )
    if differences:
        raise ValidationError(
            {
                "birth_act": ValidationError(
                    _("This birth act records another person: %(differences)s differ."),
                    params={"differences": "; ".join(str(difference) for difference in differences)},
                    code="another_person",
                )
            }
        )


# No civil status register is older (Morocco's began in 1915; people born decades before were registered then).
EARLIEST_DATE = date(1850, 1, 1)


def years_between(earlier, later):
    return later.year - earlier.year - ((later.month, later.day) < (earlier.month, earlier.day))


def check_dates(*, kind, birth_date, death_date, declared_on, mother_birth_date, father_birth_date,
                late_judgment_date=None, today=None):  # fmt: skip
    """Dates an act cannot carry: before the registers (1850), an event, a declaration or a judgment in the
    future, an event declared before it happened, a death before the birth, a mother younger than ten, a parent
    born after the child."""
    today = today or timezone.localdate()
    errors = {}
    given = {"birth_date": birth_date, "death_date": death_date, "declared_on": declared_on,
             "mother_birth_date": mother_birth_date, "father_birth_date": father_birth_date,
             "late_judgment_date": late_judgment_date}  # fmt: skip
    for field, day in given.items():
        if day and day < EARLIEST_DATE:
            errors[field] = _("This date is before %(year)s: check the year.") % {"year": EARLIEST_DATE.year}
    if errors:
        raise ValidationError(errors)
    if declared_on and declared_on > today:
        errors["declared_on"] = _("The declaration is dated in the future.")
    if late_judgment_date and late_judgment_date > today:
        errors["late_judgment_date"] = _("The judgment is dated in the future.")
    if birth_date and birth_date > today:
        errors["birth_date"] = _("The date of birth is in the future.")
    if kind == ActKind.DEATH:
        if death_date is None:
            errors["death_date"] = _("Give the date of death.")
        elif death_date > today:
            errors["death_date"] = _("The date of death is in the future.")
        elif birth_date and death_date < birth_date:
            errors["death_date"] = _("The date of death is before the date of birth.")
    event = death_date if kind == ActKind.DEATH else birth_date
    if event and declared_on and declared_on < event:
        errors["declared_on"] = _("The declaration is dated before the event it declares.")
    mother_age = years_between(mother_birth_date, birth_date) if mother_birth_date and birth_date else None
    if kind == ActKind.BIRTH and mother_age is not None and mother_age < MINIMUM_MOTHER_AGE_YEARS:
        errors["mother_birth_date"] = _("The mother would be younger than %(years)s at the birth.") % {
            "years": MINIMUM_MOTHER_AGE_YEARS
        }
    if kind == ActKind.BIRTH and father_birth_date and birth_date and father_birth_date >= birth_date:
        errors["father_birth_date"] = _("The father would be born after the child.")
    if errors:
        raise ValidationError(errors)
