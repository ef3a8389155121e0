from django.utils.translation import gettext_lazy as _

from raqmana.access.registry import Permission, acts_for_an_organisation, declare

declare(
    Permission(
        "civil_status.act.read",
        _("Read and search the register"),
        _(
            "Only the civil status agents and officers of this place, its commune president and its inspectors read "
            "and search its register."
        ),
    ),
    Permission(
        "civil_status.act.draft",
        _("Draft acts, correct and abandon drafts"),
        _("Only this office's agents draft its acts."),
        superusers=False,
    ),
    Permission(
        "civil_status.act.sign", _("Sign acts"), _("Only this office's officer signs its acts."), superusers=False
    ),
    Permission(
        "civil_status.act.mention",
        _("Record marginal mentions"),
        _("Only the officer of the act's office records mentions."),
        superusers=False,
    ),
    Permission(
        "civil_status.queue.handle",
        _("Handle the office's queue: pre-declarations and death notices"),
        _("Only this office's agents handle its queue."),
        superusers=False,
    ),
)


ESTABLISHMENT_MEMBERS = "civil_status.establishment.member"


@acts_for_an_organisation(
    ESTABLISHMENT_MEMBERS,
    _("Only the members of a declaring establishment (a maternity, a hospital) file pre-declarations."),
)
def files_pre_declarations(user) -> bool:
    """A member of an active declaring establishment (a hospital's staff) is an agent: they file personal data."""
    return user.establishments.filter(is_active=True).exists()
