"""What agents and officers meet on the register's pages: selects, short words and the IDCS in the page's
language, a pre-declaration taken up with its names split and their spellings suggested at once, the queue's
links, a signature confirmed after a summary of what is signed, and the duplicate warning."""

from datetime import date

import polib
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from raqmana.access.roles import Role
from raqmana.access.services import grant_role
from raqmana.accounts.tests.factories import UserFactory
from raqmana.audit.models import AuditEvent
from raqmana.civil_status.constants import ActKind, ActState, EstablishmentKind, PreDeclarationState
from raqmana.civil_status.models import Act, Establishment
from raqmana.civil_status.services.acts import draft_act, sign_act
from raqmana.civil_status.services.pre_declarations import file_pre_declaration, first_and_family_name
from raqmana.territories.models import CivilStatusOffice, Territory

pytestmark = pytest.mark.django_db

ARABIC_IDCS = "المعرف المدني والاجتماعي الرقمي"


@pytest.fixture
def pre_declaration(temara_office):
    maternity = Establishment.objects.create(
        kind=EstablishmentKind.HEALTH,
        name_ar="مصحة الولادة",
        name_fr="Maternité",
        commune=Territory.objects.get(code="04.501.01.07"),
    )
    return file_pre_declaration(
        maternity,
        {
            "kind": "birth",
            "sex": "F",
            "first_name_ar": "سلمى",
            "father_name_ar": "عبد الرحمن الإدريسي",
            "mother_name_ar": "فاطمة الزهراء الفاسي",
            "event_date": date.today(),
        },
    )


def in_language(client, language):
    client.cookies["django_language"] = language
    return client


@pytest.mark.parametrize(
    ("full_name", "first", "family"),
    [
        ("محمد بنجلون", "محمد", "بنجلون"),
        ("عبد الرحمن الإدريسي", "عبد الرحمن", "الإدريسي"),
        ("أبو بكر العلوي", "أبو بكر", "العلوي"),
        ("نور الدين التازي", "نور الدين", "التازي"),
        ("فتح الله بناني", "فتح الله", "بناني"),
        ("فاطمة الزهراء الفاسي", "فاطمة الزهراء", "الفاسي"),
        ("خديجة بنت علي", "خديجة", "بنت علي"),
        ("عبد الله", "عبد الله", ""),
        ("يوسف", "يوسف", ""),
        ("", "", ""),
    ],
)
def test_a_parents_full_name_splits_into_first_and_family_name(full_name, first, family):
    assert first_and_family_name(full_name) == (first, family)


def test_taking_up_a_pre_declaration_splits_the_parents_names_and_suggests_spellings_at_once(
    verified_client, agent, pre_declaration
):
    client = in_language(verified_client(agent), "ar")
    page = client.get(reverse("civil_status:act_new", args=["birth"]), {"pre": pre_declaration.pk})
    form = page.context["form"]
    values = {name: form[name].value() for name in form.fields if name.endswith("_ar")}
    assert values["father_first_name_ar"] == "عبد الرحمن"
    assert values["family_name_ar"] == "الإدريسي"  # the child's, from the father's
    assert (values["mother_first_name_ar"], values["mother_family_name_ar"]) == ("فاطمة الزهراء", "الفاسي")
    # The suggestions htmx would fetch on typing are there on first render, for each name already given.
    for part in ("first_name", "family_name", "father_first_name", "mother_first_name", "mother_family_name"):
        assert f'data-fill-target="id_{part}_latin"' in page.text, part
    assert 'data-fill-target="id_grandfather_first_name_latin"' not in page.text  # no name, nothing suggested


def test_a_draft_whose_spellings_are_confirmed_shows_no_suggestion(verified_client, agent, temara_office, birth_data):
    draft = draft_act(temara_office, ActKind.BIRTH, birth_data, by=agent)
    page = verified_client(agent).get(reverse("civil_status:act_edit", args=[draft.pk]))
    assert 'data-fill-target="id_first_name_latin"' not in page.text  # Latin and Tifinagh both confirmed
    assert 'data-fill-target="id_father_first_name_tfng"' in page.text  # its Tifinagh is still missing


@pytest.mark.parametrize("language", ["ar", "fr"])
def test_selects_offer_their_empty_choice_in_the_page_language(verified_client, agent, pre_declaration, language):
    client = in_language(verified_client(agent), language)
    act_form = client.get(reverse("civil_status:act_new", args=["birth"]), {"pre": pre_declaration.pk})
    members = UserFactory()
    pre_declaration.establishment.members.add(members)
    pre_form = in_language(verified_client(members), language).get(reverse("civil_status:pre_declaration_new"))
    for page in (act_form, pre_form):
        assert "Select an option" not in page.text
    assert {"ar": "- اختر -", "fr": "- Choisir -"}[language] in act_form.text


def test_open_as_a_link_and_as_a_state_are_two_messages():
    with translation.override("ar"):
        assert translation.pgettext("link to a record", "Open") != translation.pgettext("state of an office", "Open")
    with translation.override("fr"):
        assert translation.pgettext("link to a record", "Open") == "Ouvrir"
        assert translation.pgettext("state of an office", "Open") == "Ouvert"


def test_the_arabic_catalogue_names_the_idcs_one_way():
    """Every Arabic message about the IDCS calls it by its full name, never "المعرف" alone or reordered."""
    catalogue = polib.pofile(f"{settings.LOCALE_PATHS[0]}/ar/LC_MESSAGES/django.po")
    with translation.override("ar"):
        for entry in catalogue:
            if "IDCS" in entry.msgid:
                assert ARABIC_IDCS in translation.gettext(entry.msgid), entry.msgid


