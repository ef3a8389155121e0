from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from raqmana.access.roles import Role
from raqmana.access.scoping import visible_to
from raqmana.access.services import grant_role
from raqmana.accounts.tests.factories import UserFactory
from raqmana.audit.models import AuditEvent
from raqmana.civil_status.constants import ActKind, ActState, AuthorityKind, DeclarantRelation, MentionKind
from raqmana.civil_status.idcs import is_valid_idcs
from raqmana.civil_status.models import Act, ActTransition
from raqmana.civil_status.selectors import act_as_of, likely_duplicates, read_act
from raqmana.civil_status.services.acts import abandon_draft, draft_act, sign_act, update_draft
from raqmana.civil_status.services.mentions import record_mention
from raqmana.territories.models import CivilStatusOffice

pytestmark = pytest.mark.django_db


def test_an_agent_drafts_and_the_officer_signs(temara_office, agent, officer, birth_data):
    act = draft_act(temara_office, ActKind.BIRTH, birth_data, by=agent)
    assert (act.state, act.number, act.idcs) == (ActState.DRAFT, None, None)
    assert act.name_key_ar == "يوسف علوي"

    with pytest.raises(PermissionDenied):
        sign_act(act, by=agent)
    act = sign_act(act, by=officer)

    assert act.state == ActState.SIGNED and act.signed_by == officer
    assert (act.year, act.number) == (timezone.localdate().year, 1)
    assert is_valid_idcs(act.idcs)
    assert act.reference == f"{temara_office.code}/{act.year}/1"
    assert [(t.from_state, t.to_state, t.by) for t in act.transitions.all()] == [
        ("", ActState.DRAFT, agent),
        (ActState.DRAFT, ActState.SIGNED, officer),
    ]
    assert set(
        AuditEvent.objects.filter(target_type="civil_status.Act", target_id=str(act.pk)).values_list(
            "action", flat=True
        )
    ) == {
        "act.drafted",
        "act.signed",
    }


def test_numbers_follow_each_other_per_office_and_year(temara_office, agent, officer, birth_data):
    numbers = [
        sign_act(draft_act(temara_office, ActKind.BIRTH, birth_data, by=agent), by=officer).number for _ in range(3)
    ]
    assert numbers == [1, 2, 3]
    skhirate = CivilStatusOffice.objects.get(territory__code="04.501.01.05")
    other_agent, other_officer = UserFactory(), UserFactory()
    grant_role(other_agent, Role.CIVIL_STATUS_AGENT, unit=skhirate, by=None, reason="test")
    grant_role(other_officer, Role.CIVIL_STATUS_OFFICER, unit=skhirate, by=None, reason="test")
    assert sign_act(draft_act(skhirate, ActKind.BIRTH, birth_data, by=other_agent), by=other_officer).number == 1


def test_a_signed_act_is_never_changed(temara_office, agent, officer, birth_data):
    act = sign_act(draft_act(temara_office, ActKind.BIRTH, birth_data, by=agent), by=officer)
    with pytest.raises(ValidationError):
        update_draft(act, {"first_name_ar": "يونس"}, by=agent)
    act.first_name_ar = "يونس"
    with pytest.raises(ValidationError):
        act.save()
    assert (
        sign_act(act, by=officer).number == act.number
    )  # signed again: the same act, its number (test_repeated_signature)
    with pytest.raises(ValidationError):
        abandon_draft(act, by=officer, reason="x")


def test_agents_of_another_office_cannot_draft_here(temara_office, birth_data):
    stranger = UserFactory()
    grant_role(
        stranger,
        Role.CIVIL_STATUS_AGENT,
        unit=CivilStatusOffice.objects.get(territory__code="04.501.01.05"),
        by=None,
        reason="t",
    )
    with pytest.raises(PermissionDenied):
        draft_act(temara_office, ActKind.BIRTH, birth_data, by=stranger)


