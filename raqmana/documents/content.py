"""What each document certifies, drawn from the act as it stands when the document is issued.

The result is plain data (labels in Arabic and French, values tagged with their script), kept with the issued
document: the PDF prints it, and the verification page shows exactly it and nothing more.
"""

from django.utils import timezone, translation
from django.utils.functional import Promise

from raqmana.access.checking import Person, assignments_of
from raqmana.access.roles import Role
from raqmana.calendars.hijri import HijriDate, MoroccanHijriCalendar
from raqmana.civil_status.constants import ActKind, DeclarantRelation, MentionKind, Sex
from raqmana.civil_status.search import ARABIC_LETTER
from raqmana.civil_status.selectors import act_as_of, children_of
from raqmana.territories.constants import Level
from raqmana.territories.models import AdministrativeUnit

from .constants import FULL_COPIES, TITLES, DocumentKind

ARABIC, LATIN, TIFINAGH, NUMBER = "ar", "latin", "tfng", "number"

# The capacity in which an agent of the office issues a document, as the page prints it under their name.
CAPACITIES = {
    Role.CIVIL_STATUS_OFFICER: ("ضابط الحالة المدنية", "Officier de l'état civil"),
    Role.CIVIL_STATUS_AGENT: ("عون الحالة المدنية", "Agent de l'état civil"),
}


def capacity_at(agent: Person, office: AdministrativeUnit) -> tuple[str, str]:
    """The capacity printed under the issuing agent's name: officer if they hold that role at the office."""
    officer = any(
        assignment.role == Role.CIVIL_STATUS_OFFICER and assignment.unit_id == office.pk
        for assignment in assignments_of(agent)
    )
    return CAPACITIES[Role.CIVIL_STATUS_OFFICER if officer else Role.CIVIL_STATUS_AGENT]


# How a document's letterhead names the territories above its office, in Arabic and French.
TERRITORY_TITLES = {
    Level.REGION: ("جهة", "Région"),
    Level.PROVINCE: ("إقليم", "Province"),
    Level.PREFECTURE: ("عمالة", "Préfecture"),
    Level.PREFECTURE_OF_ARRONDISSEMENTS: ("عمالة مقاطعات", "Préfecture d'arrondissements"),
    Level.COMMUNE: ("جماعة", "Commune"),
    Level.ARRONDISSEMENT: ("مقاطعة", "Arrondissement"),
}


def both_languages(text):
    """A translatable text (a label, a choice's label) in Arabic and in French, whatever the screen's language.
    It must still be lazy (gettext_lazy): a text already translated stays in the language it was translated to."""
    if not isinstance(text, Promise):
        raise TypeError(f"{text!r} is already translated: pass the lazy label itself")
    with translation.override("ar"):
        arabic = str(text)
    with translation.override("fr"):
        return arabic, str(text)


def certified_content(kind, act, moment, calendar=None):
    """The document's content: the act as of `moment`, with the mentions recorded by then."""
    calendar = calendar or MoroccanHijriCalendar()
    if kind == DocumentKind.FAMILY_RECORD:
        return family_record_content(act, moment, calendar)
    state = act_as_of(act, moment)
    data, mentions = state["data"], state["mentions"]
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
        rows.append(_row("تاريخ الوفاة", "Date du décès", *_act_date(data, "death_date", calendar)))
        if data["death_time"]:
            rows.append(_row("ساعة الوفاة", "Heure du décès", _time(data["death_time"])))
        rows.append(_row("مكان الوفاة", "Lieu du décès", *_place(data, "death")))
    rows.append(_row("تاريخ الازدياد", "Date de naissance", *_act_date(data, "birth_date", calendar)))
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
        rows.append(_row("تاريخ التصريح", "Date de la déclaration", *_act_date(data, "declared_on", calendar)))
        if data["late_judgment_number"]:
            judgment = (data["late_judgment_number"], NUMBER), (data["late_judgment_court"], ARABIC)
            rows.append(_row("حكم التصريح المتأخر", "Jugement (déclaration tardive)", *judgment))
        rows.append(_row("تاريخ تحرير الرسم", "Acte dressé le", *_date(timezone.localdate(act.signed_at), calendar)))
        if act.signed_by_id:
            rows.append(_row("ضابط الحالة المدنية", "Officier de l'état civil", _person(act.signed_by.full_name)))
    title_ar, title_fr = TITLES[DocumentKind(kind)]
    office = act.office
    return {
        "title": [title_ar, title_fr],
        "act_office": [office.name_ar, office.name_fr],
        "rows": rows,
        "mentions": [_mention(mention, full, calendar) for mention in mentions],
    }


