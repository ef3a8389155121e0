"""What each document certifies, drawn from the act as it stands when the document is issued.

The result is plain data (labels in Arabic and French, values tagged with their script), kept with the issued
document: the PDF prints it, and the verification page shows exactly it and nothing more.
"""

from django.utils import translation

from raqmana.calendars.hijri import MoroccanHijriCalendar
from raqmana.civil_status.constants import ActKind, DeclarantRelation, Sex
from raqmana.civil_status.selectors import act_as_of

from .constants import FULL_COPIES, TITLES, DocumentKind

ARABIC, LATIN, TIFINAGH, NUMBER = "ar", "latin", "tfng", "number"


def both_languages(text):
    """A translatable text (a label, a choice) in Arabic and in French."""
    with translation.override("ar"):
        arabic = str(text)
    with translation.override("fr"):
        return arabic, str(text)


def certified_content(kind, act, moment, calendar=None):
    """The document's content: the act as of `moment`, with the mentions recorded by then."""
    state = act_as_of(act, moment)
    data, mentions = state["data"], state["mentions"]
    calendar = calendar or MoroccanHijriCalendar()
    rows = [_row("رقم الرسم", "N° de l'acte", (f"{act.number}/{act.year}", NUMBER))]
    if act.idcs:
        rows.append(_row("المعرف الرقمي المدني والاجتماعي", "IDCS", (act.idcs, NUMBER)))
    rows += [
        _names_row("الاسم الشخصي", "Prénom", data, "first_name"),
        _names_row("الاسم العائلي", "Nom", data, "family_name"),
        _row("الجنس", "Sexe", *_choice(Sex(data["sex"]).label)),
    ]
    full = kind in FULL_COPIES
    if act.kind == ActKind.DEATH:
        rows.append(_row("تاريخ الوفاة", "Date du décès", *_date(data["death_date"], calendar)))
        if data["death_time"]:
            rows.append(_row("ساعة الوفاة", "Heure du décès", _time(data["death_time"])))
        rows.append(_row("مكان الوفاة", "Lieu du décès", *_place(data, "death")))
    rows.append(_row("تاريخ الازدياد", "Date de naissance", *_date(data["birth_date"], calendar)))
    if full and data["birth_time"]:
        rows.append(_row("ساعة الازدياد", "Heure de naissance", _time(data["birth_time"])))
    rows.append(_row("مكان الازدياد", "Lieu de naissance", *_place(data, "birth")))
    rows.append(_names_row("اسم الأب", "Père", data, "father_first_name", "family_name"))
    if full and data["grandfather_first_name_ar"]:
        rows.append(_names_row("اسم الجد للأب", "Grand-père paternel", data, "grandfather_first_name"))
    rows.append(_names_row("اسم الأم", "Mère", data, "mother_first_name", "mother_family_name"))
    if full:
        relation = _choice(DeclarantRelation(data["declarant_relation"]).label)
        rows.append(_row("المصرح", "Déclarant", (data["declarant_name"], ARABIC), *relation))
        rows.append(_row("تاريخ التصريح", "Date de la déclaration", *_date(data["declared_on"], calendar)))
        if data["late_judgment_number"]:
            judgment = (data["late_judgment_number"], NUMBER), (data["late_judgment_court"], ARABIC)
            rows.append(_row("حكم التصريح المتأخر", "Jugement (déclaration tardive)", *judgment))
        rows.append(_row("تاريخ تحرير الرسم", "Acte dressé le", *_date(act.signed_at.date(), calendar)))
    title_ar, title_fr = TITLES[DocumentKind(kind)]
    office = act.office
    return {
        "title": [title_ar, title_fr],
        "act_office": [office.name_ar, office.name_fr],
        "rows": rows,
        "mentions": [_mention(mention, full, calendar) for mention in mentions],
    }


def _row(label_ar, label_fr, *values):
    return {"label": [label_ar, label_fr], "values": [{"text": text, "script": script} for text, script in values]}


def _names_row(label_ar, label_fr, data, field, family_field=None):
    """A name in its three scripts; a parent's name followed by the family name given to them."""

    def joined(script):
        # A script's line only where the person's own name is written in it.
        own = data.get(f"{field}_{script}", "")
        family = data.get(f"{family_field}_{script}", "") if family_field and own else ""
        return f"{own} {family}".strip()

    values = [(joined("ar"), ARABIC), (joined("latin"), LATIN), (joined("tfng"), TIFINAGH)]
    return _row(label_ar, label_fr, *[(text, script) for text, script in values if text])


def _time(moment):
    return f"{moment:%H:%M}", NUMBER


def _choice(label):
    arabic, french = both_languages(label)
    return (arabic, ARABIC), (french, LATIN)


def _date(day, calendar):
    """A date in both calendars: the Gregorian in digits, the Hijri with its Arabic month name."""
    if not day:
        return (("—", NUMBER),)
    hijri = calendar.to_hijri(day)
    approximate = " (تقريبي)" if hijri.approximate else ""
    return (f"{day:%d/%m/%Y}", NUMBER), (f"{hijri.day} {hijri.month_name_ar} {hijri.year} هـ{approximate}", ARABIC)


def _place(data, event):
    if data[f"{'died' if event == 'death' else 'born'}_abroad"]:
        return ((data["birth_country"] if event == "birth" else data[f"{event}_place_detail"], ARABIC),)
    commune = data[f"{event}_place"]
    values = [(commune.name_ar, ARABIC), (commune.name_fr, LATIN)] if commune else []
    return tuple(values) or (("—", NUMBER),)


def _mention(mention, full, calendar):
    kind_ar, kind_fr = both_languages(mention.get_kind_display())
    entry = {
        "kind": [kind_ar, kind_fr],
        "decided_on": _date(mention.decided_on, calendar)[0][0],
        "reference": f"{mention.reference_number} — {mention.authority_name}",
    }
    if full:
        entry["text"] = mention.text_ar
    return entry
