from django.contrib import admin

from raqmana.kernel.admin import ReadOnlyAdmin

from .models import Clock


@admin.register(Clock)
class ClockAdmin(ReadOnlyAdmin):
    list_display = [
        "workflow",
        "name",
        "subject_type",
        "subject_id",
        "state",
        "due_at",
        "paused_at",
        "remaining",
        "reason",
    ]
    list_filter = ["workflow", "state"]
    search_fields = ["subject_id"]
