"""A fee's labels are written in the script of their language; the administration site refuses others beside
the field."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from raqmana.accounts.models import User
from raqmana.accounts.tests.factories import PASSWORD
from raqmana.payments.models import Fee

pytestmark = pytest.mark.django_db


def test_a_fee_label_in_the_wrong_script_is_refused_beside_the_field(verified_client):
    admin = verified_client(User.objects.create_superuser("dgct@example.ma", PASSWORD, full_name="DGCT"))
    fee = Fee.objects.get(code="birth_extract")
    tomorrow = timezone.localdate() + timedelta(days=1)
    typed = {"code": fee.code, "label_ar": "Extrait", "label_fr": fee.label_fr, "amount": "2.00",
             "legal_basis": fee.legal_basis, "valid_from": tomorrow.isoformat()}  # fmt: skip
    page = admin.post(reverse("admin:payments_fee_add"), typed)
    assert page.status_code == 200 and list(page.context["adminform"].form.errors) == ["label_ar"]
    assert 'value="Extrait"' in page.text
    assert Fee.objects.filter(code="birth_extract").count() == 1


def test_a_fee_is_checked_by_full_clean_keyed_by_field():
    fee = Fee(
        code="birth_extract_2",
        label_ar="نسخة موجزة",
        label_fr="Extrait\u200f",
        amount=2,
        legal_basis="CGI",
        valid_from=timezone.localdate() + timedelta(days=1),
    )
    with pytest.raises(ValidationError) as refused:
        fee.full_clean()
    assert list(refused.value.error_dict) == ["label_fr"]
