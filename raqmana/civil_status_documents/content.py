"""What each civil status document certifies, drawn from the act as it stands when the document is issued: the
content of its kind in the documents engine (document_kinds.py), built of the engine's rows (documents.content).
"""

from django.utils import timezone

from raqmana.access.checking import Person, assignments_of
from raqmana.access.roles import Role
from raqmana.calendars.hijri import MoroccanHijriCalendar
from raqmana.civil_status.constants import ActKind, DeclarantRelation, MentionKind, Sex
from raqmana.civil_status.selectors import act_as_of, children_of
from raqmana.documents.content import (
    ARABIC,
    LATIN,
    NUMBER,
    TIFINAGH,
    both_languages,
    choice,
    clock_time,
    dated,
    gregorian,
    person,
    row,
)
from raqmana.territories.models import AdministrativeUnit

from .constants import FULL_COPIES, CivilStatusDocument

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


def certified_content(kind, act, moment, calendar=None):
    """The document's content: the act as of `moment`, with the mentions recorded by then."""
    calendar = calendar or MoroccanHijriCalendar()
    if kind == CivilStatusDocument.FAMILY_RECORD:
        return family_record_content(act, moment, calendar)
    state = act_as_of(act, moment)
    data, mentions = state["data"], state["mentions"]
    rows = [row("رقم الرسم", "N° de l'acte", (f"{act.number}/{act.year}", NUMBER))]
    if act.idcs:
        rows.append(row("المعرف المدني والاجتماعي الرقمي", "IDCS", (act.idcs, NUMBER)))
    rows += [
        names_row("الاسم الشخصي", "Prénom", data, "first_name"),
        names_row("الاسم العائلي", "Nom", data, "family_name"),
        row("الجنس", "Sexe", *choice(Sex(data["sex"]).label)),
    ]
    full = kind in FULL_COPIES
    if act.kind == ActKind.DEATH:
        rows.append(row("تاريخ الوفاة", "Date du décès", *act_date(data, "death_date", calendar)))
        if data["death_time"]:
            rows.append(row("ساعة الوفاة", "Heure du décès", clock_time(data["death_time"])))
        rows.append(row("مكان الوفاة", "Lieu du décès", *place(data, "death")))
    rows.append(row("تاريخ الازدياد", "Date de naissance", *act_date(data, "birth_date", calendar)))
    if full and data["birth_time"]:
        rows.append(row("ساعة الازدياد", "Heure de naissance", clock_time(data["birth_time"])))
    rows.append(row("مكان الازدياد", "Lieu de naissance", *place(data, "birth")))
    rows.append(names_row("اسم الأب", "Père", data, "father_first_name", "family_name"))
    if full and data["grandfather_first_name_ar"]:
        rows.append(names_row("اسم الجد للأب", "Grand-père paternel", data, "grandfather_first_name"))
    rows.append(names_row("اسم الأم", "Mère", data, "mother_first_name", "mother_family_name"))
    if full:
        relation = choice(DeclarantRelation(data["declarant_relation"]).label)
        rows.append(row("المصرح", "Déclarant", (data["declarant_name"], ARABIC), *relation))
        rows.append(row("تاريخ التصريح", "Date de la déclaration", *act_date(data, "declared_on", calendar)))
        if data["late_judgment_number"]:
            judgment = (data["late_judgment_number"], NUMBER), (data["late_judgment_court"], ARABIC)
            rows.append(row("حكم التصريح المتأخر", "Jugement (déclaration tardive)", *judgment))
        rows.append(row("تاريخ تحرير الرسم", "Acte dressé le", *dated(timezone.localdate(act.signed_at), calendar)))
        if act.signed_by_id:
            rows.append(row("ضابط الحالة المدنية", "Officier de l'état civil", person(act.signed_by.full_name)))
    office = act.office
    return {
        "act_office": [office.name_ar, office.name_fr],
        "rows": rows,
        "mentions": [mention_entry(mention, full, calendar) for mention in mentions],
    }


