"""A dossier from its draft to its filing: started under a published procedure, saved as the applicant types,
linked to the civil status register instead of a copied identity document, given its files, then filed: routed to the
competent office, numbered in its register, its legal delay started, and its receipt issued at once (Law 55-19)."""

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from raqmana.accounts.models import Enterprise, User
from raqmana.audit.services import record
from raqmana.calendars.workdays import WorkingCalendar
from raqmana.civil_status.constants import ActKind
from raqmana.civil_status.idcs import is_valid_idcs
from raqmana.civil_status.models import Act
from raqmana.civil_status.names import is_first_name_of
from raqmana.civil_status.selectors import act_as_of
from raqmana.documents import services as documents
from raqmana.kernel.sequences import next_number
from raqmana.notifications.services import notify
from raqmana.territories.constants import LOCAL_LEVELS
from raqmana.territories.models import Territory
from raqmana.territories.selectors import local_place

from .. import rules
from ..constants import DOSSIER_REGISTER, DossierState
from ..formdefs import Checked, FieldType, check_answers
from ..models import Dossier, Procedure
from ..routing import competent_unit, group_for, site_served_here
from ..selectors import hold_kept_files, kept_files
from ..workflows import ANSWERING_RELATIONS, DOSSIER_WORKFLOW, lock_dossier

# What filing decides on (whether the procedure is open, who may file it, its delay and office), read from its row
# at filing: the cache of reference data may hold a procedure the administration changed in another process up to
# reference_data.VERSION_REUSE_SECONDS earlier.
FILING_SETTINGS = (
    "published",
    "current_version_id",
    "citizens_may_file",
    "enterprises_may_file",
    "competent_unit_kind",
    "delay_days",
    "delay_in_working_days",
    "investment_project",
    "silence_means_approval",
    "through_commission",
)

# The states in which the applicant may change the answers: the draft, and a dossier sent back for corrections.
EDITABLE_STATES = (DossierState.DRAFT, DossierState.INFORMATION_REQUESTED)
RECEIPT_PURPOSE = gettext_lazy("Receipt of a dossier filed (Law 55-19)")


def check_may_file(procedure: Procedure, applicant: User, enterprise: Enterprise | None) -> int:
    """Only a published procedure is filed, by whom it names: a citizen in their own name, or an enterprise through
    one of its active representatives. Returns the id of the form in force."""
    version_id = procedure.current_version_id
    if not procedure.published or version_id is None:
        raise ValidationError(_("This procedure is not open to filing."), code="not_published")
    if enterprise is None and not procedure.citizens_may_file:
        raise ValidationError(_("This procedure is filed by an enterprise, through its representative."))
    if enterprise is not None:
        if not procedure.enterprises_may_file:
            raise ValidationError(_("This procedure is filed by a citizen, in their own name."))
        if not enterprise.representatives.active().filter(user=applicant).exists():
            raise PermissionDenied(_("Only a representative of the enterprise files in its name."))
    return version_id


def start_draft(
    applicant: User, procedure: Procedure, *, commune: Territory, enterprise: Enterprise | None = None
) -> Dossier:
    """A new draft under the procedure's form in force, for a project in `commune` (a commune or an arrondissement)."""
    version_id = check_may_file(procedure, applicant, enterprise)
    if commune.level not in LOCAL_LEVELS:
        raise ValidationError({"commune": _("Choose the commune of the project.")})
    with transaction.atomic():
        dossier = Dossier.objects.create(
            procedure=procedure,
            version_id=version_id,
            applicant=applicant,
            enterprise=enterprise,
            commune=commune,
        )
        DOSSIER_WORKFLOW.open(dossier, by=applicant)
    return dossier


def check_applicant(dossier: Dossier, by: User) -> None:
    """Only the applicant changes a draft, its answers, its files."""
    if dossier.applicant_id != by.pk:
        raise PermissionDenied(_("Only the applicant changes this dossier."))


def check_editable(dossier: Dossier) -> None:
    """Answers and files change only on a draft and on a dossier sent back for corrections."""
    if dossier.state not in EDITABLE_STATES:
        raise ValidationError(
            _("This dossier can no longer be changed: it is “%(state)s”.") % {"state": dossier.get_state_display()},
            code="not_editable",
        )


