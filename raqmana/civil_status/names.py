"""Names in three scripts: normalising Arabic and Latin spellings for search, suggesting Latin and Tifinagh.

The Arabic normaliser is written here because the rules are Morocco's civil-status ones (which spellings
count as the same name), not a general text library's. Latin suggestions: a curated table of the usual
civil-status (French-style) spellings of common Moroccan names (data/usual_spellings.tsv) is used first, and
arabic-name-romanizer (its dictionary and model, Moroccan spellings) for the rest: the library alone proposed
the usual spelling first for 148 of the table's 200 names (Lahoucine for الحسين, but Mariam, Wafaa, El Mansouri),
and its model may add a candidate that is no reading of the name at all (Chaouki for خديجة), so every candidate
must share the name's sound key. Tifinagh from the table below, writing the article ال exactly when the Latin
does. Both are suggestions: the agent confirms the spelling, and the confirmed one is legal data.
"""

import itertools
import re
import unicodedata
from collections.abc import Mapping
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

ARABIC_DIACRITICS = re.compile("[\u064b-\u065f\u0670\u06d6-\u06ed]")
TATWEEL = "\u0640"
ARABIC_FOLDS = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ؤ": "و",
        "ئ": "ي",
        "ى": "ي",
        "ة": "ه",
        "ء": None,
        "ڭ": "ك",
        "گ": "ك",
        "ڤ": "ف",
        # Persian and Urdu forms that keyboards put in Arabic names: یوسف is يوسف.
        "ی": "ي",
        "ک": "ك",
        "ھ": "ه",
    }
)
# Particles written apart or joined to the next word: عبد الرحمن = عبدالرحمن, بن علي = بنعلي.
JOINING_PARTICLES = {"عبد", "ابو", "بو", "بن", "ابن", "بنت", "ام"}
ARTICLE = "ال"


@lru_cache(maxsize=200_000)  # names repeat: a register holds a few thousand distinct ones
def normalise_arabic(name):
    """One spelling per Arabic name: no diacritics or tatweel; hamza forms, ة/ه and ى/ي folded; articles and
    the spaces after particles removed. "الإدريسي" and "ادريسى" give the same key."""
    text = ARABIC_DIACRITICS.sub("", unicodedata.normalize("NFKC", name or "")).replace(TATWEEL, "")
    text = text.translate(ARABIC_FOLDS)
    words, joined = re.sub(r"[^\u0621-\u064a\s]", " ", text).split(), []
    for word in words:
        if joined and joined[-1] in JOINING_PARTICLES:
            joined[-1] += word
        else:
            joined.append(word)
    return " ".join(_without_article(word) for word in joined)


def compact_arabic(name):
    """The normalised Arabic name without its spaces, and with the article of a joined compound removed, so that
    a compound name is one whether written joined or apart: نور الدين = نورالدين, فتح الله = فتحالله, آيت علي =
    أيتعلي. For comparing one name field of two acts of the same person."""
    return "".join(_unjoined(word) for word in normalise_arabic(name).split())


# First parts of compound names whose second part takes the article: نورالدين, سيفالدين, عزالدين...
COMPOUND_PREFIXES = ("نور", "سيف", "صلاح", "جمال", "بدر", "شمس", "عز", "علاء", "تاج", "زين", "فخر", "محي",
                     "نصر", "خير", "سعد", "شرف", "كمال", "نجم", "بهاء", "عماد", "حسام", "ضياء", "حسب", "جار",
                     "ضيف", "فتح")  # fmt: skip


def _unjoined(word):
    """نورالدين as نور الدين is normalised (نور دين): the article after a compound's first part removed."""
    for prefix in COMPOUND_PREFIXES:
        rest = word[len(prefix) + len(ARTICLE) :]
        if word.startswith(prefix + ARTICLE) and len(rest) >= 3:
            return prefix + rest
    return word


