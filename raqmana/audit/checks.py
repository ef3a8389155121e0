"""System checks of a deployment (`manage.py check --deploy`) for the audit trail's key."""

from django.conf import settings
from django.core import checks


@checks.register(deploy=True)
def audit_key_is_its_own(app_configs: object, **kwargs: object) -> list[checks.CheckMessage]:
    """The audit trail's hashes are keyed by RAQMANA_AUDIT_KEY, else by a key derived from SECRET_KEY: then rotating
    SECRET_KEY (after a leak, say) would make every event written before fail its check."""
    if settings.RAQMANA_AUDIT_KEY:
        return []
    return [
        checks.Warning(
            "The audit trail's key is derived from SECRET_KEY: changing SECRET_KEY would break every chain.",
            hint="Set RAQMANA_AUDIT_KEY to a secret of its own, kept out of the database and never changed; a trail "
            "already written keeps its key if RAQMANA_AUDIT_KEY is set to the derived one "
            "(raqmana.audit.chain.audit_key()) before SECRET_KEY changes.",
            id="raqmana.audit.W001",
        )
    ]
