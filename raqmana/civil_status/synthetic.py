"""Synthetic acts for benchmarks and demonstrations: Moroccan names with realistic frequencies and spelling
variants, born across the real communes. Nothing here is about real people."""

import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from .constants import ActKind, ActState, DeclarantRelation, Sex
from .names import to_tifinagh

# (Arabic, usual Latin spelling, other Latin spellings met in registers), most frequent first.
MALE_NAMES = [
    ("محمد", "Mohamed", ["Mohammed", "Muhammad", "Mohammad"]),
    ("أحمد", "Ahmed", ["Ahmad", "Ahmet"]),
    ("يوسف", "Youssef", ["Yousef", "Youssouf", "Yusuf"]),
    ("عبد الله", "Abdellah", ["Abdallah", "Abdullah"]),
    ("عمر", "Omar", ["Omer", "Umar"]),
    ("علي", "Ali", ["Aly"]),
    ("حسن", "Hassan", ["Hasan", "Hassane"]),
    ("الحسين", "Lahcen", ["Hussein", "Houcine"]),
    ("إبراهيم", "Brahim", ["Ibrahim", "Ibrahime"]),
    ("مصطفى", "Mustapha", ["Mostafa", "Moustapha"]),
    ("سعيد", "Said", ["Saïd", "Saeed"]),
    ("رشيد", "Rachid", ["Rashid", "Rachide"]),
    ("عبد الرحيم", "Abderrahim", ["Abdelrahim", "Abderahim"]),
    ("عبد الرحمن", "Abderrahmane", ["Abderrahman", "Abdelrahman"]),
    ("خالد", "Khalid", ["Khaled", "Khalide"]),
    ("إدريس", "Driss", ["Idriss", "Idris"]),
    ("أيوب", "Ayoub", ["Ayub", "Ayoube"]),
    ("آدم", "Adam", ["Adame"]),
    ("ياسين", "Yassine", ["Yacine", "Yasin"]),
    ("حمزة", "Hamza", ["Hamzah", "Hamzaa"]),
    ("إلياس", "Ilyas", ["Ilias", "Elyas"]),
    ("أنس", "Anas", ["Annas"]),
    ("زكرياء", "Zakaria", ["Zakariya", "Zakariae"]),
    ("مهدي", "Mehdi", ["Mahdi", "Mehdy"]),
    ("سفيان", "Soufiane", ["Sofiane", "Sufian"]),
    ("عثمان", "Othmane", ["Otmane", "Outhmane"]),
    ("نبيل", "Nabil", ["Nabile"]),
    ("كريم", "Karim", ["Kareem"]),
    ("جمال", "Jamal", ["Djamal", "Jamale"]),
    ("عادل", "Adil", ["Adel"]),
]
FEMALE_NAMES = [
    ("فاطمة", "Fatima", ["Fatma", "Fatimah"]),
    ("خديجة", "Khadija", ["Khadidja", "Khadeeja"]),
    ("عائشة", "Aicha", ["Aïcha", "Aisha"]),
    ("مريم", "Meryem", ["Maryam", "Meriem"]),
    ("فاطمة الزهراء", "Fatima Zahra", ["Fatima-Ezzahra", "Fatimazahra"]),
    ("سلمى", "Salma", ["Selma"]),
    ("نادية", "Nadia", ["Nadiya"]),
    ("زينب", "Zineb", ["Zaynab", "Zeineb"]),
    ("حليمة", "Halima", ["Halimah"]),
    ("سعاد", "Souad", ["Suad", "Soad"]),
    ("نعيمة", "Naima", ["Naïma", "Naeema"]),
    ("رشيدة", "Rachida", ["Rashida"]),
    ("إيمان", "Imane", ["Iman", "Imen"]),
    ("هدى", "Houda", ["Huda", "Hoda"]),
    ("سارة", "Sara", ["Sarah"]),
    ("ياسمين", "Yasmine", ["Yasmina", "Jasmine"]),
    ("آية", "Aya", ["Aïa", "Aya"]),
    ("هبة", "Hiba", ["Heba"]),
    ("نور", "Nour", ["Nur", "Noor"]),
    ("لبنى", "Loubna", ["Lubna"]),
    ("أمينة", "Amina", ["Aminah", "Ameena"]),
    ("كوثر", "Kaoutar", ["Kawtar", "Kaouthar"]),
    ("إكرام", "Ikram", ["Ikrame"]),
    ("سناء", "Sanaa", ["Sana"]),
    ("حنان", "Hanane", ["Hanan"]),
    ("وفاء", "Wafae", ["Wafaa", "Wafa"]),
    ("ليلى", "Leila", ["Layla", "Laila"]),
    ("رجاء", "Rajae", ["Rajaa", "Raja"]),
    ("غيثة", "Ghita", ["Ghyta"]),
    ("شيماء", "Chaimae", ["Chaima", "Shaima"]),
]
FAMILY_NAMES = [
    ("العلوي", "El Alaoui", ["Alaoui", "El-Alaoui"]), ("الإدريسي", "El Idrissi", ["Idrissi", "Drissi"]),
    ("بناني", "Bennani", ["Benani"]), ("التازي", "Tazi", ["Ettazi", "Taziy"]), ("الفاسي", "El Fassi", ["Fassi"]),
    ("برادة", "Berrada", ["Brada"]), ("بنجلون", "Benjelloun", ["Benjeloun", "Ben Jelloun"]),
    ("الشرايبي", "Chraibi", ["Cheraibi", "Chraïbi"]), ("العمراني", "El Amrani", ["Amrani"]),
    ("الوزاني", "Ouazzani", ["Ouazani", "Wazzani"]), ("الحسني", "El Hassani", ["Hassani"]),
    ("المرابط", "El Mrabet", ["Mrabet"]), ("بنعلي", "Benali", ["Ben Ali", "Benaly"]), ("الصقلي", "Sqalli", ["Skalli"]),
    ("الكتاني", "Kettani", ["Ketani", "El Kettani"]), ("الزياني", "Zyani", ["Ziani", "Zayani"]),
    ("أوحمو", "Ouhammou", ["Ouhamou", "Ouhammo"]), ("أيت علي", "Ait Ali", ["Aït Ali", "Aitali"]),
    ("أمزيان", "Amziane", ["Amzian", "Amezziane"]), ("الرحماني", "Rahmani", ["Errahmani", "Rahmany"]),
    ("العثماني", "El Othmani", ["Othmani", "Otmani"]), ("بوزيان", "Bouziane", ["Bouzian", "Bouzyane"]),
    ("الطاهري", "Tahiri", ["Ettahiri", "Tahri"]), ("الشاوي", "Chaoui", ["Echaoui", "Chawi"]),
    ("المنصوري", "Mansouri", ["El Mansouri", "Mansoury"]), ("الحداد", "Haddad", ["El Haddad", "Hadad"]),
    ("النجار", "Najjar", ["Nejjar", "Najar"]), ("السوسي", "Soussi", ["Essoussi", "Sousi"]),
    ("الريفي", "Rifi", ["Errifi", "Riffi"]), ("الدكالي", "Doukkali", ["Doukali", "Dokkali"]),
    ("الناصري", "Naciri", ["Nasiri", "Nassiri"]), ("الحمداوي", "Hamdaoui", ["Hamdawi"]),
    ("البقالي", "Bakkali", ["Bakali", "El Bakkali"]), ("الغزالي", "Ghazali", ["Ghazaly", "El Ghazali"]),
    ("العباسي", "Abbassi", ["Abbasi", "El Abbassi"]), ("اليوسفي", "Youssfi", ["Yousfi", "El Youssfi"]),
    ("الخطابي", "Khattabi", ["Khatabi", "El Khattabi"]), ("الزروالي", "Zerouali", ["Zeroual", "Zarouali"]),
    ("بوعزة", "Bouazza", ["Bouaza"]), ("الجبلي", "Jebli", ["Jabli", "El Jebli"]),
]  # fmt: skip
ARABIC_VARIANTS = [
    ("ة", "ه"), ("ى", "ي"), ("أ", "ا"), ("إ", "ا"), ("آ", "ا"), ("ال", ""), ("عبد ال", "عبدال"), ("بن", "بن "),
]  # fmt: skip