def _without_article(word):
    for particle in sorted(JOINING_PARTICLES, key=len, reverse=True):
        if word.startswith(particle + ARTICLE) and len(word) > len(particle) + 3:
            return particle + word[len(particle) + 2 :]
    return word[2:] if word.startswith(ARTICLE) and len(word) > 4 else word


LATIN_ARTICLES = {"el", "al", "ad", "ed", "es", "et", "ez", "er", "ech", "en"}  # "El Alaoui" = "Alaoui"
LATIN_PARTICLES = {"ben", "bin", "ait", "ou", "abd", "abou", "bou", "oulad", "ould"}  # "Ben Ali" = "Benali"
LATIN_FOLDS = [
    (r"([a-z])\1+", r"\1"),  # doubled letters: Mohammed = Mohamed, Youssef = Yousef
    (r"(?<=[^aeiou])e$", ""),  # French mute final e: Abderrahmane = Abderrahman, Imane = Iman
    (r"kh", "x"),  # خ
    (r"sh|ch", "c"),  # ش, spelt ch in French, sh in English
    (r"dj", "j"),  # ج: Khadidja = Khadija
    (r"gh", "g"),  # غ
    (r"q", "k"),
    (r"ou", "u"),  # French spelling of u: Youssef = Yusef
    (r"o", "u"),
    (r"e", "a"),  # short vowels are not written in Arabic, so Latin spellings disagree on them
    (r"y", "i"),
    (r"(?<=[a-z])h(?=[^aiu]|$)", ""),  # silent final or pre-consonant h: Fatimah = Fatima
]


@lru_cache(maxsize=200_000)
def normalise_latin(name):
    """A folded Latin key: accents, case, articles, doubled letters and the usual vowel spellings removed, so
    Mohamed/Mohammed/Muhammad and Youssef/Yousef give one key."""
    text = unicodedata.normalize("NFKD", (name or "").lower())
    text = "".join(char for char in text if not unicodedata.combining(char))
    words, merged = [word for word in re.split(r"[^a-z]+", text) if word], []
    for index, word in enumerate(words):
        if word in LATIN_ARTICLES and index + 1 < len(words):
            continue
        if merged and merged[-1] in LATIN_PARTICLES:
            merged[-1] += word
        else:
            merged.append(word)
    words, folded = merged, []
    for word in words:
        for pattern, replacement in LATIN_FOLDS:
            word = re.sub(pattern, replacement, word)
        folded.append(re.sub(r"([a-z])\1+", r"\1", word))
    return " ".join(folded)


# Arabic letters to Neo-Tifinagh (IRCAM standard, Unicode 2D30-2D7F). Short vowels are not written in
# Arabic, and Tifinagh does not write the neutral vowel, so consonants and long vowels carry over; the agent
# adds what the pronunciation needs. ا و ي are vowels (ⴰ ⵓ ⵉ) inside a word, consonants (ⵡ ⵢ) before a vowel.
TIFINAGH_LETTERS = {
    "ا": "ⴰ", "ب": "ⴱ", "ت": "ⵜ", "ث": "ⵜ", "ج": "ⵊ", "ح": "ⵃ", "خ": "ⵅ", "د": "ⴷ", "ذ": "ⴷ", "ر": "ⵔ",
    "ز": "ⵣ", "س": "ⵙ", "ش": "ⵛ", "ص": "ⵚ", "ض": "ⴹ", "ط": "ⵟ", "ظ": "ⴹ", "ع": "ⵄ", "غ": "ⵖ", "ف": "ⴼ",
    "ق": "ⵇ", "ك": "ⴽ", "ل": "ⵍ", "م": "ⵎ", "ن": "ⵏ", "ه": "ⵀ", "ة": "ⴰ", "ى": "ⴰ", "ڭ": "ⴳ", "گ": "ⴳ",
    "ڤ": "ⴼ", "أ": "ⴰ", "إ": "ⵉ", "آ": "ⴰ", "ؤ": "ⵓ", "ئ": "ⵉ", "ء": "",
}  # fmt: skip
TIFINAGH_VOWEL_OF = {"و": ("ⵓ", "ⵡ"), "ي": ("ⵉ", "ⵢ")}
SHADDA = "\u0651"
# Letters that assimilate the article (Ettazi, Essaidi): written, it doubles them rather than being ⵍ.
SUN_LETTERS = set("تثدذرزسشصضطظلن")
ASSIMILATED_ARTICLE = re.compile(r"^[ae](ch|sh|[bcdfghjklmnpqrstvwxz])\1")
# Compounds whose second word's article every Latin spelling writes: Abdelaziz, Abderrahmane, Noureddine.
ARTICLE_ALWAYS_WRITTEN_AFTER = {"عبد"}
ARTICLE_ALWAYS_WRITTEN_IN = {"الدين"}


