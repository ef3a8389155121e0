"""Searching the register by name in Arabic or Latin letters, with spelling variants, and by other facts.

A typed name is turned into the sound keys it may have (names.query_sound_keys: one consonant skeleton for both
scripts), which meet each act's `name_sound` through a btree index: "Youcef Drissi" finds an act written only
"يوسف الإدريسي". Matches are ranked by closeness of spelling (rapidfuzz on the normalised names), then the most
recent first. When no sound key meets and the facts leave few acts (a date, a year and a commune...), every one
of them is compared by spelling, which finds what the sound keys miss (a letter typed wrong): this fuzzy fallback
stays bounded by those facts. The same code serves SQLite and PostgreSQL; only listing a large match's spellings
takes a PostgreSQL-specific path (a skip scan of the index).
"""

from dataclasses import dataclass, field
from datetime import date

from django.db import connection
from django.db.models import Q
from rapidfuzz import fuzz, process

from raqmana.kernel.text import ARABIC_LETTER

from .idcs import is_valid_idcs
from .models import Act
from .names import normalise_arabic, normalise_latin, query_sound_keys
from .paper_numbers import written

# Up to this many matches are all read and ranked by spelling; beyond it, ranking goes by distinct spelling and
# the count stops there ("more than 1,000").
RANKED_MATCHES = 1000
MAX_PAGE = 1000  # the last page a search serves, on the screen and in the API
MANY_MATCHES = 50  # a name alone matching more than this: suggest a year, a place or a parent's name
# With facts leaving few acts, names this close (0-1) are shown even when their sound keys differ.
FUZZY_THRESHOLD = 0.6
# A match by sound alone (another script, or another spelling) ranks after the same spelling.
SOUND_MATCH_WEIGHT = 0.9
SPELLING_FIELDS = ("name_key_ar", "name_key_latin", "name_sound")


@dataclass
class ActQuery:
    name: str = ""
    parent_name: str = ""
    birth_date: date | None = None
    birth_year: int | None = None
    birth_place_id: int | None = None
    number: int | None = None
    paper_number: str = ""  # a digitised act's number as written on paper, when not a plain number ("123 مكرر")
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
        return bool(
            self.birth_date
            or self.number
            or self.paper_number
            or self.idcs
            or (self.birth_year and self.birth_place_id)
        )

    def has_criteria_beside_parents(self):
        """A parent's name only narrows: it comes with a name or a fact."""
        return bool(
            self.name.strip()
            or self.birth_date
            or self.birth_year
            or self.number
            or self.paper_number
            or self.idcs
            or self.year
        )

    def is_empty(self):
        return not any(
            [
                self.name.strip(),
                self.parent_name.strip(),
                self.birth_date,
                self.birth_year,
                self.number,
                self.paper_number,
                self.idcs,
            ]
        )


