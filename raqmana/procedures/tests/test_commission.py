"""Large projects before the commission: referred within 3 working days (or when taken up), one opinion and one clock
per member, the members the project calls for, opinions seen at once, late ones counted, the agenda of a meeting
built from the dossiers whose opinions are in, a refused dossier examined again."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from raqmana.access.roles import Role
from raqmana.access.services import grant_role
from raqmana.accounts.tests.factories import UserFactory
from raqmana.notifications.models import Notification
from raqmana.procedures import selectors
from raqmana.procedures.constants import CommissionMember, DossierState, OpinionState
from raqmana.procedures.models import Opinion
from raqmana.procedures.services import commission, filing, review
from raqmana.territories.models import Territory
from raqmana.workflows.models import Clock, ClockState
from raqmana.workflows.services import run_due_clocks

from .conftest import complete


@pytest.fixture
def filed_large(large, applicant, applicant_act, birth_data, temara, temara_window, members):
    draft = filing.start_draft(applicant, large, commune=temara)
    complete(draft, applicant, applicant_act, birth_data)
    filing.save_answers(
        draft,
        {
            "use": "commercial",
            "shop_sign": "Atlas",
            "area": "900",
            "parcelling": "no",
            "site": {"commune": "04.501.01.07", "street": "Zone industrielle"},
        },
        by=applicant,
    )
    return filing.file_dossier(draft, by=applicant)


def test_the_file_reaches_the_commission_within_three_working_days(filed_large, members):
    assert not Opinion.objects.exists()
    referral = Clock.objects.get(subject_id=str(filed_large.pk), name="referral")
    assert referral.due_at > filed_large.filed_at + timedelta(days=3)  # working days: a weekend may fall in them
    run_due_clocks(now=referral.due_at + timedelta(minutes=1))
    filed_large.refresh_from_db()
    assert filed_large.state == DossierState.UNDER_REVIEW and filed_large.referred_at is not None
    assert set(Opinion.objects.values_list("member", flat=True)) == {
        CommissionMember.COMMUNE,
        CommissionMember.PROVINCE,
        CommissionMember.URBAN_AGENCY,
        CommissionMember.CIVIL_PROTECTION,
    }  # no land registry: the project is no parcelling
    assert Clock.objects.filter(workflow="procedures.opinion", state=ClockState.RUNNING).count() == 4
    assert Notification.objects.filter(
        user=members[CommissionMember.URBAN_AGENCY], kind="procedures.opinion_requested"
    ).exists()


def test_taking_it_up_refers_it_at_once(filed_large, permits_agent):
    review.take_up(filed_large, by=permits_agent)
    assert Opinion.objects.filter(dossier=filed_large).count() == 4
    assert Clock.objects.get(subject_id=str(filed_large.pk), name="referral").state == ClockState.STOPPED


def test_each_member_gives_its_own_opinion_only(filed_large, permits_agent, members):
    review.take_up(filed_large, by=permits_agent)
    agency = Opinion.objects.get(member=CommissionMember.URBAN_AGENCY)
    with pytest.raises(PermissionDenied):
        commission.give_opinion(agency, by=members[CommissionMember.CIVIL_PROTECTION], verdict="favourable", text="")
    with pytest.raises(ValidationError):
        commission.give_opinion(agency, by=members[CommissionMember.URBAN_AGENCY], verdict="unfavourable", text="")
    given = commission.give_opinion(
        agency, by=members[CommissionMember.URBAN_AGENCY], verdict="conditional", text="Recul de 5 m."
    )
    assert given.state == OpinionState.GIVEN and given.given_by == members[CommissionMember.URBAN_AGENCY]
    assert Clock.objects.get(subject_id=str(agency.pk), workflow="procedures.opinion").state == ClockState.STOPPED


def test_a_late_member_is_counted_late_and_may_still_give_it(filed_large, permits_agent, members):
    review.take_up(filed_large, by=permits_agent)
    run_due_clocks(now=timezone.now() + timedelta(days=23))  # 15 working days, before the 25 of the decision
    assert set(Opinion.objects.values_list("state", flat=True)) == {OpinionState.LAPSED}
    late = Opinion.objects.get(member=CommissionMember.PROVINCE)
    commission.give_opinion(late, by=members[CommissionMember.PROVINCE], verdict="favourable", text="")
    assert Clock.objects.get(subject_id=str(late.pk)).state == ClockState.EXPIRED


def test_the_agenda_holds_the_dossiers_whose_opinions_are_in(filed_large, permits_agent, members, temara_window):
    review.take_up(filed_large, by=permits_agent)
    assert not commission.ready_for_meeting(temara_window).exists()
    for opinion in Opinion.objects.all():
        commission.give_opinion(opinion, by=members[CommissionMember(opinion.member)], verdict="favourable", text="")
    meeting = commission.convene(temara_window, by=permits_agent, held_on=timezone.localdate() + timedelta(days=2))
    assert list(meeting.dossiers.all()) == [filed_large]
    assert not commission.ready_for_meeting(temara_window).exists()


def test_a_refused_dossier_sent_back_is_examined_again(filed_large, permits_agent, president, members):
    review.take_up(filed_large, by=permits_agent)
    with pytest.raises(ValidationError):  # not before every member has given its opinion
        review.refuse(filed_large, by=president, reasons="Trop tôt")
    for opinion in Opinion.objects.all():
        commission.give_opinion(
            opinion, by=members[CommissionMember(opinion.member)], verdict="unfavourable", text="Non"
        )
    review.refuse(filed_large, by=president, reasons="Avis défavorable de l'agence urbaine.")
    review.reexamine(filed_large, by=president, reason="Recours du demandeur")
    assert Opinion.objects.filter(dossier=filed_large, round=2).count() == 4


def test_members_read_the_dossiers_before_them_and_only_those(filed_large, permits_agent, members):
    review.take_up(filed_large, by=permits_agent)
    agency = members[CommissionMember.URBAN_AGENCY]
    assert [opinion.member for opinion in selectors.awaited_opinions(agency)] == [CommissionMember.URBAN_AGENCY]
    assert selectors.member_dossier(agency, filed_large.pk) == filed_large
    elsewhere = UserFactory()
    grant_role(elsewhere, Role.URBAN_AGENCY_AGENT, territory=Territory.objects.get(code="01.051"), by=None, reason="t")
    assert not selectors.awaited_opinions(elsewhere).exists()
    with pytest.raises(Http404):
        selectors.member_dossier(elsewhere, filed_large.pk)
    # The land registry sits only for parcelling: it is asked nothing here.
    assert not selectors.awaited_opinions(members[CommissionMember.LAND_REGISTRY]).exists()


def test_every_member_sees_an_opinion_as_soon_as_it_is_entered(filed_large, permits_agent, members):
    review.take_up(filed_large, by=permits_agent)
    agency = Opinion.objects.get(member=CommissionMember.URBAN_AGENCY)
    commission.give_opinion(agency, by=members[CommissionMember.URBAN_AGENCY], verdict="conditional", text="Recul 5 m")
    seen = {opinion.member: opinion.verdict for opinion in selectors.opinions_of(filed_large)}
    assert seen[CommissionMember.URBAN_AGENCY] == "conditional" and seen[CommissionMember.PROVINCE] == ""


def test_a_withdrawn_dossier_counts_no_member_late(filed_large, permits_agent, applicant):
    review.take_up(filed_large, by=permits_agent)
    review.withdraw(filed_large, by=applicant)
    assert set(Opinion.objects.values_list("state", flat=True)) == {OpinionState.CLOSED}
    assert run_due_clocks(now=timezone.now() + timedelta(days=40)) == 0