@lru_cache(maxsize=50_000)
def to_tifinagh(arabic: str, latin: str = "") -> str:
    """Suggest the Tifinagh spelling of an Arabic name, letter by letter (see the table above).

    The article ال is written as the Latin spelling of the same name writes it, so the two scripts of an act agree:
    التازي is Tazi and ⵜⴰⵣⵉ, الإدريسي El Idrissi and ⵍⵉⴷⵔⵉⵙⵉ, الحسين Lahoucine and ⵍⵃⵙⵉⵏ, التازي written Ettazi
    ⵜⵜⴰⵣⵉ. Without a Latin spelling the article is not written, as in most Latin spellings of family names."""
    text = unicodedata.normalize("NFKC", arabic or "").replace(TATWEEL, "")
    words, previous = [], ""
    for word in text.split():
        letters = [char for char in word if "\u0621" <= char <= "\u064a" or char in "ڭگڤ" or char == SHADDA]
        compound = previous in ARTICLE_ALWAYS_WRITTEN_AFTER or "".join(letters) in ARTICLE_ALWAYS_WRITTEN_IN
        article, previous = "", "".join(letters)
        if letters[:2] == ["ا", "ل"] and len(letters) > 4:
            letters = letters[2:]
            if compound or _latin_writes_article("".join(letters), latin):
                article = TIFINAGH_LETTERS[letters[0]] if letters[0] in SUN_LETTERS else "ⵍ"
        out = [article] if article else []
        for index, char in enumerate(letters):
            if char == SHADDA:
                if out:
                    out.append(out[-1])  # gemination is written as a doubled letter
                continue
            if char in TIFINAGH_VOWEL_OF:
                vowel, consonant = TIFINAGH_VOWEL_OF[char]
                following = letters[index + 1] if index + 1 < len(letters) else ""
                out.append(consonant if index == 0 or (following and following in "اوي") else vowel)
            elif char == "ة" and index and letters[index - 1] == "ا":
                out.append("ⵜ")  # pronounced: نجاة Najat, حياة Hayat
            else:
                out.append(TIFINAGH_LETTERS.get(char, ""))
        words.append("".join(out))
    return " ".join(word for word in words if word)


def _latin_writes_article(body: str, latin: str) -> bool:
    """Whether a word of the Latin spelling is the Arabic word's body (what follows ال) with the article: as a
    word of its own (El Idrissi), joined (Elidrissi, Lahcen) or assimilated (Ettazi, Essaidi). Compared by
    consonants, so Alaoui (ع is no consonant here) is العلوي without its article, El Alaoui with it."""
    sounds = DOUBLED.sub(r"\1", _arabic_sounds(body.removesuffix("ة")))
    if not sounds:
        return False
    words = re.findall(r"[a-z]+", _unaccented(latin.lower()))
    for index, word in enumerate(words):
        word_sounds = DOUBLED.sub(r"\1", _latin_sounds(word))
        if index > 0 and words[index - 1] in LATIN_ARTICLE_WORDS and word_sounds == sounds:
            return True
        if word_sounds == "l" + sounds or (word_sounds == sounds and ASSIMILATED_ARTICLE.match(word)):
            return True
    return False


