import re

import factory
from django.utils import timezone

from raqmana.accounts.models import User

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    """Users made the way the application makes them: identifiers normalised and checked (create_user), and proved
    by the code sent at sign-up (pass `email_verified_at=None` or `phone_verified_at=None` for an account that has
    not proved them, as those opened before codes were sent)."""

    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.ma")
    phone = None
    full_name = factory.Faker("name", locale="fr_FR")
    email_verified_at = factory.LazyAttribute(lambda user: timezone.now() if user.email else None)
    phone_verified_at = factory.LazyAttribute(lambda user: timezone.now() if user.phone else None)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return model_class.objects.create_user(kwargs.pop("email"), kwargs.pop("password", PASSWORD), **kwargs)


class RecordingSms:
    """An SMS provider for tests: keeps what it is asked to send in `sent`, as (phone, text)."""

    sent = []

    def send(self, phone, text, reference=None):
        self.sent.append((phone, text))
        return "recorded"


def code_sent_in(text):
    """The six-digit code a message carries."""
    return re.search(r"\b(\d{6})\b", text).group(1)
