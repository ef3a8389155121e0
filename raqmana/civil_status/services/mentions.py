"""Marginal mentions beside signed acts (corrections, court decisions, marriages...), and the death written beside
the deceased's birth act with the notice that waits in its office's queue. Each write is audited."""

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from raqmana.access.checking import require
from raqmana.accounts.models import User
from raqmana.audit.services import record
from raqmana.calendars.hijri import gregorian_of_typed_hijri
from raqmana.civil_status.constants import (
    CORRECTING_MENTIONS,
    MENTION_AUTHORITIES,
    ActState,
    AuthorityKind,
    DeathNoticeState,
    MentionKind,
)
from raqmana.civil_status.models import CORRECTABLE_FIELDS, HIJRI_TYPED_DATES, NAME_FIELDS, Act, DeathNotice, Mention
from raqmana.civil_status.names import search_keys
from raqmana.civil_status.selectors import act_as_of
from raqmana.civil_status.workflows import DEATH_NOTICE_WORKFLOW


def mention_death_on_birth_act(death_act: Act, birth_act: Act, by: User) -> None:
    """Law 36-21: the officer of the place of death notifies the office keeping the birth act; the death is
    written beside the birth act, naming both acts, and the notice waits in that office's queue."""
    Mention.objects.create(
        act=birth_act,
        kind=MentionKind.DEATH,
        authority_kind=AuthorityKind.CIVIL_STATUS_OFFICE,
        authority_name=death_act.office.name_ar,
        reference_number=death_act.reference,
        decided_on=death_act.declared_on,
        legal_basis="القانون 36.21 المتعلق بالحالة المدنية",
        text_ar=(
            f"توفي(ت) صاحب(ة) رسم الولادة عدد {birth_act.reference} بتاريخ {death_act.death_date:%Y-%m-%d}"
            f" حسب رسم الوفاة عدد {death_act.reference} المحرر بمكتب {death_act.office.name_ar}"
        ),
        related_act=death_act,
        recorded_by=by,
    )
    record(
        actor=by,
        action="act.mention_recorded",
        target=birth_act,
        unit=birth_act.office,
        actor_place=death_act.office,
        details={"death_act": death_act.reference},
    )
    notice = DeathNotice.objects.create(death_act=death_act, birth_act=birth_act, office=birth_act.office)
    DEATH_NOTICE_WORKFLOW.open(notice, by=by)
    record(actor=by, action="death_notice.sent", target=notice, unit=birth_act.office, actor_place=death_act.office)


@transaction.atomic
def take_note_of_death_notice(notice: DeathNotice, *, by: User) -> DeathNotice:
    """An agent or the officer of the office keeping the birth act takes note of a death written beside it."""
    notice = DeathNotice.objects.select_for_update().select_related("office").get(pk=notice.pk)
    DEATH_NOTICE_WORKFLOW.move(notice, DeathNoticeState.NOTED, by=by)
    notice.save(update_fields=["state"])
    record(actor=by, action="death_notice.noted", target=notice, unit=notice.office)
    return notice


@transaction.atomic
def record_mention(
    act: Act,
    *,
    kind: str,
    authority_kind: str,
    authority_name: str,
    reference_number: str,
    decided_on: date,
    legal_basis: str,
    text_ar: str,
    by: User,
    changes: Mapping[str, Any] | None = None,
    related_act: Act | None = None,
) -> Mention:
    """The office's officer writes a marginal mention beside a signed act, with its legal basis and reference.

    Corrections carry the corrected values; the Latin transcription mention may only change Latin spellings.
    """
    require(by, "civil_status.act.mention", at=act.office)
    if act.state != ActState.SIGNED:
        raise ValidationError(_("Mentions are written beside signed acts only."))
    deciders = MENTION_AUTHORITIES[MentionKind(kind)]
    if authority_kind not in deciders:
        labels = ", ".join(str(AuthorityKind(authority).label) for authority in deciders)
        raise ValidationError(
            {"authority_kind": _("This kind of mention is decided by: %(authorities)s.") % {"authorities": labels}}
        )
    changes = dict(changes or {})
    if changes and kind not in CORRECTING_MENTIONS:
        raise ValidationError({"changes": _("Only a correction or a court decision changes the act's data.")})
    unknown = set(changes) - CORRECTABLE_FIELDS
    if kind == MentionKind.LATIN_TRANSCRIPTION:
        unknown |= {field for field in changes if not field.endswith("_latin")}
    if unknown:
        raise ValidationError(
            {
                "changes": _("These data cannot be changed by this mention: %(fields)s.")
                % {"fields": ", ".join(sorted(unknown))}
            }
        )
    for field, value in changes.items():
        if isinstance(value, str) and Act.text_kind_of(Act._meta.get_field(field)) is not None:
            changes[field] = Act.checked_text(field, value, error_key="changes")
    _keep_hijri_dates_consistent(act, changes)
    required = {
        "authority_name": authority_name,
        "reference_number": reference_number,
        "legal_basis": legal_basis,
        "text_ar": text_ar,
    }
    missing = {field: _("This field is required.") for field, value in required.items() if not str(value).strip()}
    if missing:
        raise ValidationError(missing)
    mention = Mention(
        act=act,
        kind=kind,
        authority_kind=authority_kind,
        authority_name=authority_name,
        reference_number=reference_number,
        decided_on=decided_on,
        legal_basis=legal_basis,
        text_ar=text_ar,
        changes={field: _serialise(value) for field, value in changes.items()},
        related_act=related_act,
        recorded_by=by,
    )
    mention.full_clean()
    mention.save()
    if set(changes) & set(NAME_FIELDS):
        # The keys are derived from the names, not part of the act: the register is searched by its names as
        # corrected, while the act itself stays as signed.
        Act.objects.filter(pk=act.pk).update(**search_keys(act_as_of(act, timezone.now())["data"]))
    record(actor=by, action="act.mention_recorded", target=act, unit=act.office, details={"mention": mention.pk})
    return mention


def _keep_hijri_dates_consistent(act: Act, changes: dict[str, Any]) -> None:
    """A corrected Hijri date gives its Gregorian; a corrected Gregorian date drops the Hijri typed before, which
    no longer says the same day (the Hijri is then converted from the corrected date)."""
    current = act_as_of(act, timezone.now())["data"]
    for gregorian_field, hijri_field in HIJRI_TYPED_DATES.items():
        if changes.get(hijri_field):
            try:
                changes[gregorian_field] = gregorian_of_typed_hijri(str(changes[hijri_field]))
            except ValidationError as error:
                raise ValidationError({"changes": error.messages}) from None
        elif gregorian_field in changes and current[hijri_field]:
            changes[hijri_field] = ""


def _serialise(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    return value.isoformat() if hasattr(value, "isoformat") else value
