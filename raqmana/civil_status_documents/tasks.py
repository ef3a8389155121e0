from datetime import timedelta

from django.tasks import task

from raqmana.kernel import periodic


@task
def scan_proof(order_id, attempt):
    """Scan a proof that arrived while the virus scanner was away (proofs.scan_pending_proof)."""
    from .proofs import scan_pending_proof

    return scan_pending_proof(order_id, attempt)


@task
def scan_pending_proofs():
    """The periodic sweep of proofs still waiting for their scan; returns how many still wait."""
    from .proofs import scan_pending_proofs

    return scan_pending_proofs()


@task
def delete_expired_proofs():
    """The periodic deletion of proofs past their retention (proofs.delete_expired_proofs); returns how many."""
    from .proofs import delete_expired_proofs

    return delete_expired_proofs()


# A proof waits for the scanner (its own retries stop after four hours): looked at again every few minutes.
periodic.every(timedelta(minutes=5), scan_pending_proofs)
periodic.every(timedelta(days=1), delete_expired_proofs)