def test_a_draft_is_abandoned_with_a_reason_and_kept(temara_office, agent, birth_data):
    act = draft_act(temara_office, ActKind.BIRTH, birth_data, by=agent)
    with pytest.raises(ValidationError):
        abandon_draft(act, by=agent, reason=" ")
    act = abandon_draft(act, by=agent, reason="Declared twice")
    assert Act.objects.filter(pk=act.pk, state=ActState.ABANDONED).exists()
    assert ActTransition.objects.get(act=act, to_state=ActState.ABANDONED).reason == "Declared twice"


def test_bad_input_is_refused_field_by_field(temara_office, agent, birth_data):
    with pytest.raises(ValidationError) as error:
        draft_act(
            temara_office,
            ActKind.BIRTH,
            {
                **birth_data,
                "mother_birth_date": date.today() - timedelta(days=365 * 9),
                "declarant_relation": "sibling",
            },
            by=agent,
        )
    assert {"mother_birth_date", "declarant_precedence_reason"} & set(error.value.message_dict)
    assert not Act.objects.exists()


def test_a_late_birth_is_registered_only_with_the_judgment(temara_office, agent, officer, birth_data):
    late = {**birth_data, "birth_date": date.today() - timedelta(days=90)}
    with pytest.raises(ValidationError) as error:
        draft_act(temara_office, ActKind.BIRTH, late, by=agent)
    assert "late_judgment_number" in error.value.message_dict
    act = draft_act(
        temara_office,
        ActKind.BIRTH,
        {**late, "late_judgment_number": "455/2025", "late_judgment_court": "المحكمة الابتدائية بتمارة"},
        by=agent,
    )
    assert sign_act(act, by=officer).late_judgment_number == "455/2025"


def test_mentions_correct_without_rewriting_and_the_past_can_be_read(temara_office, agent, officer, birth_data):
    act = sign_act(draft_act(temara_office, ActKind.BIRTH, birth_data, by=agent), by=officer)
    signed_at = timezone.now()
    with pytest.raises(ValidationError):  # a material error is corrected on the prosecutor's authorisation
        record_mention(
            act, kind=MentionKind.MATERIAL_CORRECTION, authority_kind=AuthorityKind.COURT, authority_name="x",
            reference_number="1", decided_on=date.today(), legal_basis="x", text_ar="x", by=officer,
            changes={"mother_first_name_ar": "فاطمة الزهراء"},
        )  # fmt: skip
    with pytest.raises(ValidationError):  # the Latin transcription mention changes Latin spellings only
        record_mention(
            act, kind=MentionKind.LATIN_TRANSCRIPTION, authority_kind=AuthorityKind.INTERIOR_MINISTER,
            authority_name="وزير الداخلية", reference_number="12/2025", decided_on=date.today(), legal_basis="x",
            text_ar="x", by=officer, changes={"first_name_ar": "يونس"},
        )  # fmt: skip
    record_mention(
        act, kind=MentionKind.MATERIAL_CORRECTION, authority_kind=AuthorityKind.PROSECUTOR,
        authority_name="النيابة العامة بتمارة", reference_number="77/2025", decided_on=date.today(),
        legal_basis="القانون 36.21", text_ar="صُحّح اسم الأم", by=officer,
        changes={"mother_first_name_ar": "فاطمة الزهراء"},
    )  # fmt: skip
    record_mention(
        act, kind=MentionKind.LATIN_TRANSCRIPTION, authority_kind=AuthorityKind.INTERIOR_MINISTER,
        authority_name="وزير الداخلية", reference_number="12/2025", decided_on=date.today(),
        legal_basis="القانون 36.21", text_ar="صُحّح الاسم بالحروف اللاتينية", by=officer,
        changes={"first_name_latin": "Youssouf"},
    )  # fmt: skip

    act.refresh_from_db()
    assert act.mother_first_name_ar == "فاطمة" and act.first_name_latin == "Youssef"  # the act itself is untouched
    now = act_as_of(act, timezone.now())
    assert now["data"]["mother_first_name_ar"] == "فاطمة الزهراء"
    assert now["data"]["first_name_latin"] == "Youssouf"
    assert len(now["mentions"]) == 2
    then = act_as_of(act, signed_at)
    assert then["data"]["mother_first_name_ar"] == "فاطمة" and then["mentions"] == []


