"""Offices are named in Arabic and French letters: the administration site refuses other scripts, markup and
hidden characters beside the field, keeping what was typed."""

import pytest
from django.urls import reverse

from raqmana.accounts.models import User
from raqmana.accounts.tests.factories import PASSWORD
from raqmana.territories.models import CivilStatusOffice

pytestmark = pytest.mark.django_db


def test_the_admin_refuses_latin_in_the_arabic_name_beside_the_field(verified_client):
    admin = verified_client(User.objects.create_superuser("dgct@example.ma", PASSWORD, full_name="DGCT"))
    office = CivilStatusOffice.objects.get(territory__code="04.501.01.07")
    typed = {"name_ar": "مكتب Témara", "name_fr": "Bureau <i>Témara</i>", "code": office.code, "kind": office.kind,
             "territory": office.territory_id, "address": "Avenue\u202e 7", "phone": "", "is_active": "on"}  # fmt: skip
    page = admin.post(reverse("admin:territories_administrativeunit_change", args=[office.pk]), typed)
    assert page.status_code == 200
    errors = page.context["adminform"].form.errors.as_data()
    assert {field: [error.code for error in errors[field]] for field in errors} == {
        "name_ar": ["wrong_script"],
        "name_fr": ["markup"],
        "address": ["bidi_control"],
    }
    assert 'value="مكتب Témara"' in page.text and 'value="Avenue\u202e 7"' in page.text
    office.refresh_from_db()
    assert office.name_ar.startswith("مكتب الحالة المدنية")
