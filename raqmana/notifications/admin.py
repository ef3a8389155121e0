from django.contrib import admin

from raqmana.kernel.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import Notification, NotificationAttempt


class NotificationAttemptInline(ReadOnlyInline):
    """Every send of the notification: when, how it ended, what the provider answered."""

    model = NotificationAttempt
    fields = ["number", "started_at", "renewed_at", "finished_at", "outcome", "error", "answer"]
    readonly_fields = fields


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    """What was said to whom, and whether it left: sent, still being tried (its next attempt), or given up with its
    error (a mail server down, or no channel that reaches the person); each send below."""

    list_display = [
        "created_at",
        "user",
        "unit",
        "kind",
        "channel",
        "address",
        "sent_at",
        "attempts",
        "next_attempt_at",
        "given_up_at",
        "error",
    ]
    list_filter = [
        "channel",
        "kind",
        ("sent_at", admin.EmptyFieldListFilter),
        ("given_up_at", admin.EmptyFieldListFilter),
    ]
    list_select_related = ["user", "unit"]
    search_fields = ["address", "kind", "message_id"]
    date_hierarchy = "created_at"
    inlines = [NotificationAttemptInline]
