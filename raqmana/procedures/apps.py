from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import gettext_lazy as _


def routing_changed(sender, **kwargs):
    """An override of a single window or an agent group written (the admin): where dossiers go is worked out again
    (routing.ROUTING)."""
    from raqmana.kernel import reference_data

    from .routing import ROUTING

    reference_data.changed(ROUTING)


def procedures_changed(sender, **kwargs):
    """A procedure written (the admin, a definition loaded): the cached procedures are read again."""
    from raqmana.kernel import reference_data

    from .models import PROCEDURES

    reference_data.changed(PROCEDURES)


class ProceduresConfig(AppConfig):
    """Online procedures and permits: the catalogue, forms without code, dossiers with receipts, commissions, legal
    delays and silence that approves."""

    name = "raqmana.procedures"
    verbose_name = _("Online procedures and permits")

    def ready(self):
        from raqmana.payments.callbacks import register

        from .models import AgentGroup, Procedure, WindowOverride
        from .services.review import tax_paid

        register("procedures.dossier", on_paid=tax_paid)
        for model in (WindowOverride, AgentGroup):
            post_save.connect(routing_changed, sender=model, dispatch_uid=f"procedures.routing.{model.__name__}")
            post_delete.connect(routing_changed, sender=model, dispatch_uid=f"procedures.routing.del.{model.__name__}")
        m2m_changed.connect(
            routing_changed, sender=AgentGroup.communes.through, dispatch_uid="procedures.routing.communes"
        )
        post_save.connect(procedures_changed, sender=Procedure, dispatch_uid="procedures.procedures.saved")
        post_delete.connect(procedures_changed, sender=Procedure, dispatch_uid="procedures.procedures.deleted")