@dataclass
class SearchPage:
    """One page of a search's results, best first, and what the whole search found."""

    acts: list = field(default_factory=list)  # each with .score: closeness of spelling 0-1, 1 for exact facts
    total: int = 0  # how many acts matched, at most RANKED_MATCHES
    total_is_capped: bool = False  # more than `total` matched
    page: int = 1
    per_page: int = 20
    needs_more_facts: bool = False  # a name with no narrowing fact matched many acts
    single_name: bool = False  # one name typed with no narrowing fact: only acts whose whole name it is matched

    @property
    def page_count(self):
        return -(-self.total // self.per_page)


class TypedName:
    """A name as typed, with what it is compared by: its normalised spelling and its sound keys."""

    def __init__(self, text):
        self.is_arabic = bool(ARABIC_LETTER.search(text))
        # One name alone (a family name, say) is looked for among an act's names, not as its whole name.
        self.single_word = len(text.split()) == 1
        self.spelling = normalise_arabic(text) if self.is_arabic else normalise_latin(text)
        self.keys = query_sound_keys(text)
        self._scores = {}

    def score(self, name_key_ar, name_key_latin, name_sound):
        """Closeness (0-1) of an act's names to this one: the same script's spelling compared letter by letter,
        or, a little lower, the sound keys (the only way to compare across scripts)."""
        spelling = (name_key_ar, name_key_latin, name_sound)
        if spelling not in self._scores:
            own = name_key_ar if self.is_arabic else name_key_latin
            same_script = fuzz.WRatio(self.spelling, own) / 100 if own else 0.0
            if name_sound in self.keys:
                by_sound = 1.0
            elif self.single_word and name_sound:
                by_sound = max(fuzz.partial_ratio(key, name_sound) for key in self.keys) / 100 if self.keys else 0.0
            else:
                best = process.extractOne(name_sound, self.keys, scorer=fuzz.ratio) if name_sound else None
                by_sound = best[1] / 100 if best else 0.0
            self._scores[spelling] = round(max(same_script, SOUND_MATCH_WEIGHT * by_sound), 3)
        return self._scores[spelling]


def search_acts(acts, query, *, page=1, per_page=20):
    """Signed acts among `acts` (already scoped to the agent) that match `query`: a page of them, closest
    spelling first and then the most recent, with how many matched."""
    page, per_page = max(1, int(page)), max(1, int(per_page))
    acts = _by_facts(acts.signed(), query)
    if not query.name.strip():
        return _newest_first(acts, page, per_page)
    name = TypedName(query.name)
    found = _found_by_name(acts, query, name, page, per_page)
    found.needs_more_facts = found.total > MANY_MATCHES and not query.narrows_by_facts()
    found.single_name = name.single_word and not query.narrows_by_facts()
    return found


def _found_by_name(acts, query, name, page, per_page):
    if name.single_word and query.narrows_by_facts() and name.spelling:
        # One name (a family name, say) among each act's names: the acts the facts leave whose sound or spelling
        # holds it, compared one by one.
        holding = Q(**{f"{'name_key_ar' if name.is_arabic else 'name_key_latin'}__contains": name.spelling})
        for key in name.keys:
            holding |= Q(name_sound__contains=key)
        candidates = acts.filter(holding)
        rows = _spelling_rows(candidates)
        found = _ranked(candidates, rows[:RANKED_MATCHES], name, page, per_page, threshold=FUZZY_THRESHOLD)
        found.total_is_capped = len(rows) > RANKED_MATCHES
        return found
    matching = acts.filter(name_sound__in=name.keys)
    rows = _spelling_rows(matching) if name.keys else []
    if not rows:
        if query.narrows_by_facts() and name.spelling:
            # No sound key met (a letter typed wrong): the few acts the facts leave are compared letter by letter.
            rows = _spelling_rows(acts)
            if len(rows) <= RANKED_MATCHES:
                return _ranked(acts, rows, name, page, per_page, threshold=FUZZY_THRESHOLD)
        return SearchPage(page=page, per_page=per_page)
    if len(rows) <= RANKED_MATCHES:
        return _ranked(matching, rows, name, page, per_page, threshold=0)
    return _ranked_by_spelling(matching, name, page, per_page)


def _by_facts(acts, query):
    if query.kind:
        acts = acts.filter(kind=query.kind)
    if query.idcs:
        idcs = query.idcs.replace(" ", "")
        acts = acts.filter(idcs=idcs) if is_valid_idcs(idcs) else acts.none()
    if query.number:
        acts = acts.filter(number=query.number)
    if query.paper_number:
        acts = acts.filter(paper_number=written(query.paper_number)).exclude(paper_number="")
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
    return acts


def _parent_condition(text):
    """Every word of an Arabic parent name among the parents' names, or a Latin one in any of them."""
    if ARABIC_LETTER.search(text):
        return Q(*[Q(parents_key_ar__contains=word) for word in normalise_arabic(text).split()])
    condition = Q()
    for name_field in ("father_first_name_latin", "mother_first_name_latin", "mother_family_name_latin"):
        condition |= Q(**{f"{name_field}__icontains": text.strip()})
    return condition


def _newest_first(acts, page, per_page):
    """Acts found by facts alone: all exact, newest first."""
    matched = acts.order_by()[: RANKED_MATCHES + 1].count()
    offset = (page - 1) * per_page
    found = list(acts.order_by("-signed_at", "-pk")[offset : offset + per_page])
    for act in found:
        act.score = 1.0
    return SearchPage(found, min(matched, RANKED_MATCHES), matched > RANKED_MATCHES, page, per_page)


def _spelling_rows(acts):
    """Up to RANKED_MATCHES + 1 matches as (pk, signed_at, spelling), unordered: one more tells there are more."""
    return list(acts.order_by().values_list("pk", "signed_at", *SPELLING_FIELDS)[: RANKED_MATCHES + 1])


def _ranked(acts, rows, name, page, per_page, threshold):
    """Few enough matches to rank them all: by closeness, then the most recent; the page's acts read by pk."""
    scored = [(name.score(*spelling), signed_at, pk) for pk, signed_at, *spelling in rows]
    scored = sorted((entry for entry in scored if entry[0] >= threshold), reverse=True)
    offset = (page - 1) * per_page
    shown = scored[offset : offset + per_page]
    by_pk = acts.order_by().in_bulk([pk for _, _, pk in shown])
    found = []
    for score, _, pk in shown:
        by_pk[pk].score = score
        found.append(by_pk[pk])
    return SearchPage(found, len(scored), False, page, per_page)


def _ranked_by_spelling(matching, name, page, per_page):
    """Too many matches to read: their distinct spellings are few, so those are ranked, and each spelling's acts
    are read newest first from the index (name_sound, name_key_ar, name_key_latin, signed_at, id), one page only."""
    tiers = {}
    for spelling in _distinct_spellings(matching, name.keys):
        tiers.setdefault(name.score(*spelling), []).append(spelling)
    skip, found = (page - 1) * per_page, []
    for score in sorted(tiers, reverse=True):
        condition = Q()
        for name_key_ar, name_key_latin, name_sound in tiers[score]:
            condition |= Q(name_sound=name_sound, name_key_ar=name_key_ar, name_key_latin=name_key_latin)
        # Newest first straight from the index, whose last column (the id) orders acts signed at the same moment
        # (a bulk load signs thousands at once): pages neither repeat nor skip an act.
        tier = matching.filter(condition).order_by("-signed_at", "-pk")
        if skip:
            in_tier = tier.order_by()[: skip + per_page].count()
            if in_tier <= skip:
                skip -= in_tier
                continue
        for act in tier[skip : skip + per_page - len(found)]:
            act.score = score
            found.append(act)
        skip = 0
        if len(found) == per_page:
            break
    return SearchPage(found, RANKED_MATCHES, True, page, per_page)


def _distinct_spellings(matching, keys):
    """The (name_key_ar, name_key_latin, name_sound) spellings among the matches. On PostgreSQL, a skip scan of
    the whole table's index, one probe per spelling, instead of reading thousands of rows to find a few values;
    it may list a spelling only acts out of the agent's scope have, which then ranks no act."""
    if connection.vendor != "postgresql":
        return list(matching.order_by().values_list(*SPELLING_FIELDS).distinct())
    spellings = []
    with connection.cursor() as cursor:
        for key in keys:
            cursor.execute(SKIP_SCAN, [key, key])
            spellings += [(name_key_ar, name_key_latin, key) for name_key_ar, name_key_latin in cursor.fetchall()]
    return spellings


# PostgreSQL has no skip scan of its own (before 18): a recursive query jumps from one spelling to the next.
SKIP_SCAN = f"""
WITH RECURSIVE spelling AS (
    (SELECT name_key_ar, name_key_latin FROM {Act._meta.db_table} WHERE name_sound = %s
     ORDER BY name_key_ar, name_key_latin LIMIT 1)
    UNION ALL
    SELECT following.name_key_ar, following.name_key_latin FROM spelling, LATERAL (
        SELECT name_key_ar, name_key_latin FROM {Act._meta.db_table}
        WHERE name_sound = %s AND (name_key_ar, name_key_latin) > (spelling.name_key_ar, spelling.name_key_latin)
        ORDER BY name_key_ar, name_key_latin LIMIT 1
    ) AS following
)
SELECT name_key_ar, name_key_latin FROM spelling LIMIT 200
"""
