"""A person's preferences."""


def set_preferred_language(user, language):
    if user.is_authenticated and user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
