"""System checks of a deployment (`manage.py check --deploy`) for the documents' seals."""

from django.conf import settings
from django.core import checks


@checks.register(deploy=True)
def time_stamping_authority_is_set(app_configs, **kwargs):
    """Seals are PAdES B-LT: each is dated by a time-stamping authority. Only the development key store has one of
    its own; any other key store without RAQMANA_TSA_URL would fail at the first document issued."""
    if settings.RAQMANA_TSA_URL or settings.RAQMANA_SIGNING_BACKEND == "development":
        return []
    return [
        checks.Error(
            "No time-stamping authority is set: documents cannot be sealed.",
            hint="Set RAQMANA_TSA_URL to the RFC 3161 address of the time-stamping authority.",
            id="raqmana.E002",
        )
    ]
