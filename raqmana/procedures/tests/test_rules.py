"""Law 55-19 as the procedures engine applies it to every procedure's definition: delays capped at 60 days (30 for an
investment project), no legalised signature nor certified copy, no document asked for twice."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from raqmana.calendars.workdays import WorkingCalendar
from raqmana.procedures.constants import DocumentForm, DocumentSource
from raqmana.procedures.rules import Requirement, check_requirements, decision_delay, maximum_delay_days


@pytest.mark.parametrize(
    ("declared", "investment", "allowed"),
    [
        (10, False, 10),
        (25, False, 25),
        (60, False, 60),
        (90, False, 60),
        (45, True, 30),
        (30, True, 30),
        (20, True, 20),
    ],
)
def test_a_procedures_delay_is_capped_by_the_law(declared, investment, allowed):
    assert maximum_delay_days(declared, investment_project=investment) == allowed


# Filed on Monday 2 November 2026; 18 November (Independence Day) is a holiday.
FILED_ON = date(2026, 11, 2)
CALENDAR = WorkingCalendar([date(2026, 11, 18)])


@pytest.mark.parametrize(
    ("declared", "working", "investment", "delay"),
    [
        (10, False, False, (10, False)),
        (90, False, False, (60, False)),
        (10, True, False, (10, True)),  # ends on 16 November
        (40, True, False, (40, True)),  # ends on 29 December, day 57
        (42, True, False, (42, True)),  # ends on 31 December, day 59: the last that fits
        (43, True, False, (60, False)),  # would end on 1 January, day 60: the cap in calendar days
        (60, True, False, (60, False)),  # some 84 days
        (20, True, True, (20, True)),  # ends on 1 December, day 29
        (21, True, True, (30, False)),  # would end on 2 December, day 30
        (45, True, True, (30, False)),
    ],
)
def test_a_delay_in_working_days_never_runs_past_the_cap_in_days(declared, working, investment, delay):
    assert (
        decision_delay(
            declared, working_days=working, investment_project=investment, filed_on=FILED_ON, calendar=CALENDAR
        )
        == delay
    )


@pytest.mark.parametrize("form", [DocumentForm.LEGALISED_SIGNATURE, DocumentForm.CERTIFIED_COPY])
def test_a_legalised_signature_or_a_certified_copy_may_not_be_required(form):
    with pytest.raises(ValidationError) as refused:
        check_requirements([Requirement("title_deed", form)])
    assert refused.value.error_list[0].code == form.value
    with translation.override("fr"):
        assert "loi 55-19, art. 7" in refused.value.messages[0] and "title_deed" in refused.value.messages[0]


def test_a_document_is_asked_for_once():
    with pytest.raises(ValidationError) as refused:
        check_requirements(
            [Requirement("architect_plans"), Requirement("architect_plans", DocumentForm.SCANNED_ORIGINAL)]
        )
    assert [error.code for error in refused.value.error_list] == ["asked_twice"]


def test_every_breach_is_named_at_once():
    requirements = [
        Requirement("title_deed", DocumentForm.CERTIFIED_COPY),
        Requirement("lease", DocumentForm.LEGALISED_SIGNATURE),
        Requirement("lease"),
    ]
    with pytest.raises(ValidationError) as refused:
        check_requirements(requirements)
    assert [error.code for error in refused.value.error_list] == [
        "certified_copy",
        "legalised_signature",
        "asked_twice",
    ]


def test_what_the_law_allows_passes():
    check_requirements(
        [
            Requirement("architect_plans"),
            Requirement("title_deed", DocumentForm.SCANNED_ORIGINAL),
            Requirement("birth_extract", source=DocumentSource.CIVIL_STATUS_REGISTER),
        ]
    )
