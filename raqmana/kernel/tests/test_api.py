import pytest

from raqmana.access.roles import Role
from raqmana.access.services import grant_role
from raqmana.accounts.tests.factories import UserFactory
from raqmana.territories.models import Territory

pytestmark = pytest.mark.django_db


def test_openapi_schema_lists_the_endpoints(client):
    schema = client.get("/api/openapi.json").json()
    assert {"/api/territories/regions", "/api/territories/{code}", "/api/accounts/me"} <= set(schema["paths"])


def test_regions_and_territory_children(client):
    assert len(client.get("/api/territories/regions").json()) == 12
    province = client.get("/api/territories/04.501").json()
    assert province["name_fr"] == "Skhirate-Témara" and province["parent_code"] == "04"
    assert "04.501.01.07" in {child["code"] for child in province["children"]}
    assert client.get("/api/territories/99.999").status_code == 404


def test_offices_of_a_territory(client):
    offices = client.get("/api/territories/06.141.01.00/offices").json()
    assert sorted(office["territory_code"] for office in offices) == ["06.141.01.01", "06.141.01.03", "06.141.01.07"]


def test_me_requires_sign_in_and_lists_roles(client, verified_client):
    assert client.get("/api/accounts/me").status_code == 401
    person = UserFactory()
    grant_role(person, Role.GOVERNOR_SERVICES, territory=Territory.objects.get(code="04.501"), by=None, reason="x")
    me = verified_client(person).get("/api/accounts/me").json()
    assert me["is_agent"] and me["roles"][0]["territory_code"] == "04.501"