def test_marriage_mentions_add_facts_but_change_nothing(temara_office, agent, officer, birth_data):
    act = sign_act(draft_act(temara_office, ActKind.BIRTH, birth_data, by=agent), by=officer)
    with pytest.raises(ValidationError):
        record_mention(
            act, kind=MentionKind.MARRIAGE, authority_kind=AuthorityKind.ADOUL, authority_name="عدلان بتمارة",
            reference_number="300/2025", decided_on=date.today(), legal_basis="مدونة الأسرة", text_ar="تزوج",
            by=officer, changes={"family_name_ar": "x"},
        )  # fmt: skip
    mention = record_mention(
        act, kind=MentionKind.MARRIAGE, authority_kind=AuthorityKind.ADOUL, authority_name="عدلان بتمارة",
        reference_number="300/2025", decided_on=date.today(), legal_basis="مدونة الأسرة", text_ar="تزوج بـ...",
        by=officer,
    )  # fmt: skip
    assert mention.changes == {}
    with pytest.raises(PermissionDenied):
        record_mention(
            act, kind=MentionKind.MARRIAGE, authority_kind=AuthorityKind.ADOUL, authority_name="x",
            reference_number="1", decided_on=date.today(), legal_basis="x", text_ar="x", by=agent,
        )  # fmt: skip


def test_a_signed_death_act_writes_the_death_beside_the_birth_act(temara_office, agent, officer, birth_data):
    birth = sign_act(draft_act(temara_office, ActKind.BIRTH, birth_data, by=agent), by=officer)
    death_data = {
        **birth_data,
        "death_date": date.today() - timedelta(days=1),
        "death_place": birth_data["birth_place"],
        "birth_act": birth,
        "declarant_relation": DeclarantRelation.FATHER,
    }
    death = sign_act(draft_act(temara_office, ActKind.DEATH, death_data, by=agent), by=officer)
    mention = birth.mentions.get()
    assert (mention.kind, mention.related_act, mention.reference_number) == (MentionKind.DEATH, death, death.reference)
    assert death.idcs is None


def test_every_read_is_logged_with_its_reason_and_scoped(temara_office, agent, officer, birth_data):
    act = sign_act(draft_act(temara_office, ActKind.BIRTH, birth_data, by=agent), by=officer)
    read_act(agent, act.pk, reason="Extract requested at the counter")
    event = AuditEvent.objects.get(action="act.read")
    assert (event.actor, event.reason, event.unit) == (agent, "Extract requested at the counter", temara_office)

    inspector = UserFactory()
    grant_role(inspector, Role.PROVINCIAL_INSPECTOR, territory=temara_office.territory.parent, by=None, reason="t")
    assert visible_to(AuditEvent.objects.all(), inspector).filter(action="act.read").exists()

    stranger = UserFactory()
    grant_role(
        stranger,
        Role.CIVIL_STATUS_AGENT,
        unit=CivilStatusOffice.objects.get(territory__code="04.501.01.05"),
        by=None,
        reason="t",
    )
    with pytest.raises(Act.DoesNotExist):
        read_act(stranger, act.pk, reason="curious")


def test_likely_duplicates_are_found_across_offices(temara_office, agent, officer, birth_data):
    first = sign_act(draft_act(temara_office, ActKind.BIRTH, birth_data, by=agent), by=officer)
    variant = {**birth_data, "first_name_ar": "يُوسُف", "family_name_ar": "علوي"}
    second = draft_act(temara_office, ActKind.BIRTH, variant, by=agent)
    found = likely_duplicates(second)
    assert [row["pk"] for row in found] == [first.pk]
    assert found[0]["reference"] == first.reference and found[0]["reason"] == "same_day_similar_name"
    other = draft_act(temara_office, ActKind.BIRTH, {**birth_data, "first_name_ar": "سعيد"}, by=agent)
    assert likely_duplicates(other) == []
    # A spelling the keys do not fold (a letter more) is still caught by similarity on the same birth day.
    near = draft_act(temara_office, ActKind.BIRTH, {**birth_data, "family_name_ar": "العلاوي"}, by=agent)
    assert [row["pk"] for row in likely_duplicates(near)] == [first.pk]
