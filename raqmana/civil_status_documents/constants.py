from django.db import models
from django.utils.translation import gettext_lazy as _

from raqmana.civil_status.constants import ActKind


# The documents drawn from the register (their kinds in the documents engine: document_kinds.py).
class CivilStatusDocument(models.TextChoices):
    BIRTH_EXTRACT = "birth_extract", _("Extract of a birth act")
    BIRTH_FULL_COPY = "birth_full_copy", _("Full copy of a birth act")
    DEATH_FULL_COPY = "death_full_copy", _("Full copy of a death act")
    FAMILY_RECORD = "family_record", _("Family booklet record")


# The kind of act each document is drawn from.
ACT_KIND_OF = {
    CivilStatusDocument.BIRTH_EXTRACT: ActKind.BIRTH,
    CivilStatusDocument.BIRTH_FULL_COPY: ActKind.BIRTH,
    CivilStatusDocument.DEATH_FULL_COPY: ActKind.DEATH,
    CivilStatusDocument.FAMILY_RECORD: ActKind.BIRTH,  # drawn from the holder's birth act and the acts linked to it
}
FULL_COPIES = {CivilStatusDocument.BIRTH_FULL_COPY, CivilStatusDocument.DEATH_FULL_COPY}
# Documents that show more than an extract does, and go only to the holder's circle.
RESTRICTED_KINDS = FULL_COPIES | {CivilStatusDocument.FAMILY_RECORD}

# Titles printed on the documents, in Arabic and French whatever the language of the screen.
TITLES = {
    CivilStatusDocument.BIRTH_EXTRACT: ("نسخة موجزة من رسم الولادة", "Extrait d'acte de naissance"),
    CivilStatusDocument.BIRTH_FULL_COPY: ("نسخة كاملة من رسم الولادة", "Copie intégrale d'acte de naissance"),
    CivilStatusDocument.DEATH_FULL_COPY: ("نسخة كاملة من رسم الوفاة", "Copie intégrale d'acte de décès"),
    CivilStatusDocument.FAMILY_RECORD: (
        "الدفتر العائلي: بيان مستخرج من رسوم الحالة المدنية",
        "Livret de famille : relevé tiré des actes de l'état civil",
    ),
}


class RequesterRelation(models.TextChoices):
    HOLDER = "holder", _("The holder of the act")
    ASCENDANT = "ascendant", _("An ascendant (parent, grandparent)")
    DESCENDANT = "descendant", _("A descendant (child, grandchild)")
    SPOUSE = "spouse", _("The spouse")
    GUARDIAN = "guardian", _("The legal guardian")
    MANDATARY = "mandatary", _("A person authorised by one of them")
    OTHER = "other", _("Another person")


class OrderState(models.TextChoices):
    AWAITING_PAYMENT = "awaiting_payment", _("Awaiting payment")
    AWAITING_CHECK = "awaiting_check", _("Awaiting the office's check")
    ISSUED = "issued", _("Issued")
    REFUSED = "refused", _("Refused")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired: not paid in time")
