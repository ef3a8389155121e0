"""The register asks access, not roles: a commune's agent never reads nor writes another commune's register; a
page reads the person's assignments once; a declaring establishment's member is an agent."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from raqmana.access.checking import acts_for_an_administration, has_permission
from raqmana.access.roles import Role
from raqmana.access.scoping import visible_to
from raqmana.access.services import grant_role
from raqmana.accounts.tests.factories import UserFactory
from raqmana.civil_status.constants import ActKind, EstablishmentKind
from raqmana.civil_status.models import Act, Establishment
from raqmana.civil_status.services.acts import draft_act, sign_act
from raqmana.territories.models import CivilStatusOffice, Territory

pytestmark = pytest.mark.django_db


@pytest.fixture
def skhirate_agent(db):
    user = UserFactory()
    office = CivilStatusOffice.objects.get(territory__code="04.501.01.05")
    grant_role(user, Role.CIVIL_STATUS_AGENT, unit=office, by=None, reason="test")
    return user


def test_an_agent_of_one_commune_never_reads_nor_writes_another_communes_register(
    skhirate_agent, agent, officer, birth_data, temara_office
):
    """Skhirate's agent may not read, draft in, sign for, take up the queue of, issue from or check the orders of
    Témara's office; Témara's own agent may."""
    stranger = skhirate_agent
    act = sign_act(draft_act(temara_office, ActKind.BIRTH, birth_data, by=agent), by=officer)

    assert not visible_to(Act.objects.all(), stranger, "civil_status.act.read").filter(pk=act.pk).exists()
    assert visible_to(Act.objects.all(), agent, "civil_status.act.read").filter(pk=act.pk).exists()
    with translation.override("en"), pytest.raises(PermissionDenied, match="Only this office's agents draft"):
        draft_act(temara_office, ActKind.BIRTH, birth_data, by=stranger)
    with translation.override("en"), pytest.raises(PermissionDenied, match="Only this office's officer signs"):
        sign_act(draft_act(temara_office, ActKind.BIRTH, birth_data, by=agent), by=stranger)
    for code in ("civil_status.act.mention", "civil_status.queue.handle", "documents.document.issue",
                 "civil_status_documents.order.check", "documents.document.revoke"):  # fmt: skip
        assert not has_permission(stranger, code, at=temara_office)


def test_a_page_reads_the_assignments_once(verified_client, officer, agent, temara_office, birth_data):
    act = draft_act(temara_office, ActKind.BIRTH, birth_data, by=agent)
    client = verified_client(officer)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("civil_status:act", args=[act.pk]) + "?reason=drafting")
    assert page.status_code == 200 and page.context["may_sign"] and not page.context["may_mention"]
    found = [query["sql"] for query in queries if '"access_roleassignment"."user_id" =' in query["sql"]]
    assert len(found) == 1


def test_who_acts_for_an_administration():
    """A role makes an agent; so does membership of an organisation an app registered (civil status: a declaring
    establishment), without access or accounts knowing civil status."""
    citizen, agent, midwife = UserFactory(), UserFactory(), UserFactory()
    grant_role(
        agent,
        Role.CIVIL_STATUS_AGENT,
        unit=CivilStatusOffice.objects.get(territory__code="04.501.01.07"),
        by=None,
        reason="test",
    )
    hospital = Establishment.objects.create(
        kind=EstablishmentKind.HEALTH,
        name_ar="مستشفى تمارة",
        name_fr="Hôpital de Témara",
        commune=Territory.objects.get(code="04.501.01.07"),
    )
    hospital.members.add(midwife)
    assert not acts_for_an_administration(citizen) and not citizen.is_agent
    assert acts_for_an_administration(agent) and agent.is_agent
    assert acts_for_an_administration(midwife) and midwife.is_agent
    hospital.is_active = False
    hospital.save()
    assert not acts_for_an_administration(type(midwife).objects.get(pk=midwife.pk))
