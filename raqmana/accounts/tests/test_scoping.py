"""The scoping matrix: an agent sees its own place and what lies under it, never a sibling's, never upward."""

import pytest

from raqmana.access.roles import Role
from raqmana.accounts.models import RoleAssignment
from raqmana.accounts.services import grant_role
from raqmana.audit.models import AuditEvent
from raqmana.territories.models import CivilStatusOffice, Territory

from .factories import UserFactory

pytestmark = pytest.mark.django_db

TEMARA, SKHIRATE = "04.501.01.07", "04.501.01.05"
ANFA, AL_FIDA, CASABLANCA = "06.141.01.01", "06.141.01.11", "06.141.01.0"

# name: (role, territory code, whether the place is that territory's civil status office)
PEOPLE = {
    "agent_temara": (Role.CIVIL_STATUS_AGENT, TEMARA, True),
    "officer_temara": (Role.CIVIL_STATUS_OFFICER, TEMARA, True),
    "agent_skhirate": (Role.CIVIL_STATUS_AGENT, SKHIRATE, True),
    "president_temara": (Role.COMMUNE_PRESIDENT, TEMARA, False),
    "mail_skhirate": (Role.MAIL_REGISTRY_AGENT, SKHIRATE, False),
    "inspector_skhirate_temara": (Role.PROVINCIAL_INSPECTOR, "04.501", False),
    "governor_rabat": (Role.GOVERNOR_SERVICES, "04.421", False),
    "wali_rabat_sale_kenitra": (Role.WALI_SERVICES, "04", False),
    "wali_casablanca_settat": (Role.WALI_SERVICES, "06", False),
    "governor_casablanca_anfa": (Role.GOVERNOR_SERVICES, "06.141.01.00", False),
    "agent_anfa": (Role.CIVIL_STATUS_AGENT, ANFA, True),
    "agent_al_fida": (Role.CIVIL_STATUS_AGENT, AL_FIDA, True),
    "dgct": (Role.DGCT, None, False),
}

REGION_04 = {
    "agent_temara", "officer_temara", "agent_skhirate", "president_temara", "mail_skhirate",
    "inspector_skhirate_temara", "governor_rabat", "wali_rabat_sale_kenitra",
}  # fmt: skip
VISIBLE_PEOPLE = {
    "agent_temara": {"agent_temara", "officer_temara"},
    "officer_temara": {"agent_temara", "officer_temara"},
    "agent_skhirate": {"agent_skhirate"},
    "president_temara": {"agent_temara", "officer_temara", "president_temara"},
    "mail_skhirate": {"agent_skhirate", "mail_skhirate"},
    "inspector_skhirate_temara": REGION_04 - {"governor_rabat", "wali_rabat_sale_kenitra"},
    "governor_rabat": {"governor_rabat"},
    "wali_rabat_sale_kenitra": REGION_04,
    "wali_casablanca_settat": {"wali_casablanca_settat", "governor_casablanca_anfa", "agent_anfa", "agent_al_fida"},
    "governor_casablanca_anfa": {"governor_casablanca_anfa", "agent_anfa"},
    "agent_anfa": {"agent_anfa"},
    "agent_al_fida": {"agent_al_fida"},
    "dgct": set(PEOPLE),
    "citizen": set(),
}


@pytest.fixture
def people():
    users = {}
    for name, (role, code, at_office) in PEOPLE.items():
        users[name] = UserFactory(full_name=name)
        place = {}
        if code and at_office:
            place["office"] = CivilStatusOffice.objects.get(territory__code=code)
        elif code:
            place["territory"] = Territory.objects.get(code=code)
        grant_role(users[name], role, by=None, reason="test", **place)
    users["citizen"] = UserFactory(full_name="citizen")
    return users


@pytest.mark.parametrize("viewer", sorted(VISIBLE_PEOPLE))
def test_role_assignments_visible_to_each_viewer(people, viewer):
    visible = RoleAssignment.objects.visible_to(people[viewer]).values_list("user__full_name", flat=True)
    assert set(visible) == VISIBLE_PEOPLE[viewer]


OFFICE_EXPECTATIONS = {
    # viewer: (offices that must be visible, offices that must not be)
    "agent_temara": ({TEMARA}, {SKHIRATE, ANFA}),
    "president_temara": ({TEMARA}, {SKHIRATE}),
    "mail_skhirate": ({SKHIRATE}, {TEMARA}),
    "inspector_skhirate_temara": ({TEMARA, SKHIRATE}, {"04.421.01.0", ANFA}),
    "governor_rabat": ({"04.421.01.0"}, {TEMARA}),
    "wali_rabat_sale_kenitra": ({TEMARA, SKHIRATE, "04.421.01.0"}, {ANFA}),
    "governor_casablanca_anfa": ({ANFA, "06.141.01.03", "06.141.01.07"}, {AL_FIDA, CASABLANCA, TEMARA}),
    "wali_casablanca_settat": ({ANFA, AL_FIDA, CASABLANCA}, {TEMARA}),
    "citizen": (set(), {TEMARA}),
}