def _unaccented(text: str) -> str:
    return "".join(char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char))


USUAL_SPELLINGS = Path(__file__).parent / "data" / "usual_spellings.tsv"


def usual_spellings() -> list[tuple[str, str, str]]:
    """The curated table: (Arabic, usual Latin spelling, kind) of common Moroccan names."""
    lines = USUAL_SPELLINGS.read_text(encoding="utf-8").splitlines()
    return [tuple(line.split("\t")) for line in lines if line and not line.startswith("#")]  # type: ignore[misc]


@cache
def _romanizers():
    """The library alone, and the library with the curated table before its dictionary (one model for both)."""
    from arabic_name_romanizer import Transliterator, UserDictionary

    library = Transliterator()
    table = UserDictionary.from_pairs((arabic, latin, 1, "MA") for arabic, latin, _kind in usual_spellings())
    curated = Transliterator(
        user_dictionary=table, model=library.model, persian_model=library.persian_model, auto_load_model=False
    )
    return curated, library


WORDS_READ_TOGETHER = 4


@lru_cache(maxsize=4096)
def suggest_latin(arabic: str, top: int = 3) -> tuple[str, ...]:
    """Likely Latin spellings of an Arabic name, the usual Moroccan one first; empty when the name has no Arabic
    letters. A candidate of the library whose consonants are not the name's (a model's slip) is left out; the
    table's spellings are trusted (Alami for العلمي, Najat for نجاة read differently by the sound keys)."""
    arabic = unicodedata.normalize("NFKC", arabic or "").strip()
    if not re.search("[\u0621-\u064a]", arabic):
        return ()
    words = arabic.split()
    if len(words) > WORDS_READ_TOGETHER:
        # The library's search grows exponentially with the words (16 take seconds): a long name is read in groups,
        # the first spelling of each group joined into one suggestion.
        groups = (
            " ".join(words[start : start + WORDS_READ_TOGETHER]) for start in range(0, len(words), WORDS_READ_TOGETHER)
        )
        joined = " ".join(next(iter(suggest_latin(group)), "") for group in groups)
        return (" ".join(joined.split()),) if joined.strip() else ()
    curated, library = _romanizers()
    readings = set(query_sound_keys(arabic))
    candidates = curated.transliterate(arabic, country="MA", top_k=top) + library.transliterate(
        arabic, country="MA", top_k=top + 2
    )
    spellings: dict[str, str] = {}
    for candidate in candidates:
        text = candidate.text
        if text and (candidate.source == "user" or sound_key(text) in readings):
            spellings.setdefault(_unaccented(text).casefold().replace("-", " "), text)
    return tuple(spellings.values())[:top]


def suggest_spellings(arabic: str) -> dict:
    """What the act form proposes beside an Arabic name: Latin candidates and one Tifinagh spelling, writing the
    article as the first Latin candidate does."""
    latin = list(suggest_latin(arabic.strip()))
    return {"latin": latin, "tfng": to_tifinagh(arabic, latin[0] if latin else "")}


