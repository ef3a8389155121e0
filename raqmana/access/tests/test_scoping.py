"""The scoping matrix: an agent reads and writes at its own place and what lies under it, never at a sibling's,
never upward."""

import pytest
from django.core.exceptions import PermissionDenied

from raqmana.access.checking import has_permission, require, units_where
from raqmana.access.models import RoleAssignment
from raqmana.access.registry import PERMISSIONS
from raqmana.access.roles import Role
from raqmana.access.scoping import Scope, scopes_of, visible_to
from raqmana.access.services import grant_role
from raqmana.accounts.tests.factories import UserFactory
from raqmana.audit.models import AuditEvent
from raqmana.procedures.constants import CommissionMember
from raqmana.territories.models import CivilStatusOffice, Territory

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
            place["unit"] = CivilStatusOffice.objects.get(territory__code=code)
        elif code:
            place["territory"] = Territory.objects.get(code=code)
        grant_role(users[name], role, by=None, reason="test", **place)
    users["citizen"] = UserFactory(full_name="citizen")
    return users


@pytest.mark.parametrize("viewer", sorted(VISIBLE_PEOPLE))
def test_role_assignments_visible_to_each_viewer(people, viewer):
    visible = visible_to(RoleAssignment.objects.all(), people[viewer]).values_list("user__full_name", flat=True)
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
    seen = set(visible_to(CivilStatusOffice.objects.all(), people[viewer]).values_list("territory__code", flat=True))
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
    seen = set(visible_to(CivilStatusOffice.objects.all(), people[viewer]).values_list("pk", flat=True))
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
    seen = visible_to(CivilStatusOffice.objects.all(), people["governor_casablanca_anfa"])
    assert sorted(seen.values_list("territory__name_fr", flat=True)) == ["Anfa", "Maârif", "Sidi Belyout"]


def test_national_roles_and_superusers_see_every_office(people):
    assert visible_to(CivilStatusOffice.objects.all(), people["dgct"]).count() == 1544
    assert visible_to(CivilStatusOffice.objects.all(), UserFactory(is_superuser=True)).count() == 1544


def test_supervisors_read_down_not_up_in_territories(people):
    seen = set(visible_to(Territory.objects.all(), people["inspector_skhirate_temara"]).values_list("code", flat=True))
    assert {"04.501", TEMARA, SKHIRATE} <= seen
    assert "04" not in seen and "04.421" not in seen


def test_revoked_roles_grant_no_scope(people):
    from raqmana.access.services import revoke_role

    agent = people["agent_temara"]
    revoke_role(agent.role_assignments.get(), by=None, reason="moved")
    agent = type(agent).objects.get(pk=agent.pk)
    assert not visible_to(CivilStatusOffice.objects.all(), agent).exists()


def test_audit_trail_is_scoped(people):
    grants = AuditEvent.objects.filter(action="role.granted")
    assert set(visible_to(grants, people["president_temara"]).values_list("target_repr", flat=True)) == set(
        grants.filter(territory__code=TEMARA).values_list("target_repr", flat=True)
    )
    assert not visible_to(grants, people["president_temara"]).filter(territory__code=SKHIRATE).exists()


def test_office_agents_read_only_their_office_in_the_audit_trail(people):
    events = AuditEvent.objects.filter(action="role.granted")
    seen = set(visible_to(events, people["agent_temara"]).values_list("target_repr", flat=True))
    assert len(seen) == 2  # the grants at the Témara office, not the president's nor Skhirate's
    assert seen == set(events.filter(unit__territory__code=TEMARA).values_list("target_repr", flat=True))


def test_an_office_of_a_city_commune_does_not_read_its_arrondissements():
    casablanca_office = CivilStatusOffice.objects.get(territory__code=CASABLANCA)
    agent = UserFactory()
    grant_role(agent, Role.CIVIL_STATUS_AGENT, unit=casablanca_office, by=None, reason="test")
    assert set(visible_to(Territory.objects.all(), agent).values_list("code", flat=True)) == {CASABLANCA}
    assert list(visible_to(CivilStatusOffice.objects.all(), agent)) == [casablanca_office]


