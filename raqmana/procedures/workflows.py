"""The dossier's workflow, as every write on dossiers uses it: its states and steps, who takes each, and the legal
delay of its procedure (Law 55-19, art. 16), paused while the applicant is asked for more, which approves the
dossier when it runs out if silence means approval for its procedure (decree 2-22-141)."""

from django.utils.translation import gettext_lazy as _

from raqmana.kernel import reference_data
from raqmana.workflows.engine import ClockRule, Transition, Workflow

from .constants import (
    OPINION_DELAY_WORKING_DAYS,
    OPINION_PERMISSIONS,
    REFERRAL_DELAY_WORKING_DAYS,
    CommissionMember,
    DossierState,
    OpinionState,
)
from .models import PROCEDURES, Dossier, DossierTransition, Opinion, OpinionTransition, Procedure

S = DossierState


# What moving a dossier reads beside its own row.
LOCKED_RELATIONS = ("procedure", "version", "unit", "commune", "applicant")
# What saving answers or filing reads: no office, which a draft has not yet and answers do not depend on.
ANSWERING_RELATIONS = ("procedure", "version", "commune", "applicant")
# Of those, what never changes under a dossier (a form version, a commune, a person): a caller's copy is as good as
# a new read. A procedure (published, its delay) and an office are settings the administration changes: read again.
KEPT_RELATIONS = frozenset({"version", "commune", "applicant"})


def lock_dossier(dossier: Dossier | object, relations: tuple[str, ...] = LOCKED_RELATIONS) -> Dossier:
    """The dossier's row (given as a Dossier or its id), locked until the transaction ends, with what moving it needs
    (`relations`, read with it; any other is read when first used). What a given Dossier already holds of its form
    version, commune and applicant, while the row still names the same, is kept rather than read again: a filing
    locks its draft at each step."""
    held = {}
    if isinstance(dossier, Dossier):
        held = {
            name: field.get_cached_value(dossier)
            for name in relations
            if name in KEPT_RELATIONS and (field := Dossier._meta.get_field(name)).is_cached(dossier)
        }
        dossier = dossier.pk
    query = Dossier.objects.select_for_update(of=("self",))
    # The procedure comes from the cache of reference data rather than a join: Django takes longer to compile and
    # read a select of its 23 columns than the database to answer it.
    if missing := [name for name in relations if name not in held and name != "procedure"]:
        query = query.select_related(*missing)
    if "version" in missing:
        query = query.defer("version__definition")  # read once per process: ProcedureVersion.form keeps it parsed
    locked = query.get(pk=dossier)
    for name, related in held.items():
        if getattr(locked, f"{name}_id") == (related.pk if related is not None else None):
            Dossier._meta.get_field(name).set_cached_value(locked, related)
    if "procedure" in relations:
        Dossier._meta.get_field("procedure").set_cached_value(locked, procedure(locked.procedure_id))
    return locked


def procedure(pk: int) -> Procedure:
    """A procedure as it now stands, from the cache of reference data (a copy of its own for each caller)."""
    return reference_data.cached(PROCEDURES, f"procedure:{pk}", lambda: Procedure.objects.get(pk=pk))


def lock_for_clocks(pk: object) -> Dossier:
    """A dossier as the clocks' runner locks it: with what its delays' expiry reads (its procedure, whether it goes
    to a commission; its office, for the audit trail), the sweep over thousands due being kept quick."""
    return lock_dossier(pk, relations=("procedure", "unit"))


def _approved_by_silence(dossier: Dossier, reason: str) -> None:
    from .services.review import approved_by_silence  # the services move dossiers through this module

    approved_by_silence(dossier, reason)


def _referred(dossier: Dossier, reason: str) -> None:
    from .services.commission import refer_to_commission

    refer_to_commission(dossier, by=None)


def decision_delay(dossier: Dossier) -> tuple[int, bool]:
    """The delay the dossier was filed under: its days, and whether they are working days."""
    return dossier.delay_days or 1, dossier.delay_in_working_days


