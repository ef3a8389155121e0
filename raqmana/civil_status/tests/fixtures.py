"""Register fixtures (an office of Témara, its agent and officer, a birth), shared by the apps that use acts."""

from datetime import date, timedelta

import pytest

from raqmana.access.roles import Role
from raqmana.access.services import grant_role
from raqmana.accounts.tests.factories import UserFactory
from raqmana.civil_status.constants import DeclarantRelation, Sex
from raqmana.territories.models import CivilStatusOffice, Territory


@pytest.fixture
def temara_office(db):
    return CivilStatusOffice.objects.get(territory__code="04.501.01.07")


@pytest.fixture
def agent(temara_office):
    user = UserFactory(full_name="Salma Bennani")
    grant_role(user, Role.CIVIL_STATUS_AGENT, unit=temara_office, by=None, reason="test")
    return user


@pytest.fixture
def officer(temara_office):
    user = UserFactory(full_name="Youssef El Idrissi")
    grant_role(user, Role.CIVIL_STATUS_OFFICER, unit=temara_office, by=None, reason="test")
    return user


@pytest.fixture
def birth_data(temara_office):
    born = date.today() - timedelta(days=5)
    return {
        "sex": Sex.MALE,
        "first_name_ar": "يوسف",
        "first_name_latin": "Youssef",
        "first_name_tfng": "ⵢⵓⵙⴼ",
        "family_name_ar": "العلوي",
        "family_name_latin": "El Alaoui",
        "family_name_tfng": "ⵍⵄⵍⵓⵉ",
        "father_first_name_ar": "محمد",
        "father_first_name_latin": "Mohamed",
        "grandfather_first_name_ar": "أحمد",
        "mother_first_name_ar": "فاطمة",
        "mother_family_name_ar": "بناني",
        "mother_birth_date": date(1995, 4, 2),
        "birth_date": born,
        "birth_place": Territory.objects.get(code="04.501.01.07"),
        "birth_place_detail": "مستشفى تمارة",
        "declarant_name": "محمد العلوي",
        "declarant_relation": DeclarantRelation.FATHER,
        "declared_on": date.today(),
    }


@pytest.fixture
def hospital_key(db):
    """The API key of a hospital of Témara that files pre-declarations."""
    from raqmana.civil_status.constants import EstablishmentKind
    from raqmana.civil_status.models import Establishment
    from raqmana.civil_status.services.pre_declarations import issue_api_key

    hospital = Establishment.objects.create(
        kind=EstablishmentKind.HEALTH,
        name_ar="مستشفى",
        name_fr="Hôpital",
        commune=Territory.objects.get(code="04.501.01.07"),
    )
    return issue_api_key(hospital, by=None)
