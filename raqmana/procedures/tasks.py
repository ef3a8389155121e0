from datetime import timedelta

from django.tasks import task

from raqmana.kernel import periodic


@task
def scan_attachment(attachment_id, attempt):
    """Scan a dossier's file that arrived while the virus scanner was away (services.attachments)."""
    from .services.attachments import scan_pending_attachment

    return scan_pending_attachment(attachment_id, attempt)


@task
def scan_pending_attachments():
    """The periodic sweep of dossiers' files still waiting for their scan; returns how many still wait."""
    from .services.attachments import scan_pending_attachments

    return scan_pending_attachments()


@task
def expire_drafts():
    """The daily warning and expiry of drafts left untouched (services.drafts)."""
    from .services.drafts import expire_drafts

    return expire_drafts()


@task
def issue_attestation(dossier_id):
    """Issue the attestation of a dossier approved by silence (services.review.issue_silence_attestation)."""
    from .services.review import issue_silence_attestation

    return issue_silence_attestation(dossier_id)


@task
def issue_missing_attestations():
    """The periodic catch-up of attestations whose task was lost (a queue down at the commit): issued now."""
    from .services.review import issue_missing_attestations

    return issue_missing_attestations()


@task
def write_export(export_id):
    """Write a list of dossiers asked for export (services.exports)."""
    from .services.exports import write

    return write(export_id)


periodic.every(timedelta(minutes=5), scan_pending_attachments)
periodic.every(timedelta(days=1), expire_drafts)
periodic.every(timedelta(minutes=15), issue_missing_attestations)
