from django.contrib.auth.base_user import BaseUserManager


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email=None, password=None, *, phone=None, **fields):
        """A user whose email and phone are stored normalised (see User.clean) and checked unique."""
        user = self.model(email=email or None, phone=phone or None, **fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password, **fields):
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)

    def get_by_natural_key(self, username):
        """Email addresses compare without case: people type them as they like."""
        return self.get(email=(username or "").strip().lower())
