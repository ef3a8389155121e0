"""Names in three scripts: normalising Arabic and Latin spellings for search, suggesting Latin and Tifinagh.

The Arabic normaliser is written here because the rules are Morocco's civil-status ones (which spellings
count as the same name), not a general text library's. Latin suggestions come from arabic-name-romanizer with
Moroccan (French-style) spellings; Tifinagh from the table below. Both are suggestions: the agent confirms the
spelling, and the confirmed one is legal data.
"""

import re
import unicodedata
from functools import lru_cache

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


@lru_cache(maxsize=50_000)
def to_tifinagh(arabic):
    """Suggest the Tifinagh spelling of an Arabic name, letter by letter (see the table above)."""
    text = unicodedata.normalize("NFKC", arabic or "").replace(TATWEEL, "")
    words = []
    for word in text.split():
        letters = [char for char in word if "\u0621" <= char <= "\u064a" or char in "ڭگڤ" or char == SHADDA]
        if letters[:2] == ["ا", "ل"] and len(letters) > 4:
            letters = letters[1:]  # the article is written ⵍ alone: الحسين = ⵍⵃⵙⵉⵏ
        out = []
        for index, char in enumerate(letters):
            if char == SHADDA:
                if out:
                    out.append(out[-1])  # gemination is written as a doubled letter
                continue
            if char in TIFINAGH_VOWEL_OF:
                vowel, consonant = TIFINAGH_VOWEL_OF[char]
                following = letters[index + 1] if index + 1 < len(letters) else ""
                out.append(consonant if index == 0 or following in "اوي" else vowel)
            else:
                out.append(TIFINAGH_LETTERS.get(char, ""))
        words.append("".join(out))
    return " ".join(word for word in words if word)


@lru_cache(maxsize=4096)
def suggest_latin(arabic, top=3):
    """Likely Latin spellings of an Arabic name, Moroccan first; empty when the name has no Arabic letters."""
    if not re.search("[\u0621-\u064a]", arabic or ""):
        return ()
    from arabic_name_romanizer import transliterate

    return tuple(candidate.text for candidate in transliterate(arabic, country="MA", top_k=top))


def suggest_spellings(arabic):
    """What the act form proposes beside an Arabic name: Latin candidates and one Tifinagh spelling."""
    return {"latin": list(suggest_latin(arabic.strip())), "tfng": to_tifinagh(arabic)}
