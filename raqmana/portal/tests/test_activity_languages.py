"""The activity table tells each reader the events of their scope in their own language, whatever the language of
the agent whose work recorded them: a declared reason and the target in the reader's language, a reason typed by a
person as typed, a search by what was searched rather than by the searcher."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from raqmana.access.roles import Role
from raqmana.access.services import grant_role
from raqmana.accounts.tests.factories import UserFactory
from raqmana.audit.models import AuditEvent
from raqmana.audit.selectors import shown_events
from raqmana.audit.services import record
from raqmana.civil_status.constants import ActKind
from raqmana.civil_status.forms import REASON_LABELS
from raqmana.civil_status.search import ActQuery
from raqmana.civil_status.selectors import read_act, search_register
from raqmana.civil_status.services.acts import draft_act, sign_act
from raqmana.territories.constants import Level

pytestmark = pytest.mark.django_db

EXTRACT = {"ar": "طلب نسخة موجزة أو كاملة", "fr": "Demande d’extrait ou de copie"}
BIRTH_ACT = {"ar": "رسم الولادة", "fr": "Acte de naissance"}


@pytest.fixture
def act(temara_office, agent, officer, birth_data):
    return sign_act(draft_act(temara_office, ActKind.BIRTH, birth_data, by=agent), by=officer)


@pytest.fixture
def inspector(temara_office):
    province = temara_office.territory
    while province.level not in (Level.PROVINCE, Level.PREFECTURE):
        province = province.parent
    user = UserFactory()
    grant_role(user, Role.PROVINCIAL_INSPECTOR, territory=province, by=None, reason="test")
    return user


def activity_rows(client, language):
    """The activity table's rows, each as its cells' text (tags removed), on the supervision page."""
    client.cookies["django_language"] = language
    page = client.get(reverse("portal:supervision")).text
    table = page[page.index('id="activity-title"') : page.index("</table>", page.index('id="activity-title"'))]
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr><td>.*?</tr>", table, re.S)
    ]


def row_of(rows, action_text):
    return next(row for row in rows if action_text in row[2])


@pytest.mark.parametrize(("recorded_in", "read_in"), [("ar", "fr"), ("fr", "ar")])
def test_a_read_recorded_in_one_language_is_shown_in_the_readers(
    act, agent, inspector, verified_client, recorded_in, read_in
):
    reader = verified_client(agent)
    reader.cookies["django_language"] = recorded_in
    opened = reader.get(reverse("civil_status:act", args=[act.pk]), {"reason": "extract"})
    assert opened.status_code == 200
    event = AuditEvent.objects.get(action="act.read", actor=agent)
    assert event.reason == "Extract or copy requested" and event.reason_is_label  # neither language: its source

    what, why = row_of(activity_rows(verified_client(inspector), read_in), act.reference)[2:]
    assert why == EXTRACT[read_in]
    assert BIRTH_ACT[read_in] in what and BIRTH_ACT[recorded_in] not in what


def test_a_reason_typed_by_a_person_is_shown_as_typed(act, agent, inspector, verified_client):
    typed = "Vérification demandée par le procureur"
    with translation.override("ar"):
        read_act(agent, act.pk, reason=typed)
    assert not AuditEvent.objects.get(action="act.read", actor=agent).reason_is_label
    client = verified_client(inspector)
    for language in ("ar", "fr"):
        assert row_of(activity_rows(client, language), act.reference)[3] == typed


def test_an_event_stored_in_another_language_before_shows_as_stored(act, agent, inspector, verified_client):
    # As events were recorded before declared reasons were kept in their source text: in the reader's language.
    record(actor=agent, action="act.read", target=act, reason=EXTRACT["ar"], unit=act.office)
    assert row_of(activity_rows(verified_client(inspector), "fr"), act.reference)[3] == EXTRACT["ar"]


def test_a_search_shows_what_was_searched_not_the_searcher(act, agent, inspector, verified_client):
    with translation.override("ar"):
        search_register(agent, ActQuery(name="Youssef", birth_year=2020), reason=REASON_LABELS["inspection"])
    rows = activity_rows(verified_client(inspector), "fr")
    who, what, why = row_of(rows, "Recherche dans le registre")[1:]
    assert who == agent.full_name and agent.full_name not in what
    assert "Nom : Youssef" in what and "Année de naissance : 2020" in what
    assert why == "Inspection"


def test_no_raw_code_is_shown(act, agent, inspector, verified_client):
    with translation.override("fr"):
        read_act(agent, act.pk, reason=REASON_LABELS["extract"])
        search_register(agent, ActQuery(name="Youssef"), reason=REASON_LABELS["duplicates"])
    for language in ("ar", "fr", "en"):
        cells = [cell for row in activity_rows(verified_client(inspector), language) for cell in row]
        for code in ("act.read", "act.searched", "extract", "duplicates", "reason_is_label", "civil_status.Act"):
            assert not any(cell == code or code in cell.split() for cell in cells), (language, code)


def test_a_target_since_deleted_keeps_its_stored_description(agent):
    gone = UserFactory(full_name="Karim Gone")
    record(actor=agent, action="account.contact_verified", target=gone)
    gone.delete()
    shown = {row.event.action: row.what for row in shown_events(AuditEvent.objects.filter(actor=agent))}
    assert shown["account.contact_verified"] == "Karim Gone"


def test_a_batch_load_shows_how_many_acts_not_the_agent(temara_office, agent):
    record(actor=agent, action="act.batch_loaded", target=agent, unit=temara_office, details={"acts": 3})
    with translation.override("en"):
        (shown,) = shown_events(AuditEvent.objects.filter(action="act.batch_loaded"))
    assert shown.what == "Acts loaded: 3"
