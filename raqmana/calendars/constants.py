from django.db import models
from django.utils.translation import gettext_lazy as _


class HolidayKind(models.TextChoices):
    NATIONAL = "national", _("National holiday")
    RELIGIOUS = "religious", _("Religious holiday")
    EXCEPTIONAL = "exceptional", _("Exceptional day off")


# Fixed national holidays: (month, day, Arabic name, French name).
FIXED_NATIONAL_HOLIDAYS = [
    (1, 1, "رأس السنة الميلادية", "Nouvel an"),
    (1, 11, "ذكرى تقديم وثيقة الاستقلال", "Manifeste de l'indépendance"),
    (1, 14, "رأس السنة الأمازيغية", "Nouvel an amazigh"),
    (5, 1, "عيد الشغل", "Fête du travail"),
    (7, 30, "عيد العرش", "Fête du trône"),
    (8, 14, "ذكرى استرجاع إقليم وادي الذهب", "Allégeance d'Oued Ed-Dahab"),
    (8, 20, "ذكرى ثورة الملك والشعب", "Révolution du roi et du peuple"),
    (8, 21, "عيد الشباب", "Fête de la jeunesse"),
    (11, 6, "ذكرى المسيرة الخضراء", "Marche verte"),
    (11, 18, "عيد الاستقلال", "Fête de l'indépendance"),
]
# The Amazigh new year is a holiday from 2024 on (royal decision of May 2023).
FIXED_HOLIDAY_FIRST_YEAR = {(1, 14): 2024}

# Religious holidays in the Hijri calendar: (month, day, number of days, Arabic name, French name).
RELIGIOUS_HOLIDAYS = [
    (1, 1, 1, "فاتح محرم", "Nouvel an de l'Hégire"),
    (3, 12, 2, "عيد المولد النبوي", "Aïd al-Mawlid"),
    (10, 1, 2, "عيد الفطر", "Aïd al-Fitr"),
    (12, 10, 2, "عيد الأضحى", "Aïd al-Adha"),
]

HIJRI_MONTHS_AR = [
    "محرم", "صفر", "ربيع الأول", "ربيع الآخر", "جمادى الأولى", "جمادى الآخرة",
    "رجب", "شعبان", "رمضان", "شوال", "ذو القعدة", "ذو الحجة",
]  # fmt: skip
HIJRI_MONTHS_LATIN = [
    "Muharram", "Safar", "Rabii al-Awwal", "Rabii al-Akhir", "Jumada al-Ula", "Jumada al-Akhira",
    "Rajab", "Chaabane", "Ramadan", "Chawwal", "Dhou al-Qiida", "Dhou al-Hijja",
]  # fmt: skip
