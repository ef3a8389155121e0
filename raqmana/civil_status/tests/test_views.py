from datetime import date, timedelta

import pytest
from django.urls import reverse

from raqmana.audit.models import AuditEvent
from raqmana.civil_status.constants import ActKind, ActState, EstablishmentKind
from raqmana.civil_status.models import Act, Establishment, PreDeclaration
from raqmana.civil_status.services.acts import draft_act, sign_act
from raqmana.territories.models import Territory

pytestmark = pytest.mark.django_db


def form_data(birth_data, **changes):
    data = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in birth_data.items()}
    data["birth_place"] = "Témara — تمارة · 04.501.01.07"
    return {**data, **changes}


def test_an_agent_drafts_from_the_form_and_the_officer_signs(verified_client, agent, officer, birth_data):
    client = verified_client(agent)
    assert client.get(reverse("civil_status:queue")).status_code == 200
    page = client.get(reverse("civil_status:act_new", args=["birth"]))
    assert page.status_code == 200 and 'hx-get="/civil-status/names/suggest/?part=first_name"' in page.text
    response = client.post(reverse("civil_status:act_new", args=["birth"]), form_data(birth_data))
    assert response.status_code == 302, response.context["form"].errors
    act = Act.objects.get()
    assert act.birth_place.code == "04.501.01.07"

    officer_client = verified_client(officer)
    detail = officer_client.get(response.url)
    assert "Sign" in detail.text or "توقيع" in detail.text
    officer_client.post(reverse("civil_status:act_sign", args=[act.pk]))
    act.refresh_from_db()
    assert act.state == ActState.SIGNED


def test_bad_input_keeps_everything_typed(verified_client, agent, birth_data):
    client = verified_client(agent)
    client.cookies["django_language"] = "fr"
    bad = form_data(birth_data, mother_birth_date=str(date.today() - timedelta(days=400)))
    response = client.post(reverse("civil_status:act_new", args=["birth"]), bad)
    assert response.status_code == 200
    assert "La mère aurait moins de 10 ans à la naissance." in response.text
    assert 'value="يوسف"' in response.text and 'value="Youssef"' in response.text
    assert not Act.objects.exists()


def test_suggestions_offer_latin_and_tifinagh_without_filling_anything(verified_client, agent):
    response = verified_client(agent).get(
        reverse("civil_status:suggest"), {"part": "first_name", "first_name_ar": "يوسف"}
    )
    assert 'data-fill-target="id_first_name_latin" data-fill-value="Youssef"' in response.text
    assert 'data-fill-value="ⵢⵓⵙⴼ"' in response.text


def test_an_act_opens_only_with_a_reason_which_is_logged(verified_client, temara_office, agent, officer, birth_data):
    act = sign_act(draft_act(temara_office, ActKind.BIRTH, birth_data, by=agent), by=officer)
    client = verified_client(agent)
    url = reverse("civil_status:act", args=[act.pk])
    assert "reason" in client.get(url).context["form"].fields
    assert not AuditEvent.objects.filter(action="act.read").exists()
    page = client.get(url, {"reason": "extract"})
    assert act.idcs in page.text and "Youssef" in page.text
    # The declared reason kept in its source text, shown in each reader's language (portal/test_activity_languages)
    assert AuditEvent.objects.filter(action="act.read", reason="Extract or copy requested", actor=agent).exists()
    assert "reason" in client.get(url, {"reason": "made-up"}).context["form"].fields


def test_search_page_finds_variants_and_links_with_the_reason(
    verified_client, temara_office, agent, officer, birth_data
):
    act = sign_act(draft_act(temara_office, ActKind.BIRTH, birth_data, by=agent), by=officer)
    client = verified_client(agent)
    response = client.get(reverse("civil_status:search"), {"name": "yousef alaoui", "reason": "duplicates"})
    assert [found.pk for found in response.context["found"].acts] == [act.pk]
    assert "?reason=duplicates" in response.text
    empty = client.get(reverse("civil_status:search"), {"reason": "duplicates"})
    assert empty.context["form"].non_field_errors()