def family_record_content(holder, moment, calendar):
    """The family booklet as the acts tell it at `moment`: the holder, each marriage whose mention links the
    spouse's birth act (and its end, if a divorce is recorded), and the children whose birth acts name the
    holder as parent by IDCS, with their deaths."""
    state = act_as_of(holder, moment)
    data, mentions = state["data"], state["mentions"]
    rows = [
        names_row("صاحب الدفتر", "Titulaire", data, "first_name", "family_name"),
        row("المعرف المدني والاجتماعي الرقمي", "IDCS", (holder.idcs, NUMBER)),
        row("تاريخ الازدياد", "Date de naissance", *act_date(data, "birth_date", calendar)),
        row("مكان الازدياد", "Lieu de naissance", *place(data, "birth")),
        row("رسم الولادة", "Acte de naissance", (holder.reference, NUMBER)),
    ]
    ended = {m.related_act_id: m.decided_on for m in mentions if m.kind == MentionKind.DIVORCE and m.related_act_id}
    for marriage in (m for m in mentions if m.kind == MentionKind.MARRIAGE and m.related_act_id):
        spouse = act_as_of(marriage.related_act, moment)["data"]
        values = full_names(spouse)
        values.append((f"{marriage.related_act.idcs} — {gregorian(spouse['birth_date'])}", NUMBER))
        values.append((f"{gregorian(marriage.decided_on)} — {marriage.reference_number}", NUMBER))
        if marriage.related_act_id in ended:
            values.append((f"انحلال الزواج: {gregorian(ended[marriage.related_act_id])}", ARABIC))
        rows.append(row("الزواج", "Mariage", *values))
    children = children_of(holder).filter(signed_at__lte=moment).select_related("office")
    for number, child_act in enumerate(children, start=1):
        child = act_as_of(child_act, moment)
        values = full_names(child["data"])
        values.append((f"{gregorian(child['data']['birth_date'])} — {child_act.reference}", NUMBER))
        death = next((m for m in child["mentions"] if m.kind == MentionKind.DEATH), None)
        if death is not None:
            values.append((f"الوفاة: {gregorian(death.decided_on)}", ARABIC))
        rows.append(row(f"الولد {number}", f"Enfant {number}", *values))
    death = next((m for m in mentions if m.kind == MentionKind.DEATH), None)
    if death is not None:
        rows.append(row("وفاة صاحب الدفتر", "Décès du titulaire", *dated(death.decided_on, calendar)))
    return {
        "act_office": [holder.office.name_ar, holder.office.name_fr],
        "rows": rows,
        "mentions": [mention_entry(mention, False, calendar) for mention in mentions],
    }


def names_row(label_ar, label_fr, data, field, family_field=None):
    """A name in its three scripts; a parent's name followed by the family name given to them."""

    def joined(script):
        # A script's line only where the person's own name is written in it.
        own = data.get(f"{field}_{script}", "")
        family = data.get(f"{family_field}_{script}", "") if family_field and own else ""
        return f"{own} {family}".strip()

    values = [(joined("ar"), ARABIC), (joined("latin"), LATIN), (joined("tfng"), TIFINAGH)]
    return row(label_ar, label_fr, *[(text, script) for text, script in values if text])


def full_names(data):
    """A spouse's or a child's first and family name in Arabic, and in Latin letters where the act has them."""
    values = [(f"{data['first_name_ar']} {data['family_name_ar']}", ARABIC)]
    if data["first_name_latin"]:
        values.append((f"{data['first_name_latin']} {data['family_name_latin']}", LATIN))
    return values


def act_date(data, field, calendar):
    """One of the act's dates, with the Hijri typed beside it (`birth_date_hijri`...) when it has one."""
    return dated(data[field], calendar, data.get(f"{field}_hijri"))


def place(data, event):
    if data[f"{'died' if event == 'death' else 'born'}_abroad"]:
        return ((data["birth_country"] if event == "birth" else data[f"{event}_place_detail"], ARABIC),)
    commune = data[f"{event}_place"]
    values = [(commune.name_ar, ARABIC), (commune.name_fr, LATIN)] if commune else []
    return tuple(values) or (("—", NUMBER),)


def mention_entry(mention, full, calendar):
    # The choice's label itself, not get_kind_display(): that one is already a text in the screen's language.
    kind_ar, kind_fr = both_languages(MentionKind(mention.kind).label)
    entry = {
        "kind": [kind_ar, kind_fr],
        "decided_on": gregorian(mention.decided_on),
        "reference": f"{mention.reference_number} — {mention.authority_name}",
    }
    if full:
        entry["text"] = mention.text_ar
    return entry
