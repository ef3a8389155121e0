"""Names and text of the register are checked per script, the same on the screens and the API."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from raqmana.civil_status.constants import ActKind
from raqmana.civil_status.models import Act, PreDeclaration
from raqmana.civil_status.services.acts import draft_act

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("first_name_ar", "Youssef"),
        ("first_name_ar", "<b>يوسف</b>"),
        ("family_name_ar", "العلوي2"),
        ("family_name_latin", "Bennani\u202eTSET\u202c"),
        ("family_name_latin", "Ben\x00nani"),
        ("first_name_tfng", "ⵢⵓⵙⴼ Y"),
        ("birth_place_detail", "Hôpital\u2066 X"),
        ("declarant_name", "<script>alert(1)</script>"),
    ],
)
def test_the_service_refuses_text_out_of_its_script(temara_office, agent, birth_data, field, value):
    with pytest.raises(ValidationError) as refused:
        draft_act(temara_office, ActKind.BIRTH, {**birth_data, field: value}, by=agent)
    assert field in refused.value.message_dict
    assert not Act.objects.exists()


def test_real_names_pass_and_are_stored_in_nfc(temara_office, agent, birth_data):
    names = {
        "first_name_ar": "عبد الرحمن",
        "family_name_latin": "Aït Ben-Haddou",
        "first_name_latin": "Abderrahmane",
        "family_name_ar": "آيت بن حدو",
        "first_name_tfng": "ⵄⴱⴷⵔⵔⵃⵎⴰⵏ",
        "mother_family_name_latin": "Ai\u0308t",
    }
    act = draft_act(temara_office, ActKind.BIRTH, {**birth_data, **names}, by=agent)
    assert act.mother_family_name_latin == "Aït"


def test_the_form_says_what_is_wrong_and_keeps_what_was_typed(agent, birth_data, verified_client, settings):
    client = verified_client(agent)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    data = {
        key: (value.isoformat() if hasattr(value, "isoformat") else value)
        for key, value in birth_data.items()
        if key != "birth_place"
    }
    data.update(first_name_ar="Youssef", family_name_latin="Bennani\u202eTSET\u202c", mother_birth_date="")
    response = client.post(reverse("civil_status:act_new", args=["birth"]), data)
    assert response.status_code == 200
    errors = response.context["form"].errors.as_data()
    assert [error.code for error in errors["first_name_ar"]] == ["wrong_script"]
    assert [error.code for error in errors["family_name_latin"]] == ["bidi_control"]
    assert "Only Arabic letters are accepted here" in response.text and "U+202E" in response.text
    assert response.context["form"]["first_name_ar"].value() == "Youssef"
    assert not Act.objects.exists()


def test_the_api_refuses_by_field(verified_client, agent, birth_data, temara_office):
    payload = {
        **{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in birth_data.items() if k != "birth_place"},
        "office_code": temara_office.code,
        "kind": "birth",
        "family_name_latin": "Bennani\u202eTSET\u202c",
    }
    response = verified_client(agent).post("/api/civil-status/acts", payload, content_type="application/json")
    assert response.status_code == 422 and "family_name_latin" in response.json()["detail"]


def test_pre_declarations_are_checked_too(client, hospital_key):
    key = hospital_key
    payload = {"kind": "birth", "sex": "F", "event_date": "2026-11-20", "first_name_ar": "<img src=x>"}
    response = client.post(
        "/api/civil-status/pre-declarations",
        payload,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 422 and "first_name_ar" in response.json()["detail"]
    assert not PreDeclaration.objects.exists()


def test_a_correction_cannot_bring_a_bidi_control_into_a_name(temara_office, agent, officer, birth_data):
    from raqmana.civil_status.constants import AuthorityKind, MentionKind
    from raqmana.civil_status.services.acts import sign_act
    from raqmana.civil_status.services.mentions import record_mention

    act = sign_act(draft_act(temara_office, ActKind.BIRTH, birth_data, by=agent), by=officer)
    mention = {
        "kind": MentionKind.LATIN_TRANSCRIPTION,
        "authority_kind": AuthorityKind.INTERIOR_MINISTER,
        "authority_name": "وزارة الداخلية",
        "reference_number": "88/2026",
        "decided_on": birth_data["declared_on"],
        "legal_basis": "القانون 36.21",
        "text_ar": "تصحيح الاسم العائلي بالحروف اللاتينية",
        "by": officer,
    }
    with pytest.raises(ValidationError) as refused:
        record_mention(act, **mention, changes={"family_name_latin": "Alaoui\u202eTSET"})
    assert "changes" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        record_mention(act, **{**mention, "authority_name": "<b>وزارة</b>"}, changes={"family_name_latin": "Alaoui"})
    assert "authority_name" in refused.value.message_dict
    assert not act.mentions.exists()
    assert record_mention(act, **mention, changes={"family_name_latin": "Alaoui"}).changes == {
        "family_name_latin": "Alaoui"
    }