def checked_answers(dossier: Dossier, given: Mapping[str, Any], *, complete: bool) -> Checked:
    """The answers checked against the dossier's own form version. What the applicant sends for a file field or the
    civil status link is never taken: a file field holds the dossier's files given for it, kept and not infected
    (so that a save racing an upload loses neither), the link what the register gave."""
    form = dossier.version.form
    given = _without_files(form.fields, given)
    for link in form.civil_status_links():
        given[link.key] = dossier.answers.get(link.key)
    for attachment in kept_files(dossier):
        _place_file(given, attachment.path, attachment.pk)

    places: dict[str, Territory | None] = {}

    def commune_ok(code: str) -> bool:
        if code not in places:
            places[code] = local_place(code)
        return places[code] is not None

    checked = check_answers(form, given, complete=complete, commune_ok=commune_ok, today=timezone.localdate())
    site = (checked.answers.get(form.site) or {}).get("commune") if form.site else None
    if site and not site_served_here(dossier.procedure, places[site], dossier.commune):
        checked.errors.setdefault(form.site, []).append(
            _("The project lies in another commune than this dossier's: start a dossier for that commune.")
        )
    return checked


def _without_files(fields: Any, given: Any) -> dict[str, Any]:
    """A copy of the answers given, without any value for a file field, at any depth."""
    if not isinstance(given, Mapping):
        return {}
    kept = {key: value for key, value in given.items() if isinstance(key, str)}
    for item in fields:
        if item.type == FieldType.FILE:
            kept.pop(item.key, None)
        elif item.type == FieldType.REPEAT and isinstance(kept.get(item.key), list):
            kept[item.key] = [_without_files(item.fields, entry) for entry in kept[item.key]]
    return kept


def _place_file(answers: dict[str, Any], path: str, pk: int) -> None:
    """Put an attachment's id in the answers where its path says: "key", or "block.N.key" for a block's entry N."""
    parts = path.split(".")
    if len(parts) == 3:
        entries = answers.get(parts[0])
        index = int(parts[1])
        if not isinstance(entries, list):
            entries = answers[parts[0]] = []
        entries.extend({} for _ in range(index + 1 - len(entries)))
        answers = entries[index]
    answers.setdefault(parts[-1], []).append(pk)


def save_answers(dossier: Dossier, given: Mapping[str, Any], *, by: User) -> Checked:
    """Keep what the applicant typed that is well formed (a draft saved as they type, or a dossier being
    corrected), and say what is not; required fields wait for the filing. Answers that are not an object are refused
    whole: they would empty the draft."""
    if not isinstance(given, Mapping):
        raise ValidationError(_("The answers are sent as an object of fields and values."), code="not_an_object")
    with transaction.atomic():
        dossier = lock_dossier(dossier, ANSWERING_RELATIONS)
        check_applicant(dossier, by)
        check_editable(dossier)
        checked = checked_answers(dossier, given, complete=False)
        dossier.answers = checked.answers
        dossier.expiry_warned_at = None  # a draft worked on is no longer about to expire
        dossier.save(update_fields=["answers", "expiry_warned_at", "updated_at"])
    return checked


def link_civil_status(dossier: Dossier, *, by: User, idcs: str, birth_date: date, first_name: str) -> dict[str, Any]:
    """Fill the form's civil status link from the register, instead of asking for a copy of an identity document
    (Law 55-19: what the administration holds is not asked). The applicant names their birth act by its IDCS, their
    date of birth and first name, which must all match it as its mentions have corrected it; the read is logged,
    and so is a miss, without what was typed."""
    form = dossier.version.form
    links = form.civil_status_links()
    if not links:
        raise ValidationError(_("This procedure needs no civil status link."))
    idcs = (idcs or "").replace(" ", "")
    act = (
        Act.objects.signed().filter(kind=ActKind.BIRTH, idcs=idcs).select_related("office").first()
        if is_valid_idcs(idcs)
        else None
    )
    current = act_as_of(act, timezone.now())["data"] if act is not None else None
    if (
        act is None
        or current is None
        or current["birth_date"] != birth_date
        or not is_first_name_of(current, first_name)
    ):
        record(actor=by, action="dossier.civil_status_link_missed", target=by)
        raise ValidationError(
            _("No birth act matches this IDCS, date of birth and first name. Check them against your family booklet."),
            code="no_act",
        )
    link = {
        "idcs": idcs,
        "act": act.reference,
        "names": {
            "first_name_ar": current["first_name_ar"],
            "family_name_ar": current["family_name_ar"],
            "first_name_latin": current["first_name_latin"],
            "family_name_latin": current["family_name_latin"],
        },
        "birth_date": current["birth_date"].isoformat(),
        "sex": current["sex"],
    }
    with transaction.atomic():
        dossier = lock_dossier(dossier, ANSWERING_RELATIONS)
        check_applicant(dossier, by)
        check_editable(dossier)
        dossier.answers = {**dossier.answers, links[0].key: link}
        dossier.save(update_fields=["answers", "updated_at"])
        record(
            actor=by,
            action="act.read",
            target=act,
            reason=gettext_lazy("Civil status link of a dossier"),
            unit=act.office,
        )
    return link


