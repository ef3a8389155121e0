"""Public figures of the procedures, per office, commune, province or region and per quarter: what was filed and
decided, how long decisions took against the legal delay, the members' late opinions, the share decided by silence
and the share filed online; and the quarterly index ranking the communes (the public "index" model). Aggregates
only, never a dossier nor a person: open data (DOMAIN.md). Percentiles are computed here rather than in SQL, so that
SQLite and PostgreSQL give the same figures; one quarter of the whole country is a few hundred thousand rows of four
numbers, read once."""

import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from raqmana.payments.models import Fee
from raqmana.territories.constants import LOCAL_LEVELS, PROVINCIAL_LEVELS, Level
from raqmana.territories.models import AdministrativeUnit, Territory, TerritoryLink

from .constants import CONSTRUCTION_TAX_FEES, DECIDED_STATES, DossierState, OpinionState, TaxedUse
from .models import Dossier, Opinion, OpinionTransition

# "office": each single window (the unit a dossier was filed with); the others, by where the project is.
LEVELS = {
    "office": (),
    "region": (Level.REGION,),
    "province": PROVINCIAL_LEVELS,
    "commune": (Level.COMMUNE,),
}
DECIDED = (*DECIDED_STATES, DossierState.AWAITING_PAYMENT)
# A place with fewer decisions than this in a quarter shows no delay percentile: two decisions make no 90th.
MIN_FOR_PERCENTILE = 5


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int  # 1 to 4

    @classmethod
    def of(cls, day: date) -> "Quarter":
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def start(self) -> datetime:
        return timezone.make_aware(datetime.combine(date(self.year, 3 * self.number - 2, 1), time.min))

    @property
    def end(self) -> datetime:
        following = Quarter(self.year + self.number // 4, self.number % 4 + 1)
        return following.start

    def __str__(self) -> str:
        return f"{self.year}-T{self.number}"


@dataclass
class PlaceFigures:
    """One place's figures for a quarter."""

    code: str
    name_ar: str
    name_fr: str
    filed: int = 0
    filed_online: int = 0
    decided: int = 0
    by_silence: int = 0
    within_delay: int = 0
    delays: list[float] = field(default_factory=list)
    legal_delays: list[int] = field(default_factory=list)
    opinions: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    opinions_late: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    tax_per_m2: Decimal | None = None

    @property
    def online_share(self) -> float | None:
        return _share(self.filed_online, self.filed)

    @property
    def silence_share(self) -> float | None:
        return _share(self.by_silence, self.decided)

    @property
    def within_delay_share(self) -> float | None:
        return _share(self.within_delay, self.decided)

    @property
    def average_delay(self) -> float | None:
        return round(sum(self.delays) / len(self.delays), 1) if self.delays else None

    @property
    def p90_delay(self) -> float | None:
        return percentile(self.delays, 90) if len(self.delays) >= MIN_FOR_PERCENTILE else None

    @property
    def average_legal_delay(self) -> float | None:
        return round(sum(self.legal_delays) / len(self.legal_delays), 1) if self.legal_delays else None

    @property
    def partners_on_time(self) -> float | None:
        """The share of the commission members' opinions given within their delay."""
        total = sum(self.opinions.values())
        return _share(total - sum(self.opinions_late.values()), total)

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "name_ar": self.name_ar,
            "name_fr": self.name_fr,
            "filed": self.filed,
            "decided": self.decided,
            "average_delay_days": self.average_delay,
            "p90_delay_days": self.p90_delay,
            "average_legal_delay_days": self.average_legal_delay,
            "decided_within_legal_delay": self.within_delay_share,
            "decided_by_silence": self.silence_share,
            "filed_online": self.online_share,
            "opinions": dict(self.opinions),
            "opinions_late": dict(self.opinions_late),
            "partners_on_time": self.partners_on_time,
            "tax_per_m2": str(self.tax_per_m2) if self.tax_per_m2 is not None else None,
        }


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def percentile(values: list[float], rank: int) -> float:
    """The `rank`th percentile, by the nearest rank (the value below which `rank` % of them fall)."""
    ordered = sorted(values)
    return round(ordered[max(0, math.ceil(rank / 100 * len(ordered)) - 1)], 1)


def _places(level: str, within: Territory | None) -> dict[int, Territory | AdministrativeUnit]:
    if level == "office":
        units = AdministrativeUnit.objects.filter(pk__in=Dossier.objects.values("unit_id"))
        if within is not None:
            units = units.filter(territory__ancestor_links__ancestor=within)
        return {unit.pk: unit for unit in units}
    places = Territory.objects.filter(level__in=LEVELS[level])
    if within is not None:
        places = places.filter(ancestor_links__ancestor=within)
    return {place.pk: place for place in places}


def _place_of(level: str) -> dict[int, int]:
    """Each commune and arrondissement's place at `level` (itself for a commune)."""
    links = TerritoryLink.objects.filter(
        ancestor__level__in=LEVELS[level], descendant__level__in=LOCAL_LEVELS
    ).values_list("descendant_id", "ancestor_id")
    return dict(links)