def test_the_officer_records_a_mention_from_the_form(verified_client, temara_office, agent, officer, birth_data):
    act = sign_act(draft_act(temara_office, ActKind.BIRTH, birth_data, by=agent), by=officer)
    client = verified_client(officer)
    data = {
        "kind": "material_correction", "authority_kind": "prosecutor", "authority_name": "النيابة العامة بتمارة",
        "reference_number": "77/2025", "decided_on": str(date.today()), "legal_basis": "القانون 36.21",
        "text_ar": "صحح اسم الأم", "corrected_field": "mother_first_name_ar", "corrected_value": "فاطمة الزهراء",
    }  # fmt: skip
    response = client.post(reverse("civil_status:mention_new", args=[act.pk]), data)
    assert response.status_code == 302
    assert act.mentions.get().changes == {"mother_first_name_ar": "فاطمة الزهراء"}
    assert verified_client(agent).get(reverse("civil_status:mention_new", args=[act.pk])).status_code == 200


def test_members_of_an_establishment_file_pre_declarations(verified_client, temara_office, agent):
    from raqmana.accounts.tests.factories import UserFactory

    midwife = UserFactory()
    hospital = Establishment.objects.create(
        kind=EstablishmentKind.HEALTH,
        name_ar="مستشفى",
        name_fr="Hôpital",
        commune=Territory.objects.get(code="04.501.01.07"),
    )
    hospital.members.add(midwife)
    client = verified_client(midwife)
    response = client.post(
        reverse("civil_status:pre_declaration_new"),
        {"kind": "birth", "sex": "F", "first_name_ar": "سلمى", "event_date": str(date.today())},
    )
    assert response.status_code == 302
    assert PreDeclaration.objects.get().office == temara_office
    queue = verified_client(agent).get(reverse("civil_status:queue"))
    assert "سلمى" in queue.text
    assert verified_client(UserFactory()).get(reverse("civil_status:pre_declaration_new")).status_code == 403


def test_an_agent_dismisses_a_pre_declaration_from_the_queue(verified_client, temara_office, agent):
    from raqmana.civil_status.services.pre_declarations import file_pre_declaration

    hospital = Establishment.objects.create(
        kind=EstablishmentKind.HEALTH,
        name_ar="مستشفى",
        name_fr="Hôpital",
        commune=Territory.objects.get(code="04.501.01.07"),
    )
    pre_declaration = file_pre_declaration(hospital, {"kind": "birth", "sex": "M", "event_date": date.today()})
    client = verified_client(agent)
    client.post(reverse("civil_status:pre_declaration_dismiss", args=[pre_declaration.pk]), {"reason": ""})
    pre_declaration.refresh_from_db()
    assert pre_declaration.state == "received"
    client.post(reverse("civil_status:pre_declaration_dismiss", args=[pre_declaration.pk]), {"reason": "Filed twice"})
    pre_declaration.refresh_from_db()
    assert pre_declaration.state == "dismissed"


def test_the_admin_issues_an_establishment_key_once(verified_client):
    from raqmana.accounts.tests.factories import UserFactory
    from raqmana.civil_status.services.pre_declarations import establishment_for_api_key

    hospital = Establishment.objects.create(
        kind=EstablishmentKind.HEALTH,
        name_ar="مستشفى",
        name_fr="Hôpital",
        commune=Territory.objects.get(code="04.501.01.07"),
    )
    client = verified_client(UserFactory(is_staff=True, is_superuser=True))
    response = client.post(
        "/admin/civil_status/establishment/",
        {"action": "issue_api_keys", "_selected_action": [hospital.pk]},
        follow=True,
    )
    shown = " ".join(str(message) for message in response.context["messages"])
    key = shown.split()[-1]
    assert establishment_for_api_key(key) == hospital
    assert client.get("/admin/civil_status/act/").status_code == 200


def test_a_death_act_is_linked_to_the_birth_act_by_its_idcs(verified_client, temara_office, agent, officer, birth_data):
    birth = sign_act(draft_act(temara_office, ActKind.BIRTH, birth_data, by=agent), by=officer)
    client = verified_client(agent)
    death = form_data(birth_data, death_date=str(date.today()), deceased_idcs="123456789012")
    refused = client.post(reverse("civil_status:act_new", args=["death"]), death)
    assert "deceased_idcs" in refused.context["form"].errors
    death["deceased_idcs"] = birth.idcs
    response = client.post(reverse("civil_status:act_new", args=["death"]), death)
    assert response.status_code == 302, response.context["form"].errors
    death_act = Act.objects.get(kind=ActKind.DEATH)
    assert death_act.birth_act == birth
    sign_act(death_act, by=officer)
    assert birth.mentions.get().related_act == death_act
