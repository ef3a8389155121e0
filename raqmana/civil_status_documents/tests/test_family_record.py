"""The family booklet record, drawn from the holder's birth act, the marriage mentions that link a spouse's
birth act, and the birth acts that name the holder as parent by IDCS."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from raqmana.civil_status.constants import ActKind, AuthorityKind, MentionKind, Sex
from raqmana.civil_status.services.acts import draft_act, sign_act
from raqmana.civil_status.services.mentions import record_mention
from raqmana.civil_status_documents.constants import CivilStatusDocument, RequesterRelation
from raqmana.civil_status_documents.services import issue_at_counter
from raqmana.documents.constants import DocumentStatus
from raqmana.documents.selectors import check_file, status_of

pytestmark = pytest.mark.django_db


def register(office, agent, officer, birth_data, **changes):
    return sign_act(draft_act(office, ActKind.BIRTH, {**birth_data, **changes}, by=agent), by=officer)


def marry(officer, husband, wife, on):
    record_mention(
        husband,
        kind=MentionKind.MARRIAGE,
        authority_kind=AuthorityKind.ADOUL,
        authority_name="قسم قضاء الأسرة بتمارة",
        reference_number="88/2019",
        decided_on=on,
        legal_basis="Code de la famille",
        text_ar="تزوج",
        related_act=wife,
        by=officer,
    )


@pytest.fixture
def family(temara_office, agent, officer, birth_data):
    adult = {"birth_date": date(1990, 5, 1), "declared_on": date(1990, 5, 3), "mother_birth_date": date(1965, 1, 1)}
    husband = register(temara_office, agent, officer, birth_data, **adult)
    wife = register(temara_office, agent, officer, birth_data, **adult, sex=Sex.FEMALE, first_name_ar="سلمى",
                    first_name_latin="Salma", family_name_ar="بناني", family_name_latin="Bennani")  # fmt: skip
    marry(officer, husband, wife, date(2019, 7, 6))
    child = register(temara_office, agent, officer, birth_data, first_name_ar="آدم", first_name_latin="Adam",
                     father_idcs=husband.idcs, mother_idcs=wife.idcs, mother_birth_date=date(1990, 5, 1))  # fmt: skip
    return husband, wife, child


def test_a_parent_link_must_be_a_registered_person_of_that_sex(temara_office, agent, birth_data, family):
    _husband, wife, _child = family
    with pytest.raises(ValidationError) as refused:
        draft_act(temara_office, ActKind.BIRTH, {**birth_data, "father_idcs": wife.idcs}, by=agent)
    assert "father_idcs" in refused.value.message_dict
    with pytest.raises(ValidationError):
        draft_act(temara_office, ActKind.BIRTH, {**birth_data, "mother_idcs": "123456789012"}, by=agent)


def test_the_family_record_shows_the_spouse_and_the_children(family, agent, temara_office):
    husband, wife, child = family
    holder = {"name": "يوسف العلوي", "relation": RequesterRelation.HOLDER}
    record = issue_at_counter(
        husband,
        CivilStatusDocument.FAMILY_RECORD,
        office=temara_office,
        by=agent,
        requester=holder,
        purpose="Allocations",
    )
    rows = {row["label"][1]: [value["text"] for value in row["values"]] for row in record.content["rows"]}
    assert rows["Mariage"][:2] == ["سلمى بناني", "Salma Bennani"]
    assert wife.idcs in rows["Mariage"][2]
    assert rows["Enfant 1"][:2] == ["آدم العلوي", "Adam El Alaoui"]
    assert child.reference in rows["Enfant 1"][2]
    assert check_file(record.pdf.read()).authentic
    assert status_of(record)[0] == DocumentStatus.VALID


def test_a_new_child_supersedes_the_family_record(family, agent, officer, temara_office, birth_data):
    husband, wife, _child = family
    holder = {"name": "يوسف العلوي", "relation": RequesterRelation.HOLDER}
    record = issue_at_counter(
        husband, CivilStatusDocument.FAMILY_RECORD, office=temara_office, by=agent, requester=holder, purpose="CNSS"
    )
    register(temara_office, agent, officer, birth_data, first_name_ar="ريم", sex=Sex.FEMALE,
             father_idcs=husband.idcs, mother_idcs=wife.idcs, birth_date=date.today() - timedelta(days=1),
             mother_birth_date=date(1990, 5, 1))  # fmt: skip
    assert status_of(record)[0] == DocumentStatus.SUPERSEDED


def test_only_the_family_receives_the_family_record(family, agent, temara_office):
    husband, _wife, _child = family
    with pytest.raises(ValidationError):
        issue_at_counter(
            husband,
            CivilStatusDocument.FAMILY_RECORD,
            office=temara_office,
            by=agent,
            requester={"name": "Voisin", "relation": RequesterRelation.OTHER},
            purpose="Curiosité",
        )
