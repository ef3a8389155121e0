"""A death is written only on the right person's birth act, and the office keeping it is notified (Law 36-21)."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from raqmana.access.roles import Role
from raqmana.access.services import grant_role
from raqmana.accounts.tests.factories import UserFactory
from raqmana.civil_status.constants import ActKind, DeathNoticeState, DeclarantRelation, MentionKind, Sex
from raqmana.civil_status.models import DeathNotice
from raqmana.civil_status.selectors import death_notices_for
from raqmana.civil_status.services.acts import draft_act, sign_act
from raqmana.civil_status.services.mentions import take_note_of_death_notice
from raqmana.territories.models import CivilStatusOffice, Territory

pytestmark = pytest.mark.django_db


@pytest.fixture
def skhirate_staff():
    office = CivilStatusOffice.objects.get(territory__code="04.501.01.05")
    agent, officer = UserFactory(), UserFactory()
    grant_role(agent, Role.CIVIL_STATUS_AGENT, unit=office, by=None, reason="test")
    grant_role(officer, Role.CIVIL_STATUS_OFFICER, unit=office, by=None, reason="test")
    return office, agent, officer


@pytest.fixture
def born_in_temara(temara_office, agent, officer, birth_data):
    return sign_act(draft_act(temara_office, ActKind.BIRTH, birth_data, by=agent), by=officer)


def death_data(birth_act, **changes):
    died = date.today() - timedelta(days=2)
    return {
        "sex": birth_act.sex,
        "first_name_ar": birth_act.first_name_ar,
        "family_name_ar": birth_act.family_name_ar,
        "father_first_name_ar": birth_act.father_first_name_ar,
        "birth_date": birth_act.birth_date,
        "death_date": died,
        "death_place": Territory.objects.get(code="04.501.01.05"),
        "declarant_name": "جار",
        "declarant_relation": DeclarantRelation.OTHER,
        "declared_on": date.today(),
        "birth_act": birth_act,
        **changes,
    }


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"sex": Sex.FEMALE}, "sex"),
        ({"birth_date": date(1980, 1, 1)}, "date of birth"),
        ({"first_name_ar": "سعيد"}, "first name"),
        ({"family_name_ar": "بناني"}, "family name"),
        ({"father_first_name_ar": "عمر"}, "father's first name"),
    ],
)
def test_a_death_act_naming_another_persons_birth_act_is_refused(
    born_in_temara, temara_office, agent, skhirate_staff, changes, named, settings
):
    settings.LANGUAGE_CODE = "en"
    with pytest.raises(ValidationError) as refused:
        draft_act(temara_office, ActKind.DEATH, death_data(born_in_temara, **changes), by=agent)
    message = " ".join(refused.value.message_dict["birth_act"])
    assert "another person" in message and named in message  # the office keeping the act is told what differs
    office, skhirate_agent, _officer = skhirate_staff
    with pytest.raises(ValidationError) as refused:
        draft_act(office, ActKind.DEATH, death_data(born_in_temara, **changes), by=skhirate_agent)
    assert refused.value.message_dict["birth_act"] == ["This birth act records another person."]
    assert not born_in_temara.mentions.exists()


def test_spelling_variants_of_the_same_names_are_the_same_person(born_in_temara, skhirate_staff):
    office, agent, _officer = skhirate_staff
    variant = death_data(born_in_temara, first_name_ar="يُوسُف", family_name_ar="علوي", father_first_name_ar="")
    assert draft_act(office, ActKind.DEATH, variant, by=agent).birth_act == born_in_temara


def test_the_birth_office_is_notified_and_the_mention_names_both_acts(
    born_in_temara, skhirate_staff, agent, officer, verified_client
):
    office, skhirate_agent, skhirate_officer = skhirate_staff
    death = sign_act(
        draft_act(office, ActKind.DEATH, death_data(born_in_temara), by=skhirate_agent), by=skhirate_officer
    )
    mention = born_in_temara.mentions.get()
    assert mention.kind == MentionKind.DEATH and mention.related_act == death
    assert born_in_temara.reference in mention.text_ar and death.reference in mention.text_ar

    notice = DeathNotice.objects.get()
    assert (notice.death_act, notice.birth_act, notice.office) == (death, born_in_temara, born_in_temara.office)
    assert list(death_notices_for(agent)) == [notice]
    assert list(death_notices_for(skhirate_agent)) == []  # the notifying office does not hold the birth act

    queue = verified_client(agent).get(reverse("civil_status:queue"))
    assert death.reference in queue.text and born_in_temara.reference in queue.text
    with pytest.raises(Exception):  # noqa: B017 - only the birth act's office takes note
        take_note_of_death_notice(notice, by=skhirate_agent)
    response = verified_client(agent).post(reverse("civil_status:death_notice_noted", args=[notice.pk]))
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.state == DeathNoticeState.NOTED
    assert [(step.from_state, step.to_state, step.by) for step in notice.transitions.all()] == [
        ("", DeathNoticeState.RECEIVED, skhirate_officer),
        (DeathNoticeState.RECEIVED, DeathNoticeState.NOTED, agent),
    ]
    assert list(death_notices_for(agent)) == []


def test_a_death_is_recorded_once(born_in_temara, skhirate_staff):
    office, agent, officer = skhirate_staff
    sign_act(draft_act(office, ActKind.DEATH, death_data(born_in_temara), by=agent), by=officer)
    with pytest.raises(ValidationError) as refused:
        draft_act(office, ActKind.DEATH, death_data(born_in_temara), by=agent)
    assert "birth_act" in refused.value.message_dict


def test_the_form_shows_the_difference_beside_the_idcs(born_in_temara, skhirate_staff, verified_client, settings):
    _office, agent, _officer = skhirate_staff
    data = {
        "sex": "F",
        "first_name_ar": "يوسف",
        "family_name_ar": "العلوي",
        "birth_date": born_in_temara.birth_date.isoformat(),
        "death_date": (date.today() - timedelta(days=1)).isoformat(),
        "deceased_idcs": born_in_temara.idcs,
        "declarant_name": "جار",
        "declarant_relation": "other",
        "declared_on": date.today().isoformat(),
    }
    client = verified_client(agent)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(reverse("civil_status:act_new", args=["death"]), data)
    assert response.status_code == 200
    assert "deceased_idcs" in response.context["form"].errors
    assert "This birth act records another person." in response.text
    assert response.context["form"]["first_name_ar"].value() == "يوسف"  # nothing typed is lost


@pytest.mark.parametrize(
    ("on_birth_act", "on_death_act"),
    [("نور الدين", "نورالدين"), ("فتح الله", "فتحالله"), ("عبد الرحمن", "عبدالرحمن"), ("يوسف", "یوسف")],
)
def test_a_compound_name_joined_or_apart_is_the_same_person(
    temara_office, agent, officer, birth_data, skhirate_staff, on_birth_act, on_death_act
):
    born = sign_act(
        draft_act(temara_office, ActKind.BIRTH, {**birth_data, "first_name_ar": on_birth_act}, by=agent), by=officer
    )
    office, skhirate_agent, _officer = skhirate_staff
    death = draft_act(office, ActKind.DEATH, death_data(born, first_name_ar=on_death_act), by=skhirate_agent)
    assert death.birth_act == born
