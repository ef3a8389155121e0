from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from raqmana.territories.models import Territory

from .registry import ACTIONS


class AuditChain(models.Model):
    """The head of one chain of events: a day (Morocco's) and a partition of it, so that concurrent writers lock
    different rows (`chain.append`). It counts its chain's events and keeps the last one's hash, under a keyed seal
    over both, its day, partition and ordinal: an event removed or added at the end shows as well as any other. The
    ordinals of the heads run without a gap (`AuditChainCounter`), so that a whole chain deleted shows too
    (`chain.verify`)."""

    ordinal = models.PositiveBigIntegerField(_("ordinal"), unique=True)
    day = models.DateField(_("day"))
    partition = models.PositiveSmallIntegerField(_("partition"))
    length = models.PositiveIntegerField(_("length"), default=0)
    last_hash = models.CharField(_("hash of the last event"), max_length=64)
    seal = models.CharField(_("seal"), max_length=64)

    class Meta:
        verbose_name = _("audit chain")
        verbose_name_plural = _("audit chains")
        ordering = ["day", "partition"]
        constraints = [models.UniqueConstraint(fields=["day", "partition"], name="one_audit_chain_per_partition")]

    def __str__(self):
        return f"{self.day:%Y-%m-%d}/{self.partition}"


class AuditChainCounter(models.Model):
    """The one counter of the chains' heads: the last ordinal given. Its row stays locked from a head's opening to
    the end of that transaction, so that a rolled-back opening gives its ordinal back (`chain.append`)."""

    last_ordinal = models.PositiveBigIntegerField(_("last ordinal"), default=0)

    class Meta:
        verbose_name = _("audit chain counter")
        verbose_name_plural = _("audit chain counters")

    def __str__(self):
        return str(self.last_ordinal)


# The key of an event's details saying that its reason is a label's English source text, to translate when shown.
REASON_IS_LABEL = "reason_is_label"


class AuditEvent(models.Model):
    """Who did or read what, when and why, and where. Append-only: nothing updates or deletes these rows, and each
    is chained to the one before it in its chain by a keyed hash (HMAC-SHA256) over its content (`chain.py`)."""

    at = models.DateTimeField(_("at"), default=timezone.now, editable=False, db_index=True)
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
    unit = models.ForeignKey(
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
    actor_unit = models.ForeignKey(
        "territories.AdministrativeUnit",
        verbose_name=_("actor's unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    # Indexed by the unique (chain, position) constraint, whose first column it is.
    chain = models.ForeignKey(
        AuditChain, verbose_name=_("chain"), on_delete=models.PROTECT, related_name="events", db_index=False
    )
    position = models.PositiveIntegerField(_("position in the chain"))
    previous_hash = models.CharField(_("hash of the previous event"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)

    # An event stands where its target is and where its actor works: the supervisors of either read it.
    scope_places = (("territory", "unit"), ("actor_territory", "actor_unit"))

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at"]
        constraints = [models.UniqueConstraint(fields=["chain", "position"], name="one_audit_event_per_position")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target_repr}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("An audit event is never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("An audit event is never deleted.")

    @property
    def action_label(self):
        action = ACTIONS.get(self.action)
        return action.label if action is not None else self.action

    @property
    def reason_is_label(self) -> bool:
        return bool(self.details.get(REASON_IS_LABEL))

    @property
    def reason_shown(self) -> str:
        """The reason in the active language when it is a declared label; else as stored: typed by a person, or
        recorded before labels were kept in their source text (then in the language of that time)."""
        return gettext(self.reason) if self.reason_is_label else self.reason
