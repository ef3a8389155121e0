import pytest

from raqmana.civil_status.names import normalise_arabic, normalise_latin, suggest_spellings, to_tifinagh


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("الإدريسي", "ادريسى"),  # article, hamza, alif maqsura
        ("فاطمة", "فاطمه"),  # ta marbuta
        ("مُحَمَّد", "محمد"),  # diacritics
        ("عبـــد الرحمن", "عبدالرحمن"),  # tatweel, particle written apart
        ("بن علي", "بنعلي"),
        ("آمنة", "امنه"),
        ("يحيى", "يحيي"),
        ("أحمد", "احمد"),
    ],
)
def test_arabic_spellings_of_one_name_share_a_key(one, other):
    assert normalise_arabic(one) == normalise_arabic(other)


def test_different_arabic_names_keep_different_keys():
    assert normalise_arabic("محمد") != normalise_arabic("أحمد")
    assert normalise_arabic("سعيد العلوي") == "سعيد علوي"


@pytest.mark.parametrize(
    "spellings",
    [
        ["Mohamed", "Mohammed", "Muhammad", "MOHAMMED"],
        ["Youssef", "Yousef", "Youssef "],
        ["El Idrissi", "Idrissi", "El-Idrissi"],
        ["Aïcha", "Aicha"],
        ["Abderrahmane", "Abderrahman"],
        ["Khadija", "Khadidja"],
        ["Benali", "Ben Ali"],
    ],
)
def test_latin_spelling_variants_share_a_key(spellings):
    assert len({normalise_latin(spelling) for spelling in spellings}) == 1


def test_tifinagh_follows_the_documented_table():
    assert to_tifinagh("يوسف") == "ⵢⵓⵙⴼ"
    assert to_tifinagh("أمازيغ") == "ⴰⵎⴰⵣⵉⵖ"
    assert to_tifinagh("مُحَمَّد") == "ⵎⵃⵎⵎⴷ"  # the shadda doubles the letter
    assert to_tifinagh("الحسين") == "ⵍⵃⵙⵉⵏ"
    assert to_tifinagh("وليد") == "ⵡⵍⵉⴷ"


def test_suggestions_give_moroccan_latin_spellings_first():
    suggestions = suggest_spellings("يوسف")
    assert suggestions["latin"][0] == "Youssef"
    assert suggestions["tfng"] == "ⵢⵓⵙⴼ"
    assert suggest_spellings("Youssef") == {"latin": [], "tfng": ""}
