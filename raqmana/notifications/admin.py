from django.contrib import admin

from raqmana.kernel.admin import ReadOnlyAdmin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    """What was said to whom, and whether it left: a notification unsent keeps its error (a mail server down, or no
    channel that reaches the person)."""

    list_display = ["created_at", "user", "kind", "channel", "address", "sent_at", "attempts", "error"]
    list_filter = ["channel", "kind", ("sent_at", admin.EmptyFieldListFilter)]
    list_select_related = ["user"]
    search_fields = ["address", "kind"]
    date_hierarchy = "created_at"
