"""Procedures fixtures: a small building procedure whose form uses each kind of field the engine checks, the single
windows that receive it (Témara's own, Al Hoceïma province's for Targuist), an applicant with a birth act, the
permits agent and the president who decide."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from raqmana.access.roles import Role
from raqmana.access.services import grant_role
from raqmana.accounts.tests.factories import UserFactory
from raqmana.civil_status.constants import ActKind
from raqmana.civil_status.services.acts import draft_act, sign_act
from raqmana.kernel.scanning import ScanResult, ScanState
from raqmana.kernel.tests import samples
from raqmana.kernel.tests.scanner import clamav, scanner_away  # noqa: F401 (fixtures)
from raqmana.procedures.constants import Category, CommissionMember
from raqmana.procedures.models import Procedure, ProcedureVersion
from raqmana.procedures.services import attachments, filing
from raqmana.territories.constants import UnitKind
from raqmana.territories.models import AdministrativeUnit


def labels(text):
    return {"ar": f"{text} (ar)", "fr": f"{text} (fr)", "en": text}


SMALL_BUILDING = {
    "requirements": [
        {"kind": "plans", "label": labels("Architect's plans")},
        {"kind": "land_title", "label": labels("Land title certificate"), "source": "another_administration"},
        {"kind": "identity", "label": labels("Identity"), "source": "civil_status_register"},
    ],
    "fields": [
        {"key": "applicant", "type": "civil_status_link", "label": labels("Your civil status")},
        {
            "key": "use",
            "type": "choice",
            "label": labels("Use"),
            "choices": [
                {"value": "individual_housing", "label": labels("Individual housing")},
                {"value": "commercial", "label": labels("Commercial")},
            ],
        },
        {
            "key": "area",
            "type": "number",
            "label": labels("Covered floor area"),
            "min": 1,
            "max": 100000,
            "decimals": 2,
        },
        {"key": "site", "type": "address", "label": labels("Site")},
        {"key": "point", "type": "map_point", "label": labels("Point"), "required": False},
        {
            "key": "shop_sign",
            "type": "text",
            "label": labels("Shop sign"),
            "shown_if": {"field": "use", "in": ["commercial"]},
        },
        {"key": "plans", "type": "file", "document": "plans", "label": labels("Plans"), "max": 3},
    ],
    "site": "site",
}


@pytest.fixture(autouse=True)
def files_found_clean(request, monkeypatch):
    """Dossier tests need no ClamAV daemon: files are found clean, unless a test asks for the daemon or its absence."""
    if not {"clamav", "scanner_away"} & set(request.fixturenames):
        monkeypatch.setattr("raqmana.procedures.services.attachments.scan", lambda data: ScanResult(ScanState.CLEAN))


@pytest.fixture
def procedure(db):
    procedure = Procedure.objects.create(
        code="small-building",
        category=Category.URBANISM,
        title_ar="رخصة البناء",
        title_fr="Permis de construire",
        title_en="Building permit",
        description_ar="وصف",
        description_fr="Description",
        description_en="Description",
        legal_basis_ar="القانون 12.90",
        legal_basis_fr="Loi 12-90",
        legal_basis_en="Law 12-90",
        delay_days=10,
        silence_means_approval=True,
        published=True,
    )
    version = ProcedureVersion.objects.create(procedure=procedure, number=1, definition=SMALL_BUILDING, source="test")
    procedure.current_version = version
    procedure.save(update_fields=["current_version"])
    return procedure


@pytest.fixture
def temara_window(temara):
    """Témara (297,098 inhabitants) runs its own single window."""
    return AdministrativeUnit.objects.create(
        kind=UnitKind.URBANISM_SERVICE,
        code="URB-04.501.01.07",
        territory=temara,
        name_ar="الشباك الوحيد للتعمير بتمارة",
        name_fr="Guichet unique d'urbanisme de Témara",
    )


@pytest.fixture
def permits_agent(temara, temara_window):
    user = UserFactory(full_name="Karima Tazi")
    grant_role(user, Role.PERMITS_AGENT, territory=temara, by=None, reason="test")
    return user


@pytest.fixture
def president(temara, temara_window):
    user = UserFactory(full_name="Ahmed Benjelloun")
    grant_role(user, Role.COMMUNE_PRESIDENT, territory=temara, by=None, reason="test")
    return user


@pytest.fixture
def applicant_act(temara_office, agent, officer, birth_data):
    """The applicant's birth act, with an IDCS."""
    return sign_act(draft_act(temara_office, ActKind.BIRTH, birth_data, by=agent), by=officer)


@pytest.fixture
def applicant(db):
    return UserFactory(full_name="Youssef El Alaoui")


def pdf_upload(name="plans.pdf"):
    return SimpleUploadedFile(name, samples.pdf(b"BT /F1 12 Tf (plan) Tj ET"), content_type="application/pdf")


def complete(dossier, applicant, applicant_act, birth_data):
    filing.link_civil_status(
        dossier, by=applicant, idcs=applicant_act.idcs, birth_date=birth_data["birth_date"], first_name="Youssef"
    )
    attachments.attach(dossier, "plans", pdf_upload(), by=applicant)
    checked = filing.save_answers(
        dossier,
        {"use": "individual_housing", "area": "120,5", "site": {"commune": "04.501.01.07", "street": "12 rue Atlas"}},
        by=applicant,
    )
    return checked


@pytest.fixture
def draft(procedure, applicant, temara):
    return filing.start_draft(applicant, procedure, commune=temara)


@pytest.fixture
def filed(draft, applicant, applicant_act, birth_data, temara_window):
    complete(draft, applicant, applicant_act, birth_data)
    return filing.file_dossier(draft, by=applicant)


# A large project: its commission adds civil protection, and the land registry for a parcelling.
LARGE = {
    **SMALL_BUILDING,
    "fields": [
        *SMALL_BUILDING["fields"],
        {"key": "parcelling", "type": "yes_no", "label": labels("Parcelling")},
    ],
    "commission": {
        "members": [
            {"member": "land_registry", "shown_if": {"field": "parcelling", "in": [True]}},
            {"member": "civil_protection"},
        ]
    },
}


@pytest.fixture
def large(procedure):
    version = ProcedureVersion.objects.create(procedure=procedure, number=2, definition=LARGE, source="test")
    procedure.current_version, procedure.through_commission, procedure.delay_days = version, True, 25
    procedure.save()
    return procedure


@pytest.fixture
def prefecture(temara):
    return temara.parent


@pytest.fixture
def members(prefecture, temara_window, permits_agent):
    """A representative of each member of the commission; the commune's is the permits agent."""
    people = {CommissionMember.COMMUNE: permits_agent}
    for member, role in (
        (CommissionMember.PROVINCE, Role.GOVERNOR_SERVICES),
        (CommissionMember.URBAN_AGENCY, Role.URBAN_AGENCY_AGENT),
        (CommissionMember.CIVIL_PROTECTION, Role.CIVIL_PROTECTION_AGENT),
        (CommissionMember.LAND_REGISTRY, Role.LAND_REGISTRY_AGENT),
    ):
        people[member] = UserFactory()
        grant_role(people[member], role, territory=prefecture, by=None, reason="test")
    return people
