from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProposalsConfig(AppConfig):
    """The proposals channel: officials of any collectivity propose what would ease the dematerialisation of a
    procedure, others comment and support, the DGCT studies, adopts or rejects with reasons and follows the
    implementation; adopted proposals are shown to every collectivity as good practice."""

    name = "raqmana.proposals"
    verbose_name = _("Proposals")
