"""Recording Morocco's month starts (service and admin), and the religious holidays that follow them."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from raqmana.accounts.tests.factories import UserFactory
from raqmana.calendars.constants import HolidayKind
from raqmana.calendars.models import HijriMonthStart, Holiday
from raqmana.calendars.services import (
    check_month_start,
    delete_month_start,
    load_holidays,
    record_month_start,
    save_holiday_by_hand,
)

pytestmark = pytest.mark.django_db

# Shawwal 1447 is past the published data: Umm al-Qura begins it on Friday 20 March 2026.
UMM_AL_QURA_FITR_1447 = [date(2026, 3, 20), date(2026, 3, 21)]
DAY_AFTER_FITR_1447 = [date(2026, 3, 21), date(2026, 3, 22)]


def fitr_days(year=2026):
    return list(Holiday.objects.filter(name_fr="Aïd al-Fitr", date__year=year).values_list("date", flat=True))


def test_recording_a_month_start_moves_its_feasts():
    load_holidays(2026, 2026)
    assert fitr_days() == UMM_AL_QURA_FITR_1447
    record_month_start(1447, 10, date(2026, 3, 21), "Communiqué du ministère")
    assert fitr_days() == DAY_AFTER_FITR_1447
    assert Holiday.objects.get(date=date(2026, 3, 21)).hijri_date == "1447-10-01"
    # Corrected, then forgotten: the feast follows each time.
    record_month_start(1447, 10, date(2026, 3, 20), "Communiqué rectificatif")
    assert fitr_days() == UMM_AL_QURA_FITR_1447
    assert HijriMonthStart.objects.get(hijri_year=1447, hijri_month=10).source == "Communiqué rectificatif"
    delete_month_start(HijriMonthStart.objects.get(hijri_year=1447, hijri_month=10))
    assert fitr_days() == UMM_AL_QURA_FITR_1447


def test_national_exceptional_and_hand_edited_holidays_stay():
    load_holidays(2026, 2026)
    exceptional = Holiday.objects.create(
        date=date(2026, 3, 23), name_ar="عطلة", name_fr="Jour férié exceptionnel", kind=HolidayKind.EXCEPTIONAL
    )
    # An administrator moved the second day of Eid al-Fitr by hand.
    second_day = Holiday.objects.get(date=date(2026, 3, 21))
    second_day.date = date(2026, 3, 24)
    save_holiday_by_hand(second_day)
    record_month_start(1447, 10, date(2026, 3, 21), "Communiqué du ministère")
    assert fitr_days() == [date(2026, 3, 21), date(2026, 3, 24)]  # the first day moved, not the hand-set one
    assert Holiday.objects.get(pk=exceptional.pk).date == date(2026, 3, 23)
    assert Holiday.objects.get(date=date(2026, 5, 1)).name_fr == "Fête du travail"


def test_a_start_far_from_umm_al_qura_or_making_a_month_of_28_or_31_days_is_refused():
    # Rajab 1447 began on 22 December 2025 in Morocco; Umm al-Qura begins Chaabane on 20 January 2026.
    with pytest.raises(ValidationError) as error:
        check_month_start(1447, 8, date(2026, 1, 25))
    assert error.value.error_dict["gregorian_start"][0].code == "far_from_umm_al_qura"
    for start in [date(2026, 1, 19), date(2026, 1, 22)]:  # Rajab of 28 days, of 31 days
        with pytest.raises(ValidationError) as error:
            record_month_start(1447, 8, start, "test")
        assert error.value.error_dict["gregorian_start"][0].code == "impossible_month_length"
    assert not HijriMonthStart.objects.filter(hijri_year=1447, hijri_month=8).exists()
    check_month_start(1447, 8, date(2026, 1, 21))
    # Correcting a recorded start: its own former value does not count as a neighbour.
    rajab = HijriMonthStart.objects.get(hijri_year=1447, hijri_month=7)
    check_month_start(1447, 7, date(2025, 12, 21), replacing=rajab.pk)


def test_the_admin_records_a_month_start_through_the_service(verified_client):
    load_holidays(2026, 2026)
    client = verified_client(UserFactory(is_staff=True, is_superuser=True))
    form = {"hijri_year": 1447, "hijri_month": 10, "gregorian_start": "2026-03-21", "source": "Communiqué"}
    response = client.post("/admin/calendars/hijrimonthstart/add/", form)
    assert response.status_code == 302
    assert fitr_days() == DAY_AFTER_FITR_1447
    refused = client.post("/admin/calendars/hijrimonthstart/add/", {**form, "hijri_month": 11})
    assert "gregorian_start" in refused.context["adminform"].form.errors
    month_start = HijriMonthStart.objects.get(hijri_year=1447, hijri_month=10)
    client.post(f"/admin/calendars/hijrimonthstart/{month_start.pk}/delete/", {"post": "yes"})
    assert fitr_days() == UMM_AL_QURA_FITR_1447


def test_a_holiday_edited_in_the_admin_is_no_longer_derived(verified_client):
    load_holidays(2026, 2026)
    client = verified_client(UserFactory(is_staff=True, is_superuser=True))
    holiday = Holiday.objects.get(date=date(2026, 3, 21))
    form = {"date": "2026-03-21", "name_ar": holiday.name_ar, "name_fr": "Aïd al-Fitr (2e jour)", "kind": holiday.kind}
    assert client.post(f"/admin/calendars/holiday/{holiday.pk}/change/", form).status_code == 302
    holiday.refresh_from_db()
    assert (holiday.derived, holiday.hijri_date) == (False, "1447-10-02")