def quarter_figures(level: str, quarter: Quarter, within: Territory | None = None) -> list[PlaceFigures]:
    """The figures of each place at `level` (office, region, province, commune) under `within` for the quarter, the
    places with no dossier included (a place where nothing was filed says so)."""
    places = _places(level, within)
    by_office = level == "office"
    place_of = {} if by_office else _place_of(level)
    key = "unit_id" if by_office else "commune_id"
    figures = {pk: PlaceFigures(place.code, place.name_ar, place.name_fr) for pk, place in places.items()}

    def figures_of(place_id: int) -> PlaceFigures | None:
        return figures.get(place_id if by_office else place_of.get(place_id, -1))

    in_quarter = Q(filed_at__gte=quarter.start, filed_at__lt=quarter.end)
    for place_id, online in (
        Dossier.objects.filter(in_quarter).values_list(key, "filed_online").iterator(chunk_size=5000)
    ):
        place = figures_of(place_id)
        if place is not None:
            place.filed += 1
            place.filed_online += online
    decided = Dossier.objects.filter(state__in=DECIDED, decided_at__gte=quarter.start, decided_at__lt=quarter.end)
    for place_id, state, filed_at, decided_at, legal in decided.values_list(
        key, "state", "filed_at", "decided_at", "delay_days"
    ).iterator(chunk_size=5000):
        place = figures_of(place_id)
        if place is None:
            continue
        days = (decided_at - filed_at).total_seconds() / 86400
        place.decided += 1
        place.by_silence += state == DossierState.APPROVED_BY_SILENCE
        place.delays.append(days)
        place.legal_delays.append(legal or 0)
        # Silence decides at the delay's end: within it. The others, by the calendar days of the delay (a delay in
        # working days is longer in calendar days: this counts the late ones, if anything, too few).
        place.within_delay += state == DossierState.APPROVED_BY_SILENCE or days <= (legal or 0)
    _add_opinions(figures_of, "dossier__" + key, quarter)
    if level == "commune":
        _add_tax_rates(figures, places)
    return sorted(figures.values(), key=lambda place: place.code)


def _add_opinions(figures_of: Callable[[int], PlaceFigures | None], key: str, quarter: Quarter) -> None:
    """The opinions asked in the quarter, and those not given within their member's delay (their clock ran out)."""
    asked = Opinion.objects.filter(requested_at__gte=quarter.start, requested_at__lt=quarter.end)
    late = set(
        OpinionTransition.objects.filter(opinion__in=asked, to_state=OpinionState.LAPSED).values_list(
            "opinion_id", flat=True
        )
    )
    for pk, place_id, member in asked.values_list("pk", key, "member").iterator(chunk_size=5000):
        place = figures_of(place_id)
        if place is not None:
            place.opinions[member] += 1
            place.opinions_late[member] += pk in late


def _add_tax_rates(figures: dict[int, PlaceFigures], places: dict[int, Territory | AdministrativeUnit]) -> None:
    """Each commune's rate of the construction tax for individual housing in force today, per m²."""
    code = CONSTRUCTION_TAX_FEES[TaxedUse.INDIVIDUAL_HOUSING]
    today = timezone.localdate()
    in_force = Fee.objects.filter(code=code, valid_from__lte=today).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=today)
    )
    national = in_force.filter(collectivity__isnull=True).order_by("-valid_from").values_list("amount", flat=True)
    default = national.first()
    own = dict(
        in_force.filter(collectivity_id__in=places).order_by("valid_from").values_list("collectivity_id", "amount")
    )
    for pk, place in figures.items():
        place.tax_per_m2 = own.get(pk, default)


@dataclass(frozen=True)
class IndexRow:
    rank: int
    place: PlaceFigures
    score: float


def commune_index(quarter: Quarter, within: Territory | None = None) -> list[IndexRow]:
    """The quarterly index of the communes that decided at least one dossier: ranked on three measures, each
    commune's ranks averaged: the share decided within the legal delay, the share filed online, and the share of
    the commission members' opinions given on time (a commune with no commission that quarter is ranked on the
    other two). Volume and the tax per m² are shown beside, not ranked: a commune is not better for building more."""
    places = [place for place in quarter_figures("commune", quarter, within) if place.decided]
    measures = ("within_delay_share", "online_share", "partners_on_time")
    ranks: dict[str, list[int]] = defaultdict(list)
    for measure in measures:
        scored = sorted(
            (place for place in places if getattr(place, measure) is not None),
            key=lambda place: -getattr(place, measure),
        )
        for position, place in enumerate(scored, start=1):
            ranks[place.code].append(position)
    scores = {place.code: sum(ranks[place.code]) / len(ranks[place.code]) for place in places if ranks[place.code]}
    ordered = sorted(places, key=lambda place: (scores.get(place.code, math.inf), -place.decided, place.code))
    return [IndexRow(rank, place, round(scores.get(place.code, 0), 2)) for rank, place in enumerate(ordered, start=1)]


def quarters_with_dossiers() -> list[Quarter]:
    """The quarters in which dossiers were filed, the latest first (the pages offer them)."""
    first = Dossier.objects.filter(filed_at__isnull=False).order_by("filed_at").values_list("filed_at", flat=True)
    start = first.first()
    if start is None:
        return [Quarter.of(timezone.localdate())]
    quarter, last, found = Quarter.of(timezone.localdate(start)), Quarter.of(timezone.localdate()), []
    while (quarter.year, quarter.number) <= (last.year, last.number):
        found.append(quarter)
        quarter = Quarter(quarter.year + quarter.number // 4, quarter.number % 4 + 1)
    return list(reversed(found))