@transaction.atomic
def file_dossier(dossier: Dossier, *, by: User) -> Dossier:
    """File a complete draft: routed to the competent office (`routing.competent_unit`), numbered in its register,
    its delay taken from the procedure as the law caps it (art. 16) and started, and its receipt, with its number and
    date, issued at once (Law 55-19). Every missing or faulty answer is named at once (ValidationError by field)."""
    dossier = lock_dossier(dossier, ANSWERING_RELATIONS)  # a draft: its office is the one routing gives it here
    hold_kept_files(dossier)
    check_applicant(dossier, by)
    if dossier.state != DossierState.DRAFT:
        raise ValidationError(_("This dossier was already filed."), code="already_filed")
    procedure = dossier.procedure  # the dossier's own copy: the settings filing decides on are read again
    for name, value in Procedure.objects.values(*FILING_SETTINGS).get(pk=procedure.pk).items():
        setattr(procedure, name, value)
    check_may_file(procedure, by, dossier.enterprise)
    checked = checked_answers(dossier, dossier.answers, complete=True)
    if not checked.valid:
        raise ValidationError(checked.errors)
    unit = competent_unit(procedure, dossier.commune)
    now = timezone.now()
    dossier.answers = checked.answers
    dossier.unit = unit
    dossier.group = group_for(dossier)
    dossier.year = timezone.localdate(now).year
    dossier.number = next_number(DOSSIER_REGISTER, unit, dossier.year)
    dossier.filed_at = now
    dossier.delay_days, dossier.delay_in_working_days = rules.decision_delay(
        procedure.delay_days,
        working_days=procedure.delay_in_working_days,
        investment_project=procedure.investment_project,
        filed_on=timezone.localdate(now),
        calendar=WorkingCalendar(),
    )
    dossier.silence_means_approval = procedure.silence_means_approval
    DOSSIER_WORKFLOW.move(dossier, DossierState.FILED, by=by, saved_whole=True)
    dossier.receipt = documents.issue_document(
        dossier,
        "dossier_receipt",
        unit=unit,
        issued_by=None,
        requester={"name": applicant_name(dossier)},
        purpose=str(RECEIPT_PURPOSE),
        account=by,
    )
    dossier.save()
    record(actor=by, action="dossier.filed", target=dossier, unit=unit, reason=procedure.title_fr)
    tell(dossier, "procedures.dossier_filed")
    return dossier


def applicant_name(dossier: Dossier) -> str:
    """Who the dossier is filed by, as printed: the enterprise's name with its representative's, or the person's
    name as the register gives it when linked, else as their account holds it."""
    person = dossier.applicant.full_name
    form = dossier.version.form
    for link in form.civil_status_links():
        names = (dossier.answers.get(link.key) or {}).get("names")
        if names:
            person = f"{names['first_name_ar']} {names['family_name_ar']}".strip() or person
    if dossier.enterprise is not None:
        return f"{dossier.enterprise.legal_name} — {person}"
    return person


def tell(dossier: Dossier, key: str, **context: Any) -> None:
    """Tell the applicant, in their language, of what happened to the dossier, with the address of its page."""
    url = documents.public_url("procedures:dossier", dossier.pk)
    notify(dossier.applicant, key, {"dossier": dossier, "url": url, **context}, unit=dossier.unit)
