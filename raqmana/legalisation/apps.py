from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LegalisationConfig(AppConfig):
    """Signature legalisation (decree 2-22-047) and certified copies (decree 2-17-410) at the legalisation offices
    of communes and arrondissements: signers enrolled once in person, requests prepared online, completed by the
    officer into the office's yearly register, the document stamped with its number and a QR code, and sealed."""

    name = "raqmana.legalisation"
    verbose_name = _("Legalisation and certified copies")
