"""The register's workflows: the act, the pre-declaration and the death notice, with who takes each step."""

from django.utils.translation import gettext_lazy as _

from raqmana.workflows.engine import Transition, Workflow

from .constants import ActState, DeathNoticeState, PreDeclarationState
from .models import ActTransition, DeathNoticeTransition, PreDeclarationTransition

# The act's life (Law 36-21): an agent drafts, the office's officer signs; a signed act never changes again (it only
# receives marginal mentions). A draft that will not be signed is abandoned, never deleted.
ACT_WORKFLOW = Workflow(
    "civil_status.act",
    states=ActState,
    transitions=[
        Transition([ActState.DRAFT], ActState.SIGNED, permission="civil_status.act.sign"),
        Transition([ActState.DRAFT], ActState.ABANDONED, permission="civil_status.act.draft"),
    ],
    log=ActTransition,
    link="act",
    refused=_("An act cannot go from “%(from)s” to “%(to)s”."),
    place=lambda act: act.office,
)

# A pre-declaration waits in its office's queue until an agent takes it up with the declarant; it ends registered
# (the officer signs the act) or dismissed with a reason (a duplicate, an error of the establishment).
PRE_DECLARATION_WORKFLOW = Workflow(
    "civil_status.pre_declaration",
    states=PreDeclarationState,
    transitions=[
        Transition([PreDeclarationState.RECEIVED], PreDeclarationState.TAKEN_UP, permission="civil_status.act.draft"),
        Transition(
            [PreDeclarationState.RECEIVED, PreDeclarationState.TAKEN_UP],
            PreDeclarationState.DISMISSED,
            permission="civil_status.queue.handle",
        ),
        Transition([PreDeclarationState.TAKEN_UP], PreDeclarationState.REGISTERED, permission="civil_status.act.sign"),
        # Its draft was abandoned: back to the queue.
        Transition([PreDeclarationState.TAKEN_UP], PreDeclarationState.RECEIVED, permission="civil_status.act.draft"),
    ],
    log=PreDeclarationTransition,
    link="pre_declaration",
    refused=_("A pre-declaration cannot go from “%(from)s” to “%(to)s”."),
    place=lambda pre_declaration: pre_declaration.office,
)

# A death notice waits in the queue of the office keeping the birth act until one of its agents takes note.
DEATH_NOTICE_WORKFLOW = Workflow(
    "civil_status.death_notice",
    states=DeathNoticeState,
    transitions=[
        Transition([DeathNoticeState.RECEIVED], DeathNoticeState.NOTED, permission="civil_status.queue.handle"),
    ],
    log=DeathNoticeTransition,
    link="notice",
    refused=_("A death notice cannot go from “%(from)s” to “%(to)s”."),
    place=lambda notice: notice.office,
)
