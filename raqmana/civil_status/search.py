"""Searching the register by name in Arabic or Latin letters, with spelling variants, and by other facts.

Names are compared through their normalised keys (names.py), so most variants meet exactly; what remains
(a letter more or less, a vowel) is matched by trigram similarity: PostgreSQL's pg_trgm with GIN indexes, or
on SQLite a narrowed candidate list ranked with rapidfuzz.
"""

import re
from dataclasses import dataclass
from datetime import date

from django.contrib.postgres.search import TrigramWordSimilarity
from django.db import connection
from django.db.models import F, FloatField, Q, Value
from rapidfuzz import fuzz

from .idcs import is_valid_idcs
from .names import normalise_arabic, normalise_latin

ARABIC_LETTER = re.compile("[\u0621-\u064a]")
SIMILARITY_THRESHOLD = 0.5  # word similarity (0-1) under which a name is not shown
FALLBACK_CANDIDATES = 5000


@dataclass
class ActQuery:
    name: str = ""
    parent_name: str = ""
    birth_date: date | None = None
    birth_year: int | None = None
    birth_place_id: int | None = None
    number: int | None = None
    year: int | None = None
    idcs: str = ""
    kind: str = ""

    @classmethod
    def from_criteria(cls, criteria):
        """The query for criteria as a form or the API gives them: a commune of birth (a Territory) included,
        values left empty ignored, other keys (such as the reason) not criteria."""
        birth_place = criteria.get("birth_place")
        values = {field: criteria[field] for field in cls.__dataclass_fields__ if criteria.get(field)}
        return cls(**values, **({"birth_place_id": birth_place.pk} if birth_place else {}))

    def narrows_by_facts(self):
        """Whether facts other than the name leave only a few acts to compare names with."""
        return bool(self.birth_date or self.number or self.idcs or (self.birth_year and self.birth_place_id))

    def is_empty(self):
        return not any(
            [self.name.strip(), self.parent_name.strip(), self.birth_date, self.birth_year, self.number, self.idcs]
        )


def name_key(text):
    """The key column and the normalised query for a name typed in either script."""
    if ARABIC_LETTER.search(text):
        return "name_key_ar", normalise_arabic(text)
    return "name_key_latin", normalise_latin(text)


def search_acts(acts, query, limit=50):
    """Signed acts among `acts` (already scoped to the agent) that match `query`, best matches first.

    Each result carries `score` (1 for exact facts, the name similarity otherwise)."""
    acts = acts.signed()
    if query.kind:
        acts = acts.filter(kind=query.kind)
    if query.idcs:
        idcs = query.idcs.replace(" ", "")
        acts = acts.filter(idcs=idcs) if is_valid_idcs(idcs) else acts.none()
    if query.number:
        acts = acts.filter(number=query.number)
    if query.year:
        acts = acts.filter(year=query.year)
    if query.birth_date:
        acts = acts.filter(birth_date=query.birth_date)
    if query.birth_year:  # a range, not __year, so that the (place, date) index serves it
        acts = acts.filter(birth_date__gte=date(query.birth_year, 1, 1), birth_date__lte=date(query.birth_year, 12, 31))
    if query.birth_place_id:
        acts = acts.filter(birth_place_id=query.birth_place_id)
    if query.parent_name.strip():
        acts = acts.filter(_parent_condition(query.parent_name))
    if not query.name.strip():
        return list(acts.annotate(score=Value(1.0, output_field=FloatField())).order_by("-signed_at")[:limit])
    column, key = name_key(query.name)
    if not key:
        return []
    if connection.vendor == "postgresql":
        return _trigram_search(acts, column, key, limit, narrowed=query.narrows_by_facts())
    return _fallback_search(acts, column, key, limit)


def _parent_condition(text):
    """Every word of an Arabic parent name among the parents' names, or a Latin one in any of them."""
    if ARABIC_LETTER.search(text):
        return Q(*[Q(parents_key_ar__contains=word) for word in normalise_arabic(text).split()])
    condition = Q()
    for field in ("father_first_name_latin", "mother_first_name_latin", "mother_family_name_latin"):
        condition |= Q(**{f"{field}__icontains": text.strip()})
    return condition


def _trigram_search(acts, column, key, limit, narrowed):
    """With facts that leave few candidates (a date, or a year and a place), every candidate is ranked by name
    similarity, with a lower bar. Otherwise acts whose key is the query's come first through the btree index
    (a common name fills the page with them at once), then the GIN index's similarity operator finds the rest."""
    if narrowed:
        return _ranked(acts, column, key, limit, SIMILARITY_THRESHOLD - 0.2)
    exact = list(
        acts.filter(**{column: key})
        .annotate(score=Value(1.0, output_field=FloatField()))
        .order_by("-signed_at")[:limit]
    )
    if len(exact) == limit:
        return exact
    similar = acts.filter(**{f"{column}__trigram_word_similar": key}).exclude(**{column: key})
    return exact + _ranked(similar, column, key, limit - len(exact), SIMILARITY_THRESHOLD)


def _ranked(acts, column, key, limit, threshold):
    return list(
        acts.annotate(score=TrigramWordSimilarity(Value(key), F(column)))
        .filter(score__gte=threshold)
        .order_by("-score", "-signed_at")[:limit]
    )


def _fallback_search(acts, column, key, limit):
    """SQLite: keep rows sharing a word's first letters with the query, then rank them with rapidfuzz."""
    narrowing = Q()
    for word in key.split():
        narrowing |= Q(**{f"{column}__contains": word[:3]})
    ranked = []
    for act in acts.filter(narrowing)[:FALLBACK_CANDIDATES]:
        score = fuzz.token_set_ratio(key, getattr(act, column)) / 100
        if score >= SIMILARITY_THRESHOLD + 0.3:
            act.score = score
            ranked.append(act)
    ranked.sort(key=lambda act: (-act.score, -act.signed_at.timestamp()))
    return ranked[:limit]
