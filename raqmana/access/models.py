from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from raqmana.kernel.text import CheckedTextModel
from raqmana.territories.models import AdministrativeUnit, Territory

from .roles import Role


class RoleAssignmentQuerySet(models.QuerySet):
    def active(self) -> "RoleAssignmentQuerySet":
        return self.filter(revoked_at__isnull=True)


class RoleAssignment(CheckedTextModel):
    """A role held by a user for one place (a unit, a territory, or the whole country). Revoked, never deleted:
    the history of who could act stays."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="role_assignments"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    territory = models.ForeignKey(
        Territory, verbose_name=_("territory"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="role_assignments",
    )
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("granted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    grant_reason = models.CharField(_("reason for granting"), max_length=300)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    revoke_reason = models.CharField(_("reason for revoking"), max_length=300, blank=True)

    objects = RoleAssignmentQuerySet.as_manager()
    scope_places = (("territory", "unit"),)
    audit_label_reads = ("unit", "territory")  # what its name reads beside it (audit.selectors.shown_events)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        ordering = ["-granted_at"]
        # One active assignment per person, role and place; three partial constraints because SQLite
        # cannot treat NULL places as equal (nulls_distinct) and a national role has no place.
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "unit"],
                condition=Q(revoked_at__isnull=True, unit__isnull=False),
                name="one_active_role_per_office",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "territory"],
                condition=Q(revoked_at__isnull=True, unit__isnull=True, territory__isnull=False),
                name="one_active_role_per_territory",
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(revoked_at__isnull=True, unit__isnull=True, territory__isnull=True),
                name="one_active_national_role",
            ),
        ]

    def __str__(self):
        return f"{self.get_role_display()} — {self.place_name}"

    @property
    def place_name(self):
        place = self.unit or self.territory
        return place.name if place else _("the whole country")