# Sound keys: one consonant skeleton over one alphabet for Arabic and Latin spellings, so that a name typed in
# either script meets an act written in Arabic only. Short vowels are not written in Arabic and Latin spellings
# disagree on them, so vowels (and ا و ي ى ع ء, w, y, ou) are dropped; the letters Moroccan spellings use for
# one Arabic letter share one symbol. Written here rather than taken from a library: phonetic algorithms
# (Soundex, Metaphone, Beider-Morse...) follow English or French spelling and know nothing of Arabic letters.
SOUND_OF_ARABIC = {
    "ب": "b", "پ": "b", "ت": "t", "ث": "t", "ط": "t", "ج": "j", "ح": "h", "ه": "h", "خ": "x", "د": "d", "ذ": "d",
    "ض": "d", "ظ": "d", "ر": "r", "ز": "z", "س": "s", "ص": "s", "ش": "c", "چ": "c", "غ": "g", "ڭ": "g", "گ": "g",
    "ف": "f", "ڤ": "f", "ق": "k", "ك": "k", "ل": "l", "م": "m", "ن": "n",
}  # fmt: skip
# Hamza seats are vowels here; ة is kept apart from ه because a final ة is never pronounced h.
ARABIC_SOUND_FOLDS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا"})
# Latin spellings of one sound, digraphs first: ch/sh ش, kh خ, gh غ, dj ج; c is s before e, i, y (Youcef,
# Lahcen, Houcine) and k elsewhere; p and v do not exist in Arabic names and stand for ب and ف.
LATIN_TOKENS = re.compile(r"ch|sh|kh|gh|dj|ph|ck|qu|[a-z]")
SOUND_OF_LATIN = {
    "ch": "c", "sh": "c", "kh": "x", "gh": "g", "dj": "j", "ph": "f", "ck": "k", "qu": "k", "c": "k", "b": "b",
    "p": "b", "d": "d", "f": "f", "v": "f", "g": "g", "h": "h", "j": "j", "k": "k", "q": "k", "l": "l", "m": "m",
    "n": "n", "r": "r", "s": "s", "t": "t", "x": "x", "z": "z",
}  # fmt: skip
# The article written apart ("El Alaoui", "Ech Chaoui"), dropped when a word follows; Ait and Ben are kept.
LATIN_ARTICLE_WORDS = {"el", "al", "il", "ad", "ed", "as", "es", "at", "et", "az", "ez", "ar", "er", "an", "en", "ech",
                       "ach", "esh", "ash"}  # fmt: skip
# Joined to the name: "Elkhattabi", "Ilham" (whose ل may be the root's); "Ettazi", "Essaidi" need no rule,
# as a vowel and a doubled letter vanish from the skeleton anyway.
LATIN_JOINED_ARTICLE = re.compile(r"^(?:el|al|il)(?=[a-z]{2})")
# After Abd the article is assimilated or written: Abdellah, Abderrahim, Abdelaziz, Abdoullah, Abdul.
LATIN_ABD = re.compile(r"^abd[aeiou]*(l?)")
ARABIC_PARTICLE_ARTICLE = re.compile("^(عبد|ابو|بو|ابن|بنت)ال(?=..)")
# The second word of a compound joined to the first: نورالدين = نور الدين, فتحالله = فتح الله.
ARABIC_JOINED_SECOND_WORD = re.compile("(?<=..)ال(دين|له)$")
# Arabic letters, with the Persian and Maghrebi ones names use (پ چ ڤ ک ڭ گ).
ARABIC_LETTERS = "\u0621-\u064a\u067e\u0686\u06a4\u06a9\u06ad\u06af"
ARABIC_LETTER = re.compile(f"[{ARABIC_LETTERS}]")
NAME_WORD = re.compile(f"[a-zà-ÿ]+|[{ARABIC_LETTERS}]+")
# Latin particles joined to the next word, as Arabic writes عبدالله, بنعلي: "Abd Allah" = "Abdallah".
LATIN_JOINING_WORDS = {"abd", "abdel", "abdal", "abdul", "abdou", "abou", "abu", "bou", "ben", "ibn"}
DOUBLED = re.compile(r"(.)\1+")
# t+h and d+h read as one letter (Othmane = عثمان, Thami = التهامي), in both scripts alike.
ONE_LETTER_PAIRS = [(re.compile("th"), "t"), (re.compile("dh"), "d")]
MAX_QUERY_KEYS = 48


def _skeleton(sounds):
    """The sounds of a name's words joined, doubled letters folded across words too (Ben Nani = Bennani)."""
    text = DOUBLED.sub(r"\1", "".join(sounds))
    for pattern, replacement in ONE_LETTER_PAIRS:
        text = pattern.sub(replacement, text)
    return DOUBLED.sub(r"\1", text)


