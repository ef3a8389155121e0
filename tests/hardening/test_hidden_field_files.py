# ruff: noqa: F811
"""A file given for a field hidden at filing (a `shown_if` that no longer holds): the answers drop it, and the
receipt, which lists the files the answers hold, does not list it among "Pièces déposées"."""

import pytest

from raqmana.procedures.models import Attachment, Dossier, ProcedureVersion
from raqmana.procedures.services import attachments, filing
from raqmana.procedures.tests.conftest import (  # noqa: F401 (fixtures)
    SMALL_BUILDING,
    applicant,
    applicant_act,
    complete,
    files_found_clean,
    labels,
    pdf_upload,
    procedure,
    temara_window,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def with_a_shop_plan(procedure):
    """SMALL_BUILDING with a file asked only of a commercial building (as the shipped forms' owner_consent,
    ownership_deed, fire_safety_plan, lease_contract, telecom_precabling)."""
    definition = {
        **SMALL_BUILDING,
        "requirements": [*SMALL_BUILDING["requirements"], {"kind": "shop_plan", "label": labels("Shop plan")}],
        "fields": [
            *SMALL_BUILDING["fields"],
            {"key": "shop_plan", "type": "file", "document": "shop_plan", "label": labels("Shop plan"),
             "shown_if": {"field": "use", "in": ["commercial"]}},
        ],
    }  # fmt: skip
    version = ProcedureVersion.objects.create(procedure=procedure, number=2, definition=definition, source="test")
    procedure.current_version = version
    procedure.save(update_fields=["current_version"])
    return procedure


def test_a_file_of_a_field_hidden_at_filing_is_listed_on_the_receipt_only_if_the_answers_hold_it(
    with_a_shop_plan, applicant, applicant_act, birth_data, temara, temara_window
):
    draft = filing.start_draft(applicant, with_a_shop_plan, commune=temara)
    complete(draft, applicant, applicant_act, birth_data)  # individual housing
    filing.save_answers(draft, {**Dossier.objects.get(pk=draft.pk).answers, "use": "commercial"}, by=applicant)
    attachments.attach(draft, "shop_plan", pdf_upload("shop.pdf"), by=applicant)
    filing.save_answers(draft, {**Dossier.objects.get(pk=draft.pk).answers, "use": "individual_housing"}, by=applicant)
    filed = filing.file_dossier(draft, by=applicant)
    assert "shop_plan" not in filed.answers  # hidden: dropped from the answers
    held = [pk for field in ("plans", "shop_plan") for pk in filed.answers.get(field, [])]
    row = next(row for row in filed.receipt.content["rows"] if row["label"][1] == "Pièces déposées")
    listed = [value["text"] for value in row["values"]][1:]
    assert sorted(listed) == sorted(Attachment.objects.get(pk=pk).name for pk in held)