def _zipf_weights(count, exponent=1.0):
    return [1 / (rank + 1) ** exponent for rank in range(count)]


def _cumulative(weights):
    total, cumulative = 0.0, []
    for weight in weights:
        total += weight
        cumulative.append(total)
    return cumulative


MALE_WEIGHTS = _cumulative(_zipf_weights(len(MALE_NAMES)))
FEMALE_WEIGHTS = _cumulative(_zipf_weights(len(FEMALE_NAMES)))
FAMILY_WEIGHTS = _cumulative(_zipf_weights(len(FAMILY_NAMES), 0.6))


PAPER_ACTS_PER_VOLUME = 500


class ActGenerator:
    """Draws birth acts: names by frequency, dates over a century, communes weighted by population."""

    def __init__(self, communes, offices_by_commune, seed=1):
        self.random = random.Random(seed)
        self.communes = communes
        self.commune_weights = _cumulative([commune.population_2024 or 1 for commune in communes])
        self.timezone = timezone.get_current_timezone()
        self.offices_by_commune = offices_by_commune
        self.last_paper_numbers = {}  # (office id, year): the last paper act number drawn

    def _first_name(self, sex):
        names, weights = (MALE_NAMES, MALE_WEIGHTS) if sex == Sex.MALE else (FEMALE_NAMES, FEMALE_WEIGHTS)
        return self.random.choices(names, cum_weights=weights)[0]

    def birth(self, drafted_by_id):
        """One signed historical birth act as field values, with its place in the paper register of its office and
        year, acts numbered from 1 there (the loader sets the number and IDCS)."""
        draw = self.random
        sex = draw.choice([Sex.MALE, Sex.FEMALE])
        first, family = self._first_name(sex), draw.choices(FAMILY_NAMES, cum_weights=FAMILY_WEIGHTS)[0]
        father, grandfather = self._first_name(Sex.MALE), self._first_name(Sex.MALE)
        mother, mother_family = self._first_name(Sex.FEMALE), draw.choices(FAMILY_NAMES, cum_weights=FAMILY_WEIGHTS)[0]
        commune = draw.choices(self.communes, cum_weights=self.commune_weights)[0]
        born = date(1926, 1, 1) + timedelta(days=draw.randrange(365 * 99))
        declared = born + timedelta(days=draw.randrange(1, 25))
        signed = datetime.combine(declared, time(10, 0), tzinfo=self.timezone)
        office = self.offices_by_commune[commune.pk]
        paper_number = self.last_paper_numbers.get((office, declared.year), 0) + 1
        self.last_paper_numbers[(office, declared.year)] = paper_number
        return {
            "first_name_tfng": to_tifinagh(first[0], first[1]),
            "family_name_tfng": to_tifinagh(family[0], family[1]),
            "father_first_name_tfng": to_tifinagh(father[0], father[1]),
            "mother_first_name_tfng": to_tifinagh(mother[0], mother[1]),
            "office_id": office,
            "kind": ActKind.BIRTH,
            "state": ActState.SIGNED,
            "year": declared.year,
            "register_volume": str((paper_number - 1) // PAPER_ACTS_PER_VOLUME + 1),
            "paper_number": str(paper_number),
            "sex": sex,
            "first_name_ar": first[0],
            "first_name_latin": first[1],
            "family_name_ar": family[0],
            "family_name_latin": family[1],
            "father_first_name_ar": father[0],
            "father_first_name_latin": father[1],
            "grandfather_first_name_ar": grandfather[0],
            "grandfather_first_name_latin": grandfather[1],
            "mother_first_name_ar": mother[0],
            "mother_first_name_latin": mother[1],
            "mother_family_name_ar": mother_family[0],
            "mother_family_name_latin": mother_family[1],
            "mother_birth_date": born - timedelta(days=365 * draw.randint(18, 42)),
            "birth_date": born,
            "birth_time": time(draw.randrange(24), draw.randrange(60)),
            "birth_place_id": commune.pk,
            "declarant_name": f"{father[0]} {family[0]}",
            "declarant_relation": DeclarantRelation.FATHER,
            "declared_on": declared,
            "drafted_by_id": drafted_by_id,
            "signed_by_id": drafted_by_id,
            "signed_at": signed,
        }

    def misspell_latin(self, first_latin, family_latin):
        """How a person may type a name: another attested spelling of the first or the family name."""
        first = next((spellings for _, usual, spellings in MALE_NAMES + FEMALE_NAMES if usual == first_latin), [])
        family = next((spellings for _, usual, spellings in FAMILY_NAMES if usual == family_latin), [])
        return f"{self.random.choice([first_latin, *first])} {self.random.choice([family_latin, *family])}"

    def misspell_arabic(self, text):
        """An Arabic spelling variant: hamza, ta marbuta, alif maqsura, article or particle written otherwise."""
        applicable = [(old, new) for old, new in ARABIC_VARIANTS if old in text]
        if not applicable:
            return text
        old, new = self.random.choice(applicable)
        return text.replace(old, new, 1)
