import factory

from raqmana.accounts.models import User

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    """Users made the way the application makes them: identifiers normalised and checked (create_user)."""

    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.ma")
    full_name = factory.Faker("name", locale="fr_FR")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return model_class.objects.create_user(kwargs.pop("email"), kwargs.pop("password", PASSWORD), **kwargs)