def test_anonymous_sees_nothing():
    from django.contrib.auth.models import AnonymousUser

    assert not visible_to(RoleAssignment.objects.all(), AnonymousUser()).exists()


# Writes: what `require` lets each person do at each place. The sets are written out here, not read from
# roles.ROLE_PERMISSIONS, so that a change to the table shows up as a change to this matrix.
RABAT = "04.421"
PLACES = {
    # name: (territory code of the place, whether the place is that territory's civil status office)
    "own_office": (TEMARA, True),
    "sibling_office": (SKHIRATE, True),
    "commune": (TEMARA, False),
    "province_above": ("04.501", False),
    "other_province": (RABAT, False),
    "office_of_another_region": (ANFA, True),
}
# Every official of a collectivity takes part in the proposals channel.
PROPOSALS = {"proposals.proposal.take_part"}
COUNTER = PROPOSALS | {
    "civil_status.act.read",
    "civil_status.act.draft",
    "civil_status.queue.handle",
    "documents.document.read",
    "documents.document.issue",
    "civil_status_documents.order.check",
    "civil_status_documents.copy_elsewhere.read",
    "payments.payment.refund",
    "portal.workspace.view",
}
OFFICER = COUNTER | {
    "civil_status.act.sign",
    "civil_status.act.mention",
    "documents.document.revoke",
    "civil_status_documents.lookup_alert.receive",
    "portal.notification.resend",
}
PRESIDENT = PROPOSALS | {
    "civil_status.act.read",
    "documents.document.read",
    "portal.workspace.view",
    "access.role.grant",
    "portal.notification.resend",
    "procedures.dossier.read",
    "procedures.dossier.decide",
    "procedures.opinion.commune",
    "procedures.construction_tax.set",
    "complaints.complaint.read",
    "mail_registry.letter.read",
    "mail_registry.letter.confidential",
    "legalisation.request.read",
}
INSPECTOR = PROPOSALS | {
    "civil_status.act.read",
    "documents.document.read",
    "civil_status_documents.lookup_alert.receive",
    "portal.supervision.view",
}
SUPERVISION = PROPOSALS | {"portal.supervision.view", "access.role.grant"}
# The governor's services also run the provincial single window of the permits.
GOVERNOR = SUPERVISION | {
    "procedures.dossier.read",
    "procedures.dossier.review",
    "procedures.opinion.province",
    # The province supervises the communes' complaints (decree 2-17-265).
    "complaints.complaint.read",
    "complaints.complaint.supervise",
}
WALI = SUPERVISION | {"civil_status_documents.lookup_alert.receive_unanswered"}
# The DGCT takes part in the proposals channel and decides on each proposal.
DGCT = PROPOSALS | {
    "proposals.proposal.decide",
    "civil_status.act.read",
    "documents.document.read",
    "civil_status_documents.lookup_alert.receive_last",
    "complaints.complaint.read",
    "portal.supervision.view",
    "access.role.grant",
    "portal.notification.resend",
}
NOTHING = set()
REGION_04_PLACES = {"own_office", "sibling_office", "commune", "province_above", "other_province"}


def everywhere_in(places, permissions):
    return {place: permissions if place in places else NOTHING for place in PLACES}


WRITES = {
    # A role held at an office acts at that office, and for its commune's rows that belong to no office.
    "agent_temara": everywhere_in({"own_office", "commune"}, COUNTER),
    "officer_temara": everywhere_in({"own_office", "commune"}, OFFICER),
    "agent_skhirate": everywhere_in({"sibling_office"}, COUNTER),
    # A role held for a commune acts there and at its office, never at the neighbour's nor above.
    "president_temara": everywhere_in({"own_office", "commune"}, PRESIDENT),
    "mail_skhirate": everywhere_in(
        {"sibling_office"},
        PROPOSALS
        | {
            "portal.workspace.view",
            "mail_registry.letter.read",
            "mail_registry.letter.register",
            "mail_registry.letter.confidential",
        },
    ),
    # A provincial role acts everywhere under its province, never in another.
    "inspector_skhirate_temara": everywhere_in(
        {"own_office", "sibling_office", "commune", "province_above"}, INSPECTOR
    ),
    "governor_rabat": everywhere_in({"other_province"}, GOVERNOR),
    "wali_rabat_sale_kenitra": everywhere_in(REGION_04_PLACES, WALI),
    "wali_casablanca_settat": everywhere_in({"office_of_another_region"}, WALI),
    "dgct": everywhere_in(set(PLACES), DGCT),
    "citizen": everywhere_in(set(), NOTHING),
}


