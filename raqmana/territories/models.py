from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from raqmana.kernel.text import CheckedTextModel, TextKind

from .constants import UNIT_LEVELS, CommuneKind, Level, UnitKind


class NamedInTwoScripts(CheckedTextModel):
    """Official names are kept in Arabic and French; English pages use the French one, as the HCP does."""

    text_kinds = {"name_ar": TextKind.ARABIC_TEXT, "name_fr": TextKind.LATIN_TEXT}

    name_ar = models.CharField(_("Arabic name"), max_length=200)
    name_fr = models.CharField(_("French name"), max_length=200)

    class Meta:
        abstract = True

    def __str__(self):
        return self.name

    @property
    def name(self):
        return self.name_ar if (get_language() or "ar").startswith("ar") else self.name_fr


class Territory(NamedInTwoScripts):
    """A region, province or prefecture, commune or arrondissement, keyed by its HCP code."""

    code = models.CharField(_("HCP code"), max_length=16, unique=True)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices, db_index=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    commune_kind = models.CharField(_("commune kind"), max_length=8, choices=CommuneKind.choices, blank=True)
    population_2024 = models.PositiveIntegerField(_("population (2024 census)"), null=True, blank=True)
    households_2024 = models.PositiveIntegerField(_("households (2024 census)"), null=True, blank=True)

    # Where a row stands, for reads scoped to a person (access.scoping): pairs of lookups (territory, unit).
    scope_places = (("pk", None),)

    class Meta:
        verbose_name = _("territory")
        verbose_name_plural = _("territories")
        ordering = ["code"]


class TerritoryLink(models.Model):
    """Closure of the hierarchy: one row per (ancestor, descendant) pair, a territory with itself included.

    A closure table rather than a path because Casablanca's arrondissements answer to two chains, their
    commune and their prefecture of arrondissements. Scoping reads it in one subquery.
    """

    ancestor = models.ForeignKey(Territory, on_delete=models.CASCADE, related_name="descendant_links")
    descendant = models.ForeignKey(Territory, on_delete=models.CASCADE, related_name="ancestor_links")
    depth = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ancestor", "descendant"], name="unique_territory_link")]

    def __str__(self):
        return f"{self.ancestor_id} → {self.descendant_id} ({self.depth})"


class AdministrativeUnit(NamedInTwoScripts):
    """A service of a collectivity or of the State that acts at a counter: a civil status office, a mail registry
    office, an urbanism service, a revenue office, or the collectivity itself, attached to a territory.

    Signers, numbering, queues and places of roles belong to a unit; each service works with the units of its kind
    (the civil status register with `CivilStatusOffice`, the proxy below).
    """

    kind = models.CharField(_("kind"), max_length=24, choices=UnitKind.choices, db_index=True)
    code = models.CharField(_("unit code"), max_length=24, unique=True)
    territory = models.ForeignKey(
        Territory,
        verbose_name=_("territory"),
        on_delete=models.PROTECT,
        related_name="units",
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("telephone"), max_length=20, blank=True)
    is_active = models.BooleanField(_("open"), default=True)
    # What the public office finder searches (selectors.find_offices): the unit's and its territory's names, case
    # folded, in one column a trigram index serves on PostgreSQL (migration 0003). Kept by save() and the import.
    search_key = models.TextField(editable=False, blank=True, default="")

    scope_places = (("territory", "pk"),)

    class Meta:
        verbose_name = _("administrative unit")
        verbose_name_plural = _("administrative units")
        ordering = ["code"]

    def save(self, *args, **kwargs):
        self.search_key = search_key_of(self)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_key"}
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        levels = UNIT_LEVELS.get(self.kind)
        if levels and self.territory_id and self.territory.level not in levels:
            raise ValidationError(
                {"territory": _("A unit of this kind cannot be attached to a territory of this level.")},
                code="unit_level",
            )


def search_key_of(unit: AdministrativeUnit) -> str:
    """The names a unit is found by, lines apart so that no query matches across two of them."""
    territory = unit.territory
    names = [unit.name_ar, unit.name_fr, territory.name_ar, territory.name_fr]
    if territory.parent_id:
        names.append(territory.parent.name_fr)
    return "\n".join(names).casefold()


class UnitsOfKind(models.Manager):
    """The units of one kind, for a proxy model that stands for that kind."""

    def __init__(self, kind):
        super().__init__()
        self.kind = kind

    def deconstruct(self):
        return False, f"{__name__}.{type(self).__name__}", None, (self.kind,), {}

    def get_queryset(self):
        return super().get_queryset().filter(kind=self.kind)


class CivilStatusOffice(AdministrativeUnit):
    """A civil status office (مكتب الحالة المدنية), attached to a commune or an arrondissement: the unit that keeps
    the register, numbers its acts and issues documents from them."""

    objects = UnitsOfKind(UnitKind.CIVIL_STATUS_OFFICE)

    class Meta:
        proxy = True
        verbose_name = _("civil status office")
        verbose_name_plural = _("civil status offices")

    def save(self, *args, **kwargs):
        self.kind = UnitKind.CIVIL_STATUS_OFFICE
        super().save(*args, **kwargs)


class LegalisationOffice(AdministrativeUnit):
    """A legalisation office (مكتب تصحيح الإمضاءات), attached to a commune or an arrondissement: it legalises
    signatures and certifies copies (decrees 2-22-047 and 2-17-410) and keeps their register."""

    objects = UnitsOfKind(UnitKind.LEGALISATION_OFFICE)

    class Meta:
        proxy = True
        verbose_name = _("legalisation office")
        verbose_name_plural = _("legalisation offices")

    def save(self, *args, **kwargs):
        self.kind = UnitKind.LEGALISATION_OFFICE
        super().save(*args, **kwargs)
