"""Dates typed in the Hijri calendar, as old registers give them: checked, kept as typed, dated in Gregorian."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from raqmana.calendars.hijri import MoroccanHijriCalendar
from raqmana.civil_status.constants import ActKind
from raqmana.civil_status.models import Act
from raqmana.civil_status.services.acts import draft_act

pytestmark = pytest.mark.django_db

JUDGMENT = {"late_judgment_number": "7/2026", "late_judgment_court": "المحكمة الابتدائية بتمارة"}


def form_data(birth_data, **changes):
    data = {
        key: (value.code if hasattr(value, "code") else value.isoformat() if hasattr(value, "isoformat") else value)
        for key, value in birth_data.items()
    }
    data["birth_place"] = birth_data["birth_place"].name_fr
    return {**data, "mother_birth_date": "", **changes}


def test_a_birth_typed_in_hijri_keeps_the_hijri_and_gets_its_gregorian(temara_office, agent, birth_data):
    # 12 Rabi al-Awwal 1340: before 1924, from the arithmetic calendar.
    data = {**birth_data, "birth_date": None, "birth_date_hijri": "1340-03-12", "mother_birth_date": None, **JUDGMENT}
    act = draft_act(temara_office, ActKind.BIRTH, data, by=agent)
    assert act.birth_date_hijri == "1340-03-12"
    assert act.birth_date == MoroccanHijriCalendar().to_gregorian(1340, 3, 12)
    assert Act.objects.get(pk=act.pk).birth_date_hijri == "1340-03-12"


def test_the_30th_of_a_29_day_month_is_refused_not_shifted(temara_office, agent, birth_data, settings):
    settings.LANGUAGE_CODE = "en"
    data = {**birth_data, "birth_date": None, "birth_date_hijri": "1340-02-30", "mother_birth_date": None, **JUDGMENT}
    with pytest.raises(ValidationError) as refused:
        draft_act(temara_office, ActKind.BIRTH, data, by=agent)
    assert "has 29 days in the calculated calendar: day 30 does not exist" in " ".join(
        refused.value.message_dict["birth_date_hijri"]
    )
    assert not Act.objects.exists()


def test_both_calendars_must_name_the_same_day(temara_office, agent, birth_data):
    day = birth_data["birth_date"]
    typed = MoroccanHijriCalendar().to_hijri(day)
    same = draft_act(temara_office, ActKind.BIRTH, {**birth_data, "birth_date_hijri": typed.iso}, by=agent)
    assert same.birth_date == day
    other = {**birth_data, "birth_date": day - timedelta(days=3), "birth_date_hijri": typed.iso}
    with pytest.raises(ValidationError) as refused:
        draft_act(temara_office, ActKind.BIRTH, other, by=agent)
    assert "birth_date" in refused.value.message_dict


def test_a_date_is_required_in_one_calendar(temara_office, agent, birth_data):
    with pytest.raises(ValidationError) as refused:
        draft_act(temara_office, ActKind.BIRTH, {**birth_data, "birth_date": None}, by=agent)
    assert "birth_date" in refused.value.message_dict


def test_the_form_takes_a_hijri_date_and_keeps_a_wrong_one_typed(agent, birth_data, verified_client, settings):
    client = verified_client(agent)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("civil_status:act_new", args=["birth"])
    wrong = form_data(
        birth_data,
        birth_date="",
        birth_date_hijri_0="30",
        birth_date_hijri_1="2",
        birth_date_hijri_2="1340",
        **JUDGMENT,
    )
    response = client.post(url, wrong)
    assert response.status_code == 200
    assert "day 30 does not exist" in str(response.context["form"].errors["birth_date_hijri"])
    assert 'name="birth_date_hijri_2" value="1340"' in response.text and "سلمى" not in response.text
    assert response.context["form"]["first_name_ar"].value() == "يوسف"

    right = {**wrong, "birth_date_hijri_0": "29"}
    response = client.post(url, right)
    assert response.status_code == 302, response.context["form"].errors
    act = Act.objects.get()
    assert (act.birth_date_hijri, act.birth_date) == ("1340-02-29", MoroccanHijriCalendar().to_gregorian(1340, 2, 29))
    page = client.get(reverse("civil_status:act", args=[act.pk]), {"reason": "drafting"})
    assert "29 Safar 1340 H" in page.text

    edit = client.get(reverse("civil_status:act_edit", args=[act.pk]))
    assert edit.context["form"]["birth_date"].value() is None  # kept as typed in Hijri, the Gregorian is derived
    assert edit.context["form"]["birth_date_hijri"].value() == "1340-02-29"


def test_the_api_takes_a_hijri_date(verified_client, agent, birth_data, temara_office):
    payload = {
        **{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in birth_data.items() if k != "birth_place"},
        "office_code": temara_office.code,
        "kind": "birth",
        "birth_date": None,
        "mother_birth_date": None,
        "birth_date_hijri": {"year": 1340, "month": 2, "day": 30},
        **JUDGMENT,
    }
    client = verified_client(agent)
    refused = client.post("/api/civil-status/acts", payload, content_type="application/json")
    assert refused.status_code == 422 and "birth_date_hijri" in refused.json()["detail"]
    payload["birth_date_hijri"]["day"] = 29
    drafted = client.post("/api/civil-status/acts", payload, content_type="application/json")
    assert drafted.status_code == 201, drafted.content
    assert drafted.json()["birth_date_hijri"] == "1340-02-29"
    assert drafted.json()["birth_date"] == MoroccanHijriCalendar().to_gregorian(1340, 2, 29).isoformat()
    assert date.fromisoformat(drafted.json()["birth_date"]).year == 1921


def test_a_day_morocco_did_not_have_is_refused(temara_office, agent, birth_data, settings):
    """Morocco fasted Ramadan 1446 for 29 days (2 to 30 March 2025): its 30th does not exist."""
    settings.LANGUAGE_CODE = "en"
    data = {**birth_data, "birth_date": None, "birth_date_hijri": "1446-09-30", **JUDGMENT}
    with pytest.raises(ValidationError) as refused:
        draft_act(temara_office, ActKind.BIRTH, data, by=agent)
    assert refused.value.message_dict["birth_date_hijri"] == ["Ramadan 1446 has 29 days: day 30 does not exist."]
    act = draft_act(temara_office, ActKind.BIRTH, {**data, "birth_date_hijri": "1446-09-29"}, by=agent)
    assert act.birth_date == date(2025, 3, 30)


def test_a_corrected_date_keeps_both_calendars_in_step(temara_office, agent, officer, birth_data):
    from django.utils import timezone

    from raqmana.civil_status.constants import AuthorityKind, MentionKind
    from raqmana.civil_status.selectors import act_as_of
    from raqmana.civil_status.services.acts import sign_act
    from raqmana.civil_status.services.mentions import record_mention

    data = {**birth_data, "birth_date": None, "birth_date_hijri": "1340-03-12", "mother_birth_date": None, **JUDGMENT}
    act = sign_act(draft_act(temara_office, ActKind.BIRTH, data, by=agent), by=officer)
    correction = {
        "kind": MentionKind.SUBSTANTIVE_CORRECTION, "authority_kind": AuthorityKind.COURT,
        "authority_name": "المحكمة الابتدائية بتمارة", "reference_number": "3/2026", "decided_on": date.today(),
        "legal_basis": "القانون 36.21", "text_ar": "تصحيح تاريخ الازدياد", "by": officer,
    }  # fmt: skip
    record_mention(act, **correction, changes={"birth_date_hijri": "1340-03-14"})
    now = act_as_of(Act.objects.get(pk=act.pk), timezone.now())["data"]
    assert (now["birth_date_hijri"], now["birth_date"]) == ("1340-03-14", act.birth_date + timedelta(days=2))
    record_mention(act, **correction, changes={"birth_date": date(1921, 1, 1)})
    now = act_as_of(Act.objects.get(pk=act.pk), timezone.now())["data"]
    assert (now["birth_date_hijri"], now["birth_date"]) == ("", date(1921, 1, 1))
    with pytest.raises(ValidationError):
        record_mention(act, **correction, changes={"birth_date_hijri": "1340-02-30"})
