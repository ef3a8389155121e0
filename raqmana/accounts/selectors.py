"""Reads about people: the enterprises they represent and the invitations waiting for them."""

from .models import EnterpriseRepresentative, User


def representations_and_invitations(
    user: User,
) -> tuple[list[EnterpriseRepresentative], list[EnterpriseRepresentative]]:
    """The enterprises the person represents, and the invitations to represent one that wait for their answer (in
    one query: the person's home shows both)."""
    standing = user.representations.filter(revoked_at__isnull=True).select_related("enterprise__commune", "added_by")
    representations: list[EnterpriseRepresentative] = []
    invitations: list[EnterpriseRepresentative] = []
    for representation in standing.order_by("pk"):
        (invitations if representation.accepted_at is None else representations).append(representation)
    return representations, invitations
