from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from raqmana.kernel.text import CheckedTextModel, TextKind

from .constants import LOCAL_LEVELS, CommuneKind, Level
from .scoping import ScopedQuerySet


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

    objects = ScopedQuerySet.as_manager()
    scope_territory_field = "pk"

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


class CivilStatusOffice(NamedInTwoScripts):
    """A civil status office (مكتب الحالة المدنية), attached to a commune or an arrondissement."""

    code = models.CharField(_("office code"), max_length=20, unique=True)
    territory = models.ForeignKey(
        Territory,
        verbose_name=_("commune or arrondissement"),
        on_delete=models.PROTECT,
        related_name="civil_status_offices",
        limit_choices_to={"level__in": LOCAL_LEVELS},
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("telephone"), max_length=20, blank=True)
    is_active = models.BooleanField(_("open"), default=True)

    objects = ScopedQuerySet.as_manager()
    scope_territory_field = "territory"
    scope_office_field = "pk"

    class Meta:
        verbose_name = _("civil status office")
        verbose_name_plural = _("civil status offices")
        ordering = ["code"]
