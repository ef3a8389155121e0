from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


def reference_data_changed(sender, **kwargs):
    """A territory or a unit written one by one (the admin): what was cached of them is read no more. The import
    writes in bulk, which sends no signal, and says so itself (services.import_territories)."""
    from raqmana.kernel import reference_data

    reference_data.changed("territories")


class TerritoriesConfig(AppConfig):
    name = "raqmana.territories"
    verbose_name = _("Territories")

    def ready(self):
        from .models import AdministrativeUnit, CivilStatusOffice, Territory

        # A proxy's instances are sent with the proxy as sender: each model is connected.
        for model in (Territory, AdministrativeUnit, CivilStatusOffice):
            post_save.connect(
                reference_data_changed, sender=model, dispatch_uid=f"territories.changed.{model.__name__}"
            )
            post_delete.connect(
                reference_data_changed, sender=model, dispatch_uid=f"territories.deleted.{model.__name__}"
            )
