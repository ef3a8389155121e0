"""Reads refused by scoping, and searches, leave a trace where the inspectors look (Law 09-08)."""

from datetime import UTC, date, datetime

import pytest
from django.urls import reverse

from raqmana.access.roles import Role
from raqmana.access.scoping import visible_to
from raqmana.access.services import grant_role
from raqmana.accounts.tests.factories import UserFactory
from raqmana.audit.models import AuditEvent
from raqmana.civil_status.constants import ActKind, AuthorityKind, MentionKind
from raqmana.civil_status.models import Act
from raqmana.civil_status.selectors import act_as_of, read_act
from raqmana.civil_status.services.acts import draft_act, sign_act
from raqmana.civil_status.services.mentions import record_mention
from raqmana.territories.constants import Level
from raqmana.territories.models import CivilStatusOffice, Territory

pytestmark = pytest.mark.django_db


@pytest.fixture
def act(temara_office, agent, officer, birth_data):
    return sign_act(draft_act(temara_office, ActKind.BIRTH, birth_data, by=agent), by=officer)


@pytest.fixture
def fes_office():
    """An office in another region than Témara's."""
    return CivilStatusOffice.objects.filter(territory__name_fr__icontains="Fès", territory__level=Level.COMMUNE).first()


def inspector_of(territory):
    province = territory.parent
    while province.level not in (Level.PROVINCE, Level.PREFECTURE):
        province = province.parent
    user = UserFactory()
    grant_role(user, Role.PROVINCIAL_INSPECTOR, territory=province, by=None, reason="test")
    return user


def test_a_refused_read_is_seen_by_both_sides_inspectors(act, temara_office, fes_office, verified_client):
    reader = UserFactory()
    grant_role(reader, Role.CIVIL_STATUS_AGENT, unit=fes_office, by=None, reason="test")
    with pytest.raises(Act.DoesNotExist):
        read_act(reader, act.pk, reason="curious")
    event = AuditEvent.objects.get(action="act.read_refused")
    assert (event.actor, event.reason, event.unit, event.territory) == (
        reader,
        "curious",
        temara_office,
        temara_office.territory,
    )
    assert (event.actor_unit, event.actor_territory) == (fes_office, fes_office.territory)
    assert event.details["reference"] == act.reference
    assert act.first_name_ar not in event.target_repr  # the reader's supervisors may not read the act's names

    temara_inspector, fes_inspector = inspector_of(temara_office.territory), inspector_of(fes_office.territory)
    assert event in visible_to(AuditEvent.objects.all(), temara_inspector)
    assert event in visible_to(AuditEvent.objects.all(), fes_inspector)
    agadir = Territory.objects.filter(level=Level.COMMUNE, name_fr__icontains="Agadir").first()
    assert event not in visible_to(AuditEvent.objects.all(), inspector_of(agadir))

    # The screen refuses the same way, and that is recorded too.
    response = verified_client(reader).get(reverse("civil_status:act", args=[act.pk]), {"reason": "inspection"})
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action="act.read_refused").count() == 2


def test_a_read_of_an_act_that_does_not_exist_is_recorded_for_the_readers_supervisors(fes_office):
    reader = UserFactory()
    grant_role(reader, Role.CIVIL_STATUS_AGENT, unit=fes_office, by=None, reason="test")
    with pytest.raises(Act.DoesNotExist):
        read_act(reader, 987654, reason="guessing")
    event = AuditEvent.objects.get(action="act.read_refused")
    assert event.details == {"act": "987654", "reference": "", "exists": False}
    assert event in visible_to(AuditEvent.objects.all(), inspector_of(fes_office.territory))


def test_a_mention_recorded_after_midnight_in_casablanca_belongs_to_that_day(act, officer):
    mention = record_mention(
        act,
        kind=MentionKind.MARRIAGE,
        authority_kind=AuthorityKind.ADOUL,
        authority_name="عدول تمارة",
        reference_number="12/2026",
        decided_on=act.birth_date,
        legal_basis="مدونة الأسرة",
        text_ar="تزوج",
        by=officer,
    )
    # 23:30 UTC on 9 June is 00:30 on 10 June in Casablanca (UTC+1).
    type(mention).objects.filter(pk=mention.pk).update(recorded_at=datetime(2026, 6, 9, 23, 30, tzinfo=UTC))
    act = Act.objects.get(pk=act.pk)
    assert act_as_of(act, date(2026, 6, 9))["mentions"] == []
    assert len(act_as_of(act, date(2026, 6, 10))["mentions"]) == 1


def test_the_audit_trail_names_acts_by_reference_never_by_the_names_they_hold(act, temara_office, officer):
    mail_agent = UserFactory()
    grant_role(mail_agent, Role.MAIL_REGISTRY_AGENT, territory=temara_office.territory, by=None, reason="test")
    read_act(officer, act.pk, reason="inspection")
    seen = visible_to(AuditEvent.objects.all(), mail_agent).filter(target_type="civil_status.Act")
    assert all(act.first_name_ar not in event.target_repr for event in seen)
    assert act.reference in seen.get(action="act.read").target_repr


def test_a_search_carries_the_searchers_place(act, temara_office):
    from raqmana.civil_status.search import ActQuery
    from raqmana.civil_status.selectors import search_register

    inspector = inspector_of(temara_office.territory)
    search_register(inspector, ActQuery(idcs=act.idcs), reason="inspection")
    event = AuditEvent.objects.get(action="act.searched", actor=inspector)
    assert event.territory == event.actor_territory == inspector.role_assignments.get().territory
    national = UserFactory(is_superuser=True)
    search_register(national, ActQuery(idcs=act.idcs), reason="inspection")
    event = AuditEvent.objects.get(action="act.searched", actor=national)
    assert (event.territory, event.actor_territory) == (None, None)  # the whole country, said so by the caller


def test_a_batch_of_one_office_is_placed_there(agent, temara_office):
    from raqmana.civil_status.services.bulk_load import load_historical_acts
    from raqmana.civil_status.synthetic import ActGenerator

    generator = ActGenerator([temara_office.territory], {temara_office.territory_id: temara_office.pk}, seed=3)
    load_historical_acts([generator.birth(agent.pk) for _ in range(3)], by=agent, reason="digitising")
    assert AuditEvent.objects.get(action="act.batch_loaded").unit == temara_office