def family_record_content(holder, moment, calendar):
    """The family booklet as the acts tell it at `moment`: the holder, each marriage whose mention links the
    spouse's birth act (and its end, if a divorce is recorded), and the children whose birth acts name the
    holder as parent by IDCS, with their deaths."""
    state = act_as_of(holder, moment)
    data, mentions = state["data"], state["mentions"]
    rows = [
        _names_row("صاحب الدفتر", "Titulaire", data, "first_name", "family_name"),
        _row("المعرف الرقمي المدني والاجتماعي", "IDCS", (holder.idcs, NUMBER)),
        _row("تاريخ الازدياد", "Date de naissance", *_act_date(data, "birth_date", calendar)),
        _row("مكان الازدياد", "Lieu de naissance", *_place(data, "birth")),
        _row("رسم الولادة", "Acte de naissance", (holder.reference, NUMBER)),
    ]
    ended = {m.related_act_id: m.decided_on for m in mentions if m.kind == MentionKind.DIVORCE and m.related_act_id}
    for marriage in (m for m in mentions if m.kind == MentionKind.MARRIAGE and m.related_act_id):
        spouse = act_as_of(marriage.related_act, moment)["data"]
        values = _full_names(spouse)
        values.append((f"{marriage.related_act.idcs} — {_gregorian(spouse['birth_date'])}", NUMBER))
        values.append((f"{_gregorian(marriage.decided_on)} — {marriage.reference_number}", NUMBER))
        if marriage.related_act_id in ended:
            values.append((f"انحلال الزواج: {_gregorian(ended[marriage.related_act_id])}", ARABIC))
        rows.append(_row("الزواج", "Mariage", *values))
    children = children_of(holder).filter(signed_at__lte=moment).select_related("office")
    for number, child_act in enumerate(children, start=1):
        child = act_as_of(child_act, moment)
        values = _full_names(child["data"])
        values.append((f"{_gregorian(child['data']['birth_date'])} — {child_act.reference}", NUMBER))
        death = next((m for m in child["mentions"] if m.kind == MentionKind.DEATH), None)
        if death is not None:
            values.append((f"الوفاة: {_gregorian(death.decided_on)}", ARABIC))
        rows.append(_row(f"الولد {number}", f"Enfant {number}", *values))
    death = next((m for m in mentions if m.kind == MentionKind.DEATH), None)
    if death is not None:
        rows.append(_row("وفاة صاحب الدفتر", "Décès du titulaire", *_date(death.decided_on, calendar)))
    title_ar, title_fr = TITLES[DocumentKind.FAMILY_RECORD]
    return {
        "title": [title_ar, title_fr],
        "act_office": [holder.office.name_ar, holder.office.name_fr],
        "rows": rows,
        "mentions": [_mention(mention, False, calendar) for mention in mentions],
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


def _full_names(data):
    """A spouse's or a child's first and family name in Arabic, and in Latin letters where the act has them."""
    values = [(f"{data['first_name_ar']} {data['family_name_ar']}", ARABIC)]
    if data["first_name_latin"]:
        values.append((f"{data['first_name_latin']} {data['family_name_latin']}", LATIN))
    return values


def _person(name):
    """A person's name as written in the accounts, in whichever script that is."""
    return name, ARABIC if ARABIC_LETTER.search(name) else LATIN


def _time(moment):
    return f"{moment:%H:%M}", NUMBER


def _choice(label):
    arabic, french = both_languages(label)
    return (arabic, ARABIC), (french, LATIN)


def _gregorian(day):
    return f"{day:%d/%m/%Y}" if day else "—"


def _date(day, calendar, typed_hijri=None):
    """A date in both calendars: the Gregorian in digits, the Hijri with its Arabic month name. A date typed in
    Hijri from an old register (`typed_hijri`, "1350-09-12") is printed as typed; a converted one says when it
    is approximate (before 1924) or computed (a month whose official start is not recorded)."""
    if not day:
        return (("—", NUMBER),)
    if typed_hijri:
        return (_gregorian(day), NUMBER), (HijriDate.from_iso(typed_hijri).text_ar, ARABIC)
    return (_gregorian(day), NUMBER), (calendar.to_hijri(day).marked_text_ar, ARABIC)


def _act_date(data, field, calendar):
    """One of the act's dates, with the Hijri typed beside it (`birth_date_hijri`...) when it has one."""
    return _date(data[field], calendar, data.get(f"{field}_hijri"))


def _place(data, event):
    if data[f"{'died' if event == 'death' else 'born'}_abroad"]:
        return ((data["birth_country"] if event == "birth" else data[f"{event}_place_detail"], ARABIC),)
    commune = data[f"{event}_place"]
    values = [(commune.name_ar, ARABIC), (commune.name_fr, LATIN)] if commune else []
    return tuple(values) or (("—", NUMBER),)


def _mention(mention, full, calendar):
    # The choice's label itself, not get_kind_display(): that one is already a text in the screen's language.
    kind_ar, kind_fr = both_languages(MentionKind(mention.kind).label)
    entry = {
        "kind": [kind_ar, kind_fr],
        "decided_on": _gregorian(mention.decided_on),
        "reference": f"{mention.reference_number} — {mention.authority_name}",
    }
    if full:
        entry["text"] = mention.text_ar
    return entry
