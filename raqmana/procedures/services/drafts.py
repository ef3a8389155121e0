"""Drafts left untouched expire: the applicant is warned a week before, and a draft worked on again after the
warning starts its period over. An expired draft is kept (nothing is deleted), closed to changes."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from ..constants import DossierState
from ..models import Dossier
from ..workflows import DOSSIER_WORKFLOW, lock_dossier
from .filing import tell

EXPIRED_REASON = gettext_lazy("Draft left untouched past its period: expired.")


def expire_drafts(now: datetime | None = None) -> dict[str, int]:
    """Warn the applicants of drafts untouched for RAQMANA_DRAFT_EXPIRY_DAYS less RAQMANA_DRAFT_WARNING_DAYS, and
    expire those untouched for the whole period whose warning is at least RAQMANA_DRAFT_WARNING_DAYS old (a warning
    always comes first, however late the job runs). Each draft in its own transaction, re-read locked."""
    now = now or timezone.now()
    period, notice = (
        timedelta(days=settings.RAQMANA_DRAFT_EXPIRY_DAYS),
        timedelta(days=settings.RAQMANA_DRAFT_WARNING_DAYS),
    )
    drafts = Dossier.objects.filter(state=DossierState.DRAFT)
    to_warn = drafts.filter(updated_at__lte=now - (period - notice), expiry_warned_at__isnull=True)
    to_expire = drafts.filter(updated_at__lte=now - period, expiry_warned_at__lte=now - notice)
    counts = {"warned": 0, "expired": 0}
    for pk in to_warn.values_list("pk", flat=True):
        with transaction.atomic():
            dossier = lock_dossier(pk)
            if dossier.state != DossierState.DRAFT or dossier.expiry_warned_at is not None:
                continue
            # Through the queryset: saving would move `updated_at`, which the warning must not touch.
            Dossier.objects.filter(pk=pk).update(expiry_warned_at=now)
            tell(dossier, "procedures.draft_expiring", expires_on=timezone.localdate(now + notice))
            counts["warned"] += 1
    for pk in to_expire.values_list("pk", flat=True):
        with transaction.atomic():
            dossier = lock_dossier(pk)
            if dossier.state != DossierState.DRAFT or dossier.updated_at > now - period:
                continue
            DOSSIER_WORKFLOW.move(dossier, DossierState.EXPIRED, by=None, reason=EXPIRED_REASON)
            Dossier.objects.filter(pk=pk).update(state=dossier.state)
            counts["expired"] += 1
    return counts