def place(name):
    code, at_office = PLACES[name]
    return CivilStatusOffice.objects.get(territory__code=code) if at_office else Territory.objects.get(code=code)


@pytest.mark.parametrize("person", sorted(WRITES))
def test_what_require_grants_to_each_person_at_each_place(people, person):
    user = people[person]
    for name, expected in WRITES[person].items():
        at = place(name)
        granted = {code for code in PERMISSIONS if has_permission(user, code, at=at)}
        assert granted == expected, name
        for code in set(PERMISSIONS) - expected:
            with pytest.raises(PermissionDenied):
                require(user, code, at=at)


# What the law reserves to an office's own staff: a superuser administers the platform, not the register.
STAFF_ONLY = {
    "civil_status.act.draft",
    "civil_status.act.sign",
    "civil_status.act.mention",
    "civil_status.queue.handle",
    "documents.document.issue",
    "documents.document.revoke",
    "civil_status_documents.order.check",
    "portal.workspace.view",
    # A permits dossier's review and decision, a commission member's opinion, a commune's tax rates.
    "procedures.dossier.review",
    "procedures.dossier.decide",
    "procedures.construction_tax.set",
    *(f"procedures.opinion.{member}" for member in CommissionMember),
    # A commune's requests are dealt with by its handlers, and their lateness followed by its supervisors.
    "complaints.complaint.handle",
    "complaints.complaint.supervise",
    "mail_registry.letter.register",
    "mail_registry.letter.confidential",
    # Signatures are legalised and copies certified by the officers of the office, in person.
    "legalisation.request.handle",
    # Proposals are made by the collectivities' officials.
    "proposals.proposal.take_part",
}


def test_superusers_may_do_everything_everywhere_but_act_for_an_office(people):
    superuser = UserFactory(is_superuser=True)
    for name in PLACES:
        assert {code for code in PERMISSIONS if has_permission(superuser, code, at=place(name))} == set(
            PERMISSIONS
        ) - STAFF_ONLY
    assert units_where(superuser, "civil_status.act.draft") == []
    officer = people["officer_temara"]
    officer.is_superuser = True
    assert has_permission(officer, "civil_status.act.sign", at=place("own_office"))
    assert not has_permission(officer, "civil_status.act.sign", at=place("sibling_office"))


def test_queues_are_those_of_the_offices_held(people):
    temara_office, skhirate_office = place("own_office"), place("sibling_office")
    assert units_where(people["officer_temara"], "civil_status.act.sign") == [temara_office]
    assert units_where(people["agent_temara"], "civil_status.act.sign") == []
    assert units_where(people["agent_skhirate"], "civil_status.queue.handle") == [skhirate_office]
    # A role held for a territory reaches offices, but works at no counter of its own.
    assert units_where(people["president_temara"], "civil_status.act.read") == []
    assert units_where(people["inspector_skhirate_temara"], "civil_status.act.read") == []


def test_reads_follow_the_permission_not_any_role(people):
    """The register is read with civil_status.act.read: a commune's mail registry agent sees its office (reference
    data) but not the office's register."""
    mail = people["mail_skhirate"]
    skhirate_office = place("sibling_office")
    assert visible_to(CivilStatusOffice.objects.all(), mail).filter(pk=skhirate_office.pk).exists()
    assert not scopes_of(mail, "civil_status.act.read")
    assert scopes_of(people["president_temara"], "civil_status.act.read") == {
        Scope(Territory.objects.get(code=TEMARA).pk)
    }
