from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

# Django's forms leave out a label's colon after any character of this string, which they translate
# (django/forms/boundfield.py). Its Arabic translation here adds the Arabic question mark, which Django's own lacks:
# "لماذا تبحث؟" must not read "لماذا تبحث؟:".
gettext_noop(":?.!")
# Django 6.1's first choice of a select ("django.db.models.fields.BLANK_CHOICE_LABEL"), which Django's Arabic
# catalogue does not translate yet: kept here so that the project's catalogues carry it.
gettext_noop("- Select an option -")


class KernelConfig(AppConfig):
    name = "raqmana.kernel"
    verbose_name = _("Raqmana")

    def ready(self) -> None:
        from . import checks  # noqa: F401 (registers the system checks)
        from .database import lift_timeouts_for_migrations, restore_timeouts_after_migrations

        # Sent once per application with models (the kernel's are not in a models module): any sender will do.
        pre_migrate.connect(lift_timeouts_for_migrations, dispatch_uid="kernel.lift_timeouts")
        post_migrate.connect(restore_timeouts_after_migrations, dispatch_uid="kernel.restore_timeouts")
