"""The proposals channel: officials propose for the collectivity they act for, others comment and support once
(never their own), the DGCT moves a proposal through its states with a published outcome and the proposer is
told; the lists by state, region and support; the good practices."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from raqmana.audit.models import AuditEvent
from raqmana.notifications.models import Notification
from raqmana.procedures.models import Procedure
from raqmana.proposals import selectors, services
from raqmana.proposals.constants import ProposalState
from raqmana.proposals.models import ProposalTransition

pytestmark = pytest.mark.django_db


def test_an_official_proposes_for_the_collectivity_they_act_for(proposed, president, temara, skhirate):
    procedure = Procedure.objects.filter(published=True).first()
    found = proposed(procedure=procedure)
    assert found.state == ProposalState.RECEIVED and found.region.level == "region"
    assert found.region == temara.parent.parent and found.procedure == procedure
    assert ProposalTransition.objects.filter(proposal=found, to_state="received", by=president).exists()
    assert AuditEvent.objects.filter(action="proposal.submitted", target_id=str(found.pk)).exists()
    with pytest.raises(ValidationError) as elsewhere:
        proposed(collectivity=skhirate)
    assert "collectivity" in elsewhere.value.message_dict


@pytest.mark.parametrize(("field", "value"), [("title", ""), ("problem", "  "), ("proposal", "x\u202ey")])
def test_bad_input_is_refused_on_its_field(proposed, field, value):
    with pytest.raises(ValidationError) as refused:
        proposed(**{field: value})
    assert field in refused.value.message_dict


def test_only_collectivity_officials_propose(urban_agency, dgct, temara):
    for outsider in (urban_agency, dgct):
        with pytest.raises(PermissionDenied):
            services.submit(by=outsider, collectivity=temara, title="T", problem="P", proposal="Q")
    with pytest.raises(PermissionDenied):
        selectors.proposals(urban_agency)


def test_others_support_once_and_comment(proposed, president, skhirate_agent, governor_services, dgct):
    found = proposed()
    with pytest.raises(ValidationError):
        services.support(found, by=president)
    services.support(found, by=skhirate_agent)
    with pytest.raises(ValidationError):
        services.support(found, by=skhirate_agent)
    services.support(found, by=governor_services)
    services.comment(found, by=dgct, text="Une bonne idée, à généraliser.")
    written = services.comment(found, by=skhirate_agent, text="Skhirate le ferait aussi.")
    assert written.collectivity.code == "04.501.01.05"
    with pytest.raises(ValidationError):
        services.comment(found, by=skhirate_agent, text="")
    assert selectors.proposal_for(skhirate_agent, found.pk).support_count == 2


def test_the_dgct_moves_it_with_a_published_outcome_and_the_proposer_is_told(proposed, president, dgct):
    found = proposed()
    with pytest.raises(PermissionDenied):
        services.move(found, by=president, to_state="under_study")
    services.move(found, by=dgct, to_state="under_study")
    with pytest.raises(ValidationError) as silent:
        services.move(found, by=dgct, to_state="adopted")
    assert "outcome" in silent.value.message_dict
    services.move(found, by=dgct, to_state="adopted", outcome="Adoptée : le formulaire national est publié.")
    with pytest.raises(ValidationError):
        services.move(found, by=dgct, to_state="rejected", outcome="Trop tard")
    done = services.move(found, by=dgct, to_state="implemented", outcome="En service dans 12 communes.")
    assert done.state == ProposalState.IMPLEMENTED and done.outcome == "En service dans 12 communes."
    assert Notification.objects.filter(user=president, kind="proposals.moved").count() == 3
    assert [step.to_state for step in done.transitions.order_by("at", "pk")] == [
        "received", "under_study", "adopted", "implemented"
    ]  # fmt: skip


def test_a_rejection_says_why_and_closes_supports(proposed, dgct, skhirate_agent):
    found = proposed()
    with pytest.raises(ValidationError) as silent:
        services.move(found, by=dgct, to_state="rejected")
    assert "outcome" in silent.value.message_dict
    services.move(found, by=dgct, to_state="rejected", outcome="Relève de la loi, pas d'un formulaire.")
    found.refresh_from_db()
    with pytest.raises(ValidationError):
        services.support(found, by=skhirate_agent)


def test_the_lists_by_state_region_and_support_and_the_good_practices(
    proposed, president, skhirate_agent, governor_services, dgct
):
    first, second = proposed(title="Premier"), proposed(title="Second")
    services.support(second, by=skhirate_agent)
    services.support(second, by=governor_services)
    services.support(first, by=skhirate_agent)
    listed = selectors.proposals(skhirate_agent, ordering="supported")
    assert [found.title for found in listed] == ["Second", "Premier"]
    assert [found.title for found in selectors.proposals(skhirate_agent)] == ["Second", "Premier"]
    assert selectors.proposals(dgct, region=first.region).count() == 2
    services.move(first, by=dgct, to_state="adopted", outcome="Adoptée.")
    assert [found.title for found in selectors.proposals(president, state="adopted")] == ["Premier"]
    assert [found.title for found in selectors.good_practices(skhirate_agent)] == ["Premier"]
    assert list(selectors.regions_with_proposals()) == [first.region]
    assert selectors.counts_by_state()["adopted"] == 1
