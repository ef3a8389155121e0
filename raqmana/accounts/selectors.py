"""Reads about people: the enterprises they represent and the invitations waiting for them."""


def representations(user):
    return user.representations.active().select_related("enterprise__commune")


def invitations(user):
    return user.representations.pending().select_related("enterprise__commune", "added_by")