@pytest.mark.parametrize("viewer", sorted(OFFICE_EXPECTATIONS))
def test_offices_visible_to_each_viewer(people, viewer):
    seen = set(CivilStatusOffice.objects.visible_to(people[viewer]).values_list("territory__code", flat=True))
    must_see, must_not_see = OFFICE_EXPECTATIONS[viewer]
    assert must_see <= seen
    assert not (must_not_see & seen)


@pytest.mark.parametrize(
    ("viewer", "territory"),
    [
        ("inspector_skhirate_temara", "04.501"),
        ("governor_rabat", "04.421"),
        ("wali_rabat_sale_kenitra", "04"),
        ("governor_casablanca_anfa", "06.141.01.00"),
        ("wali_casablanca_settat", "06"),
    ],
)
def test_supervisors_see_exactly_the_offices_under_them(people, viewer, territory):
    """Exact sets, not subsets: one office per commune (and arrondissement) under the supervised place."""
    seen = set(CivilStatusOffice.objects.visible_to(people[viewer]).values_list("pk", flat=True))
    under = set(
        CivilStatusOffice.objects.filter(territory__ancestor_links__ancestor__code=territory).values_list(
            "pk", flat=True
        )
    )
    assert seen == under
    assert (
        len(seen)
        == Territory.objects.filter(
            ancestor_links__ancestor__code=territory, level__in=["commune", "arrondissement"]
        ).count()
    )


def test_prefecture_of_arrondissements_sees_exactly_its_three_arrondissements(people):
    seen = CivilStatusOffice.objects.visible_to(people["governor_casablanca_anfa"])
    assert sorted(seen.values_list("territory__name_fr", flat=True)) == ["Anfa", "Maârif", "Sidi Belyout"]


def test_national_roles_and_superusers_see_every_office(people):
    assert CivilStatusOffice.objects.visible_to(people["dgct"]).count() == 1544
    assert CivilStatusOffice.objects.visible_to(UserFactory(is_superuser=True)).count() == 1544


def test_supervisors_read_down_not_up_in_territories(people):
    seen = set(Territory.objects.visible_to(people["inspector_skhirate_temara"]).values_list("code", flat=True))
    assert {"04.501", TEMARA, SKHIRATE} <= seen
    assert "04" not in seen and "04.421" not in seen


def test_revoked_roles_grant_no_scope(people):
    from raqmana.accounts.services import revoke_role

    agent = people["agent_temara"]
    revoke_role(agent.role_assignments.get(), by=None, reason="moved")
    agent = type(agent).objects.get(pk=agent.pk)
    assert not CivilStatusOffice.objects.visible_to(agent).exists()


def test_audit_trail_is_scoped(people):
    grants = AuditEvent.objects.filter(action="role.granted")
    assert set(grants.visible_to(people["president_temara"]).values_list("target_repr", flat=True)) == set(
        grants.filter(territory__code=TEMARA).values_list("target_repr", flat=True)
    )
    assert not grants.visible_to(people["president_temara"]).filter(territory__code=SKHIRATE).exists()


def test_office_agents_read_only_their_office_in_the_audit_trail(people):
    events = AuditEvent.objects.filter(action="role.granted")
    seen = set(events.visible_to(people["agent_temara"]).values_list("target_repr", flat=True))
    assert len(seen) == 2  # the grants at the Témara office, not the president's nor Skhirate's
    assert seen == set(events.filter(unit__territory__code=TEMARA).values_list("target_repr", flat=True))


def test_an_office_of_a_city_commune_does_not_read_its_arrondissements():
    casablanca_office = CivilStatusOffice.objects.get(territory__code=CASABLANCA)
    agent = UserFactory()
    grant_role(agent, Role.CIVIL_STATUS_AGENT, office=casablanca_office, by=None, reason="test")
    assert set(Territory.objects.visible_to(agent).values_list("code", flat=True)) == {CASABLANCA}
    assert list(CivilStatusOffice.objects.visible_to(agent)) == [casablanca_office]


def test_anonymous_sees_nothing():
    from django.contrib.auth.models import AnonymousUser

    assert not RoleAssignment.objects.visible_to(AnonymousUser()).exists()