DOSSIER_WORKFLOW = Workflow(
    "procedures.dossier",
    states=DossierState,
    transitions=[
        Transition([S.DRAFT], S.FILED, applicant=True),
        Transition([S.DRAFT], S.EXPIRED, system=True),
        # Taken up by an agent; a large project's file goes to the commission by itself once its delay runs out.
        Transition([S.FILED], S.UNDER_REVIEW, permission="procedures.dossier.review", system=True),
        Transition([S.FILED, S.UNDER_REVIEW], S.INFORMATION_REQUESTED, permission="procedures.dossier.review"),
        # The applicant answers what was asked; the review goes on where it was left.
        Transition([S.INFORMATION_REQUESTED], S.UNDER_REVIEW, applicant=True),
        Transition([S.FILED, S.UNDER_REVIEW], S.APPROVED, permission="procedures.dossier.decide"),
        # Approved with a construction tax to pay: the permit is released once it is paid.
        Transition([S.FILED, S.UNDER_REVIEW], S.AWAITING_PAYMENT, permission="procedures.dossier.decide"),
        Transition([S.AWAITING_PAYMENT], S.APPROVED, system=True),
        Transition([S.FILED, S.UNDER_REVIEW], S.REFUSED, permission="procedures.dossier.decide"),
        Transition([S.FILED, S.UNDER_REVIEW, S.INFORMATION_REQUESTED], S.APPROVED_BY_SILENCE, system=True),
        # A refused dossier sent back for a new examination (on the applicant's appeal, or the commission's).
        Transition([S.REFUSED], S.UNDER_REVIEW, permission="procedures.dossier.decide"),
        Transition([S.FILED, S.UNDER_REVIEW, S.INFORMATION_REQUESTED], S.WITHDRAWN, applicant=True),
    ],
    log=DossierTransition,
    link="dossier",
    refused=_("A dossier cannot go from “%(from)s” to “%(to)s”."),
    place=lambda dossier: dossier.unit,
    applicant=lambda dossier: dossier.applicant,
    lock=lock_for_clocks,
    due=("decision", "decision_due_at"),
    clocks=[
        ClockRule(
            "decision",
            runs_in=[S.FILED, S.UNDER_REVIEW],
            paused_in=[S.INFORMATION_REQUESTED],
            expires_to=S.APPROVED_BY_SILENCE,
            reason=_("No decision within the legal delay: silence means approval (decree 2-22-141)."),
            measured_by=decision_delay,
            moves_when=lambda dossier: dossier.silence_means_approval,
            then=_approved_by_silence,
        ),
        ClockRule(
            "referral",
            runs_in=[S.FILED],
            expires_to=S.UNDER_REVIEW,
            days=REFERRAL_DELAY_WORKING_DAYS,
            working_days=True,
            reason=_("Sent to the commission: a large project's file reaches it within 3 working days."),
            applies_when=lambda dossier: dossier.procedure.through_commission,
            then=_referred,
        ),
    ],
)


def lock_opinion(pk: object) -> Opinion:
    """An opinion's row locked after its dossier's, as every write on both takes them."""
    dossier_id = Opinion.objects.values_list("dossier_id", flat=True).get(pk=pk)
    lock_dossier(dossier_id)
    return (
        Opinion.objects.select_for_update(of=("self",))
        .select_related("dossier__commune", "dossier__version")
        .get(pk=pk)
    )


def opinion_delay(opinion: Opinion) -> tuple[int, bool]:
    """A member's delay, in working days: the procedure's own when its definition sets one, else 15."""
    commission = opinion.dossier.version.definition.get("commission") or {}
    days = commission.get("opinion_working_days", OPINION_DELAY_WORKING_DAYS)
    return (days if isinstance(days, int) and not isinstance(days, bool) and 1 <= days <= 60 else 15), True


OPINION_WORKFLOW = Workflow(
    "procedures.opinion",
    states=OpinionState,
    transitions=[
        # A member gives its opinion, late or not: a late one stays counted late (its clock ran out).
        Transition(
            [OpinionState.REQUESTED, OpinionState.LAPSED],
            OpinionState.GIVEN,
            permission=lambda opinion: OPINION_PERMISSIONS[CommissionMember(opinion.member)],
        ),
        Transition([OpinionState.REQUESTED], OpinionState.LAPSED, system=True),
        Transition([OpinionState.REQUESTED], OpinionState.CLOSED, system=True),
    ],
    log=OpinionTransition,
    link="opinion",
    refused=_("An opinion cannot go from “%(from)s” to “%(to)s”."),
    place=lambda opinion: opinion.dossier.commune,
    lock=lock_opinion,
    clocks=[
        ClockRule(
            "opinion",
            runs_in=[OpinionState.REQUESTED],
            expires_to=OpinionState.LAPSED,
            reason=_("No opinion within the member's delay."),
            measured_by=opinion_delay,
        )
    ],
)
