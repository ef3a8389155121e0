from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")


class AttemptOutcome(models.TextChoices):
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    # The worker stopped between the send and its record: the message may have left; the next attempt carries the
    # same message id, which the mail system or the SMS provider uses to drop a duplicate.
    INTERRUPTED = "interrupted", _("Interrupted")


class Notification(models.Model):
    """A message to a person, one per channel, as it was rendered when notified, and the truth of its delivery:
    unsent and not given up, it is sent by the periodic sweep once `next_attempt_at` is due (a new one at once;
    while an attempt runs, its lease); sent; or given up after the last attempt."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.PROTECT, related_name="notifications"
    )
    # The office the message concerns (an order's: the office keeping the act); none for a person's own account,
    # which the national administration alone oversees.
    unit = models.ForeignKey(
        "territories.AdministrativeUnit",
        verbose_name=_("office"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    kind = models.CharField(_("kind"), max_length=100, blank=True)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    address = models.CharField(_("address"), max_length=254)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Set once, committed before the first send, carried by every send of this row (email Message-ID, SMS
    # idempotency key): a send repeated after a crash is recognised as the same message.
    message_id = models.CharField(_("message id"), max_length=200, null=True, blank=True, unique=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True, db_index=True)
    given_up_at = models.DateTimeField(_("given up at"), null=True, blank=True)

    scope_places = (("unit__territory", "unit"),)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_channel_display()} → {self.address}: {self.subject}"

    @property
    def audit_label(self):
        """The notification in the audit trail: its kind and channel, never its address or words."""
        return f"{self.kind} ({self.channel}) #{self.pk}"


class NotificationAttempt(models.Model):
    """One send of a notification: when it started and ended, how, and what the mail server or the SMS provider
    answered. Written before the send (SENDING) and completed after it, so a send cut short stays visible."""

    notification = models.ForeignKey(
        Notification, verbose_name=_("notification"), on_delete=models.PROTECT, related_name="sendings"
    )
    number = models.PositiveSmallIntegerField(_("attempt"))
    started_at = models.DateTimeField(_("started at"))
    # Renewed while the send runs (services.lease_kept): an attempt renewed within the lease has a live worker.
    renewed_at = models.DateTimeField(_("renewed at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=AttemptOutcome.choices, default=AttemptOutcome.SENDING
    )
    error = models.CharField(_("error"), max_length=300, blank=True)
    answer = models.CharField(_("provider's answer"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("sending attempt")
        verbose_name_plural = _("sending attempts")
        ordering = ["started_at", "pk"]

    def __str__(self):
        return f"#{self.number} {self.get_outcome_display()}"
