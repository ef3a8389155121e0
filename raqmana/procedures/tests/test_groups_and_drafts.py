"""Agent groups take the dossiers their rules name, the first that matches, else the default group; drafts left
untouched are warned of, then expire, a week at least after the warning."""

from datetime import timedelta

import pytest
from django.utils import timezone

from raqmana.notifications.models import Notification
from raqmana.procedures.constants import DossierState
from raqmana.procedures.models import AgentGroup, Dossier
from raqmana.procedures.services import attachments, drafts, filing

from .conftest import complete


@pytest.fixture
def groups(temara_window, procedure, temara):
    default = AgentGroup.objects.create(unit=temara_window, name="Accueil", is_default=True, order=1)
    commercial = AgentGroup.objects.create(
        unit=temara_window, name="Commerce", order=5, field_key="use", field_values=["commercial"]
    )
    other_procedure = AgentGroup.objects.create(unit=temara_window, name="Autre", order=2)
    other_procedure.communes.add(temara.parent)  # a prefecture is no commune of a dossier: it never matches
    return default, commercial


@pytest.mark.parametrize(("use", "group"), [("individual_housing", 0), ("commercial", 1)])
def test_the_first_matching_group_takes_the_dossier(
    groups, use, group, procedure, applicant, applicant_act, birth_data, temara
):
    draft = filing.start_draft(applicant, procedure, commune=temara)
    complete(draft, applicant, applicant_act, birth_data)
    filing.save_answers(
        draft,
        {"use": use, "shop_sign": "Atlas", "area": "80", "site": {"commune": "04.501.01.07", "street": "1 rue A"}},
        by=applicant,
    )
    assert filing.file_dossier(draft, by=applicant).group == groups[group]


@pytest.fixture
def old_draft(procedure, applicant, temara):
    draft = filing.start_draft(applicant, procedure, commune=temara)
    Dossier.objects.filter(pk=draft.pk).update(updated_at=timezone.now() - timedelta(days=84))
    return draft


def test_a_draft_is_warned_a_week_before_it_expires(old_draft, applicant, settings):
    assert drafts.expire_drafts() == {"warned": 1, "expired": 0}
    assert Notification.objects.filter(user=applicant, kind="procedures.draft_expiring").count() == 1
    assert drafts.expire_drafts() == {"warned": 0, "expired": 0}  # once


def test_it_expires_a_week_after_the_warning_at_the_earliest(old_draft):
    now = timezone.now()
    drafts.expire_drafts(now)
    assert drafts.expire_drafts(now + timedelta(days=6)) == {"warned": 0, "expired": 0}
    assert drafts.expire_drafts(now + timedelta(days=7, minutes=1)) == {"warned": 0, "expired": 1}
    old_draft.refresh_from_db()
    assert old_draft.state == DossierState.EXPIRED


def test_a_draft_worked_on_after_the_warning_starts_over(old_draft, applicant):
    now = timezone.now()
    drafts.expire_drafts(now)
    filing.save_answers(old_draft, {"use": "commercial"}, by=applicant)
    assert drafts.expire_drafts(now + timedelta(days=8)) == {"warned": 0, "expired": 0}
    old_draft.refresh_from_db()
    assert old_draft.state == DossierState.DRAFT and old_draft.expiry_warned_at is None


def test_a_draft_given_a_file_after_the_warning_starts_over_and_is_warned_again(old_draft, applicant):
    from .conftest import pdf_upload

    now = timezone.now()
    drafts.expire_drafts(now)
    attachments.attach(old_draft, "plans", pdf_upload(), by=applicant)
    old_draft.refresh_from_db()
    assert old_draft.expiry_warned_at is None
    assert drafts.expire_drafts(now + timedelta(days=84)) == {"warned": 1, "expired": 0}  # warned before it expires


def test_a_long_forgotten_draft_is_warned_before_it_expires(procedure, applicant, temara):
    draft = filing.start_draft(applicant, procedure, commune=temara)
    Dossier.objects.filter(pk=draft.pk).update(updated_at=timezone.now() - timedelta(days=400))
    assert drafts.expire_drafts() == {"warned": 1, "expired": 0}
