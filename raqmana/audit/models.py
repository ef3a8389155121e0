from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from raqmana.territories.models import Territory

from .constants import ACTION_LABELS


class AuditEvent(models.Model):
    """Who did or read what, when and why. Append-only: nothing updates or deletes these rows."""

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(_("action"), max_length=64, db_index=True)
    target_type = models.CharField(_("target type"), max_length=100)
    target_id = models.CharField(_("target id"), max_length=64)
    target_repr = models.CharField(_("target"), max_length=300)
    territory = models.ForeignKey(
        Territory, verbose_name=_("territory"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    office = models.ForeignKey(
        "territories.AdministrativeUnit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Where the actor works, when it is not where the target is (a search, a read refused by scoping): the
    # actor's supervisors see the event too, not only those of the target's place.
    actor_territory = models.ForeignKey(
        Territory,
        verbose_name=_("actor's territory"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_office = models.ForeignKey(
        "territories.AdministrativeUnit",
        verbose_name=_("actor's unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    # An event stands where its target is and where its actor works: the supervisors of either read it.
    scope_places = (("territory", "office"), ("actor_territory", "actor_office"))

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target_repr}"

    @property
    def action_label(self):
        return ACTION_LABELS.get(self.action, self.action)
