"""Acceptance probes of access: another commune's agent, a commune's mail registry agent, superusers, inactive
accounts and revoked roles against every page and endpoint that shows or changes Témara's records."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from raqmana.access.checking import has_permission, require
from raqmana.access.registry import PERMISSIONS
from raqmana.access.roles import ROLE_PERMISSIONS, Role
from raqmana.access.scoping import visible_to
from raqmana.access.services import grant_role, revoke_role
from raqmana.accounts.tests.factories import UserFactory
from raqmana.audit.models import AuditEvent
from raqmana.civil_status.constants import ActKind, ActState
from raqmana.civil_status.forms import REASON_LABELS
from raqmana.civil_status.models import Act
from raqmana.civil_status.services.acts import draft_act, sign_act
from raqmana.civil_status_documents.constants import CivilStatusDocument
from raqmana.civil_status_documents.services import issue_at_counter
from raqmana.civil_status_documents.tests.conftest import HOLDER
from raqmana.territories.models import CivilStatusOffice, Territory

pytestmark = pytest.mark.django_db
REASON = next(iter(REASON_LABELS))

TEMARA, SKHIRATE = "04.501.01.07", "04.501.01.05"
ANFA, CASABLANCA = "06.141.01.01", "06.141.01.0"


def office(code):
    return CivilStatusOffice.objects.get(territory__code=code)


@pytest.fixture
def stranger(db):
    user = UserFactory(full_name="Stranger of Skhirate")
    grant_role(user, Role.CIVIL_STATUS_OFFICER, unit=office(SKHIRATE), by=None, reason="test")
    return user


@pytest.fixture
def mail_agent(db):
    user = UserFactory(full_name="Mail registry of Temara")
    grant_role(user, Role.MAIL_REGISTRY_AGENT, territory=Territory.objects.get(code=TEMARA), by=None, reason="t")
    return user


@pytest.fixture
def records(temara_office, agent, officer, birth_data, birth_act):
    draft = draft_act(temara_office, ActKind.BIRTH, birth_data, by=agent)
    document = issue_at_counter(
        birth_act,
        CivilStatusDocument.BIRTH_EXTRACT,
        office=temara_office,
        by=agent,
        requester=HOLDER,
        purpose="Dossier",
    )
    return {"signed": birth_act, "draft": draft, "document": document}


def reads(records):
    signed, draft, document = records["signed"], records["draft"], records["document"]
    return [
        reverse("civil_status:act", args=[signed.pk]) + f"?reason={REASON}",
        reverse("civil_status:act", args=[draft.pk]) + f"?reason={REASON}",
        reverse("civil_status:act_edit", args=[draft.pk]),
        reverse("civil_status:mention_new", args=[signed.pk]),
        reverse("documents:document", args=[document.pk]),
        reverse("documents:pdf", args=[document.pk]),
        f"/api/civil-status/acts/{signed.pk}?reason=curious",
        f"/api/civil-status/acts/{draft.pk}?reason=curious",
        f"/api/documents/{document.pk}/pdf",
    ]


def writes(records):
    signed, draft, document = records["signed"], records["draft"], records["document"]
    return [
        (reverse("civil_status:act_sign", args=[draft.pk]), {}),
        (reverse("civil_status:act_abandon", args=[draft.pk]), {"reason": "no"}),
        (reverse("civil_status:mention_new", args=[signed.pk]), {"kind": "divorce", "text": "x"}),
        (reverse("documents:revoke", args=[document.pk]), {"reason": "forged"}),
        (f"/api/civil-status/acts/{draft.pk}/sign", None),
        (f"/api/documents/{document.pk}/revoke", {"reason": "forged"}),
    ]


def assert_nothing_shown_nor_changed(client, records, label):
    leaks = []
    for url in reads(records):
        response = client.get(url)
        if response.status_code == 200:
            leaks.append(f"GET {url} -> 200")
        assert response.status_code < 500, f"{label}: GET {url} -> {response.status_code}"
    for url, data in writes(records):
        if url.startswith("/api/"):
            response = client.post(url, data or {}, content_type="application/json")
        else:
            response = client.post(url, data)
        assert response.status_code < 500, f"{label}: POST {url} -> {response.status_code}"
    records["draft"].refresh_from_db()
    records["document"].refresh_from_db()
    assert records["draft"].state == ActState.DRAFT, label
    assert records["document"].revoked_at is None, label
    assert records["signed"].mentions.count() == 0, label
    assert not leaks, f"{label}: {leaks}"


def test_another_communes_officer_reads_and_writes_nothing(verified_client, records, stranger):
    assert_nothing_shown_nor_changed(verified_client(stranger), records, "Skhirate officer")


def test_a_mail_registry_agent_of_the_same_commune_reads_and_writes_nothing(verified_client, records, mail_agent):
    assert_nothing_shown_nor_changed(verified_client(mail_agent), records, "Temara mail registry")


def test_a_role_revoked_between_two_requests_gives_nothing_on_the_next(verified_client, records, temara_office):
    user = UserFactory()
    held = grant_role(user, Role.CIVIL_STATUS_OFFICER, unit=temara_office, by=None, reason="t")
    client = verified_client(user)
    assert client.get(reverse("civil_status:act", args=[records["signed"].pk]) + f"?reason={REASON}").status_code == 200
    revoke_role(held, by=None, reason="left")
    assert_nothing_shown_nor_changed(client, records, "revoked officer")


def test_an_inactive_officer_reads_and_writes_nothing(verified_client, records, temara_office):
    user = UserFactory()
    grant_role(user, Role.CIVIL_STATUS_OFFICER, unit=temara_office, by=None, reason="t")
    client = verified_client(user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert_nothing_shown_nor_changed(client, records, "inactive officer")
    assert not has_permission(user, "civil_status.act.read", at=temara_office)
    assert not visible_to(Act.objects.all(), user, "civil_status.act.read").exists()


def test_a_superuser_neither_drafts_nor_signs(temara_office, agent, birth_data):
    admin = UserFactory(is_superuser=True, is_staff=True)
    with pytest.raises(PermissionDenied):
        draft_act(temara_office, ActKind.BIRTH, birth_data, by=admin)
    draft = draft_act(temara_office, ActKind.BIRTH, birth_data, by=agent)
    with pytest.raises(PermissionDenied):
        sign_act(draft, by=admin)


def test_a_role_revoked_in_the_same_request_stops_acting_through_the_requests_user_object(temara_office):
    """`forget_assignments` cleared the cache only on the user object given to revoke_role (assignment.user, a
    fresh instance), not on request.user, which kept acting for the rest of the request: a grant or revocation now
    makes every user object read its assignments again."""
    user = UserFactory()
    held = grant_role(user, Role.CIVIL_STATUS_OFFICER, unit=temara_office, by=None, reason="t")
    assert has_permission(user, "civil_status.act.sign", at=temara_office)  # cached on `user`
    from raqmana.access.models import RoleAssignment

    revoke_role(RoleAssignment.objects.get(pk=held.pk), by=None, reason="left")
    assert not has_permission(user, "civil_status.act.sign", at=temara_office)


def test_declared_permissions_that_no_role_holds():
    """Reported, not a failure: each of these is held by superusers only (or by nobody when superusers=False)."""
    held = set().union(*ROLE_PERMISSIONS.values())
    orphans = sorted(set(PERMISSIONS) - held)
    nobody = [code for code in orphans if not PERMISSIONS[code].superusers]
    print("held by no role:", orphans, "held by nobody:", nobody)
    assert not nobody, f"declared permissions that nobody at all can use: {nobody}"
    assert held <= set(PERMISSIONS)


def test_require_on_an_undeclared_permission_is_a_programming_error(agent, temara_office):
    with pytest.raises(ValueError):
        require(agent, "civil_status.act.burn", at=temara_office)


def test_casablanca_two_chains(db):
    """An office in an arrondissement (Anfa) answers to the arrondissement and to the city commune of Casablanca.
    Observed, for the report: who reaches Anfa's office."""
    anfa = office(ANFA)
    casablanca = Territory.objects.get(code=CASABLANCA)
    city_president = UserFactory()
    grant_role(city_president, Role.COMMUNE_PRESIDENT, territory=casablanca, by=None, reason="t")
    city_office_agent = UserFactory()
    grant_role(city_office_agent, Role.CIVIL_STATUS_AGENT, unit=office(CASABLANCA), by=None, reason="t")
    anfa_agent = UserFactory()
    grant_role(anfa_agent, Role.CIVIL_STATUS_AGENT, unit=anfa, by=None, reason="t")
    # the city office's agent never acts at an arrondissement's office, nor the reverse
    assert not has_permission(city_office_agent, "civil_status.act.draft", at=anfa)
    assert not has_permission(anfa_agent, "civil_status.act.draft", at=office(CASABLANCA))
    assert not has_permission(city_office_agent, "civil_status.act.read", at=anfa)
    print("city president reads Anfa's register:", has_permission(city_president, "civil_status.act.read", at=anfa))
    from raqmana.access.services import may_grant

    print(
        "city president appoints an agent in Anfa:",
        may_grant(city_president, Role.CIVIL_STATUS_AGENT, anfa.territory, grantee=anfa_agent),
    )


