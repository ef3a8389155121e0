"""Typed references to any record: its model (a ContentType) and its primary key, for rows that may point at a
record of any app (a workflow's clock today; attachments, comments or documents' subjects later)."""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models


class RecordReference(models.Model):
    """A reference to one record of any model, kept as its model and primary key (as text, whatever its type)."""

    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    subject_id = models.CharField(max_length=40)
    subject = GenericForeignKey("subject_type", "subject_id")

    class Meta:
        abstract = True


def reference_to(record: models.Model) -> dict[str, object]:
    """The field values that refer to `record`, to create or filter rows built on `RecordReference`."""
    return {"subject_type": ContentType.objects.get_for_model(record), "subject_id": str(record.pk)}
