import pytest

from raqmana.access.roles import Role
from raqmana.access.services import grant_role
from raqmana.accounts.tests.factories import UserFactory
from raqmana.civil_status.constants import ActKind
from raqmana.civil_status.services.acts import draft_act, sign_act
from raqmana.civil_status_documents.constants import RequesterRelation
from raqmana.kernel.scanning import ScanResult, ScanState
from raqmana.kernel.tests.scanner import clamav, scanner_away  # noqa: F401 (fixtures)
from raqmana.territories.models import CivilStatusOffice

HOLDER = {"name": "يوسف العلوي", "document": "AB123456", "relation": RequesterRelation.HOLDER}


@pytest.fixture
def birth_act(temara_office, agent, officer, birth_data):
    return sign_act(draft_act(temara_office, ActKind.BIRTH, birth_data, by=agent), by=officer)


@pytest.fixture
def agadir_agent():
    """An agent of another office, far from the act's: copies are issued from any office."""
    office = CivilStatusOffice.objects.filter(territory__name_fr__icontains="Agadir").order_by("pk").first()
    user = UserFactory(full_name="Hassan Ait Ali")
    grant_role(user, Role.CIVIL_STATUS_AGENT, unit=office, by=None, reason="test")
    return user, office


@pytest.fixture(autouse=True)
def proofs_found_clean(request, monkeypatch):
    """Order tests need no ClamAV daemon: proofs are found clean, unless a test asks for the daemon (`clamav`)
    or for its absence (`scanner_away`)."""
    if not {"clamav", "scanner_away"} & set(request.fixturenames):
        monkeypatch.setattr("raqmana.civil_status_documents.proofs.scan", lambda data: ScanResult(ScanState.CLEAN))