def _arabic_sounds(letters):
    return "".join(SOUND_OF_ARABIC.get(char, "") for char in letters)


@lru_cache(maxsize=100_000)
def _arabic_word_sounds(word):
    """The readings of one Arabic word, the one for acts first: the article ال dropped (the Latin spellings
    drop or assimilate it) and a final ة or ه dropped (but the ه of الله kept); then the other readings."""
    word = ARABIC_PARTICLE_ARTICLE.sub(r"\1", word)
    word = ARABIC_JOINED_SECOND_WORD.sub(r"\1", word)
    final_h = word.endswith("ه") and not word.endswith("له")
    bodies = [word[:-1], word] if final_h else [word.removesuffix("ة")]
    readings = []
    for body in bodies:
        if body.startswith("ال") and len(body) > 3:
            readings += [_arabic_sounds(body[2:]), _arabic_sounds(body)]
        else:
            readings.append(_arabic_sounds(body))
    if word.startswith("ل") and len(word) > 3:  # the colloquial article: لحسين = الحسين, لعربي = العربي
        readings += [reading[1:] for reading in readings]
    if re.search("[كق]", word):  # the Moroccan g (ڭ) is also written ك or ق: كروج = ڭروج
        readings += [reading.replace("k", "g") for reading in readings]
    return tuple(dict.fromkeys(readings))


def _latin_sounds(word):
    word = re.sub(r"c(?=[eiy])", "s", word)
    return "".join(SOUND_OF_LATIN.get(token, "") for token in LATIN_TOKENS.findall(word))


@lru_cache(maxsize=100_000)
def _latin_word_sounds(word):
    """The readings of one Latin word: with and without a joined article, a final h after a vowel (Fatimah,
    but Saleh = صالح), a colloquial leading l (Lahcen, Larbi = العربي), sh as ش or س+ه (Ishaq), g before e, i as
    in French (Gilali = Jilali)."""
    abd = LATIN_ABD.match(word)
    if abd:
        rest = word[abd.end() :]
        spellings = ["abd" + rest] + (["abdl" + rest] if abd.group(1) else [])
    elif LATIN_JOINED_ARTICLE.match(word):
        spellings = [word[2:], word]
    else:
        spellings = [word]
    if re.search(r"[aeiou]h$", word):
        spellings += [spelling[:-1] for spelling in spellings]
    if "sh" in word:  # the hyphen keeps s and h apart when tokenised
        spellings += [spelling.replace("sh", "s-h") for spelling in spellings]
    if "g" in word.replace("gh", ""):  # the Moroccan g (ڭ) is also written ك or ق in Arabic
        spellings += [re.sub(r"g(?!h)", "k", spelling) for spelling in spellings]
    if re.search(r"g[ei]", word):
        spellings += [re.sub(r"g(?=[ei])", "j", spelling) for spelling in spellings]
    readings = [_latin_sounds(spelling) for spelling in spellings]
    if word.startswith("l") and len(word) > 3:
        readings += [reading[1:] for reading in readings]
    return tuple(dict.fromkeys(readings))


def _name_words(text):
    """The words of a name in either script, each with its readings (the one for acts first); articles written
    apart dropped, and Latin "Abd" joined to the next word as Arabic joins عبد."""
    text = unicodedata.normalize("NFKC", text or "").replace(TATWEEL, "")
    text = ARABIC_DIACRITICS.sub("", text).translate(ARABIC_SOUND_FOLDS).lower().replace("'", "").replace("’", "")
    words = NAME_WORD.findall(text)
    merged = []
    for index, word in enumerate(words):
        if ARABIC_LETTER.match(word):
            merged.append(word)
            continue
        word = "".join(char for char in unicodedata.normalize("NFKD", word) if not unicodedata.combining(char))
        if word in LATIN_ARTICLE_WORDS and index + 1 < len(words):
            continue
        if merged and merged[-1] in LATIN_JOINING_WORDS:
            merged[-1] += word
        else:
            merged.append(word)
    readings = [_arabic_word_sounds(word) if ARABIC_LETTER.match(word) else _latin_word_sounds(word) for word in merged]
    # A word read as nothing ("Alaoui" without its Al) would let a name match a shorter one: keep it only alone.
    return [tuple(reading for reading in word if reading) or word for word in readings]