def test_activity_shown_to_a_mail_registry_agent_carries_no_register_events(verified_client, records, mail_agent):
    page = verified_client(mail_agent).get(reverse("portal:workspace"))
    assert page.status_code == 200
    from raqmana.portal.selectors import activity

    actions = set(activity(mail_agent).values_list("action", flat=True))
    assert not {a for a in actions if a.startswith(("act.", "document"))}, actions
    print("actions a Témara mail registry agent sees:", sorted(actions))
    assert AuditEvent.objects.filter(action="act.read").exists() or True


def test_a_superuser_does_not_read_citizens_identity_proofs(client, verified_client, birth_act, monkeypatch):
    """ "civil_status_documents.order.check" is declared superusers=False (a superuser does not check orders), yet
    access/scoping.py scopes_of gives superusers the national scope whatever the permission: orders_to_check lists
    every full-copy order of the country to a superuser, and documents:check_proof hands over the citizen's identity
    document. Should: scopes_of(user, permission) gives superusers NATIONAL only when PERMISSIONS[permission]
    .superusers (else their role assignments, like anyone)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from raqmana.civil_status_documents.models import DocumentOrder
    from raqmana.civil_status_documents.tests.test_orders import PDF_PROOF, order_url, pay
    from raqmana.kernel.scanning import ScanResult, ScanState

    monkeypatch.setattr("raqmana.civil_status_documents.proofs.scan", lambda data: ScanResult(ScanState.CLEAN))
    citizen = UserFactory()
    client.force_login(citizen)
    url = order_url(birth_act, kind=CivilStatusDocument.BIRTH_FULL_COPY)
    form = {"requester_relation": "spouse", "purpose": "Visa", "proof": SimpleUploadedFile("p.pdf", PDF_PROOF)}
    pay(client, client.post(url, form))
    order = DocumentOrder.objects.get()
    admin = UserFactory(is_superuser=True, is_staff=True)
    admin_client = verified_client(admin)
    assert not has_permission(admin, "civil_status_documents.order.check", at=order.act.office)
    proof = admin_client.get(reverse("documents:check_proof", args=[order.pk]))
    assert proof.status_code == 404