def test_the_queue_links_a_taken_up_pre_declaration_to_its_draft_and_signed_acts_to_themselves(
    verified_client, agent, officer, temara_office, pre_declaration, birth_data
):
    draft = draft_act(temara_office, ActKind.BIRTH, birth_data, by=agent, pre_declaration=pre_declaration)
    pre_declaration.refresh_from_db()
    assert pre_declaration.state == PreDeclarationState.TAKEN_UP
    signed = sign_act(draft_act(temara_office, ActKind.BIRTH, {**birth_data, "first_name_ar": "سعيد"}, by=agent),
                      by=officer)  # fmt: skip
    with translation.override("en"):
        queue = in_language(verified_client(agent), "en").get(reverse("civil_status:queue"))
    draft_link = f'href="{reverse("civil_status:act", args=[draft.pk])}?reason=drafting">Open the draft</a>'
    assert draft_link in queue.text
    assert (
        f'href="{reverse("civil_status:act", args=[signed.pk])}?reason=drafting"><bdi>{signed.reference}' in queue.text
    )


def test_signing_shows_what_will_be_signed_and_asks_to_confirm(
    verified_client, officer, agent, temara_office, birth_data
):
    draft = draft_act(temara_office, ActKind.BIRTH, birth_data, by=agent)
    client = in_language(verified_client(officer), "fr")
    detail = client.get(reverse("civil_status:act", args=[draft.pk]), {"reason": "drafting"})
    sign_url = reverse("civil_status:act_sign", args=[draft.pk])
    assert f'href="{sign_url}"' in detail.text  # a link to the summary, not a form that signs at once

    summary = client.get(sign_url)
    assert summary.status_code == 200
    draft.refresh_from_db()
    assert draft.state == ActState.DRAFT  # looking signs nothing
    for text in ("يوسف", "Youssef", "ⵢⵓⵙⴼ", "El Alaoui", "محمد", escape(temara_office.name_fr)):
        assert text in summary.text, text
    assert draft.birth_date.strftime("%d/%m/%Y") in summary.text
    expected = f"{temara_office.code}/{date.today().year}/1"
    assert f"<bdi>{expected}</bdi>" in summary.text
    assert '<form method="post" class="actions">' in summary.text
    assert AuditEvent.objects.filter(action="act.read", target_id=str(draft.pk)).exists()

    response = client.post(sign_url)
    draft.refresh_from_db()
    assert response.status_code == 302 and draft.state == ActState.SIGNED and draft.reference == expected


def test_one_who_may_not_sign_is_sent_back_to_the_act(verified_client, agent, temara_office, birth_data):
    draft = draft_act(temara_office, ActKind.BIRTH, birth_data, by=agent)
    response = verified_client(agent).get(reverse("civil_status:act_sign", args=[draft.pk]))
    assert response.status_code == 302 and response.url.startswith(reverse("civil_status:act", args=[draft.pk]))


@pytest.mark.parametrize("language", ["ar", "fr"])
def test_the_duplicate_warning_before_signing_names_links_and_places_the_candidate(
    verified_client, officer, agent, temara_office, birth_data, language
):
    first = sign_act(draft_act(temara_office, ActKind.BIRTH, birth_data, by=agent), by=officer)
    elsewhere = CivilStatusOffice.objects.exclude(pk=temara_office.pk).order_by("pk").first()
    far_officer = UserFactory()
    grant_role(far_officer, Role.CIVIL_STATUS_OFFICER, unit=elsewhere, by=None, reason="test")
    far_agent = UserFactory()
    grant_role(far_agent, Role.CIVIL_STATUS_AGENT, unit=elsewhere, by=None, reason="test")
    second = sign_act(draft_act(elsewhere, ActKind.BIRTH, birth_data, by=far_agent), by=far_officer)
    draft = draft_act(temara_office, ActKind.BIRTH, birth_data, by=agent)

    summary = in_language(verified_client(officer), language).get(reverse("civil_status:act_sign", args=[draft.pk]))
    assert "يوسف العلوي" in summary.text
    name = {"ar": "name_ar", "fr": "name_fr"}[language]
    for candidate in (first, second):
        assert candidate.reference in summary.text
        assert escape(getattr(candidate.office, name)) in summary.text
    # The office's own act opens from the warning; another office's is named, with whom to ask.
    assert f'href="{reverse("civil_status:act", args=[first.pk])}?reason=duplicates"' in summary.text
    assert reverse("civil_status:act", args=[second.pk]) not in summary.text
    assert Act.objects.filter(pk=draft.pk, state=ActState.DRAFT).exists()


@pytest.mark.parametrize("language", ["ar", "fr"])
def test_activity_lines_show_the_declared_action_in_the_page_language(
    verified_client, agent, temara_office, birth_data, language
):
    draft_act(temara_office, ActKind.BIRTH, birth_data, by=agent)
    page = in_language(verified_client(agent), language).get(reverse("portal:workspace"))
    with translation.override(language):
        declared = str(AuditEvent.objects.get(action="act.drafted").action_label)
        line = translation.gettext('%(action)s: <bdi class="recorded">%(target)s</bdi>')  # _activity.html's
    assert declared != "Act drafted" and "act.drafted" not in page.text
    assert line.split("%(target)s")[0].replace("%(action)s", escape(declared)) in page.text