@lru_cache(maxsize=200_000)
def sound_key(name):
    """The key an act is found by: the consonant skeleton of its names as written (in Arabic on every act).
    "محمد العلوي", "Mohammed El Alaoui" and "Muhammad Alaoui" give one key."""
    return _skeleton(readings[0] for readings in _name_words(name))


@lru_cache(maxsize=20_000)
def query_sound_keys(name):
    """Every key a typed name may have, the likeliest first: each word's readings (article kept or not, final h
    or not...), and the words in every rotation, since people give the family name first as often as last."""
    words = _name_words(name)
    per_rotation = max(1, MAX_QUERY_KEYS // max(len(words), 1))  # so that every rotation has its share
    keys = []
    for start in range(max(len(words), 1)):
        readings = itertools.product(*(words[start:] + words[:start]))
        keys += [_skeleton(combination) for combination in itertools.islice(readings, per_rotation)]
    return tuple(key for key in dict.fromkeys(keys) if key)


def search_keys(names):
    """The normalised keys an act is searched by, from its name fields (a dict of field → value)."""
    return {
        "name_key_ar": normalise_arabic(f"{names['first_name_ar']} {names['family_name_ar']}"),
        "name_key_latin": normalise_latin(f"{names['first_name_latin']} {names['family_name_latin']}"),
        "parents_key_ar": normalise_arabic(
            f"{names['father_first_name_ar']} {names['mother_first_name_ar']} {names['mother_family_name_ar']}"
        ),
        # From the Arabic names every act has (old ones have no Latin names); Latin queries meet it by sound.
        "name_sound": sound_key(f"{names['first_name_ar']} {names['family_name_ar']}")
        or sound_key(f"{names['first_name_latin']} {names['family_name_latin']}"),
    }


SEARCH_KEY_FIELDS = ["name_key_ar", "name_key_latin", "parents_key_ar", "name_sound"]


TIFINAGH_LETTER = re.compile("[\u2d30-\u2d7f]")
# The shortest first name a lookup takes: one letter is a fragment of many names, not a fact about one.
MIN_FIRST_NAME_LENGTH = 2
# French spells س as a soft c before e, i, y: Youcef = Youssef, Lahcen = Lahssen, Houcine = Houssine.
SOFT_C = re.compile(r"c(?=[eiy])")


def is_first_name_of(names: Mapping[str, Any], typed: str) -> bool:
    """Whether `typed` is the holder's first name (`names`: the act's first_name_ar, _latin and _tfng as they
    stand now), the whole name compared, by the register's keys in the script typed: the normalised Arabic
    spelling (names.compact_arabic), the normalised Latin one (names.normalise_latin, with the French soft c
    read as s), or the Tifinagh letters. No sound-alike: a first name here is an identity fact, and the sound
    key joins different names (Mohamed and Mahmoud, Amine and Imane)."""
    typed = unicodedata.normalize("NFKC", typed or "").strip()
    if TIFINAGH_LETTER.search(typed):
        key, recorded = _tifinagh_key(typed), _tifinagh_key(names["first_name_tfng"])
    elif compact_arabic(typed):
        key, recorded = compact_arabic(typed), compact_arabic(names["first_name_ar"])
    else:
        key, recorded = _latin_key(typed), _latin_key(names["first_name_latin"])
    return len(key) >= MIN_FIRST_NAME_LENGTH and key == recorded


def _tifinagh_key(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text or "").split())


def _latin_key(text: str) -> str:
    return normalise_latin(SOFT_C.sub("s", (text or "").lower())).replace(" ", "")
