"""The proposals channel's pages: an official proposes (a refusal keeps what was typed), another supports and
comments, the DGCT adopts it and it shows among the good practices; in Arabic right to left; closed to citizens
and to the commission's outside members."""

import pytest
from django.urls import reverse

from raqmana.accounts.tests.factories import UserFactory
from raqmana.procedures.tests.test_pages import signed_in
from raqmana.proposals.constants import ProposalState
from raqmana.proposals.models import Proposal

pytestmark = pytest.mark.django_db


def test_a_proposal_is_made_supported_commented_and_adopted(president, skhirate_agent, dgct, temara):
    proposer = signed_in(president, "ar")
    page = proposer.get(reverse("proposals:submit"))
    assert page.status_code == 200 and 'dir="rtl"' in page.text
    data = {"collectivity": temara.pk, "title": "Attestation en ligne", "problem": "", "proposal": "Tout en ligne."}
    refused = proposer.post(reverse("proposals:submit"), data)
    assert refused.status_code == 200 and "Attestation en ligne" in refused.text and not Proposal.objects.exists()
    done = proposer.post(reverse("proposals:submit"), {**data, "problem": "Trois déplacements."}, follow=True)
    found = Proposal.objects.get()
    assert done.redirect_chain[-1][0] == reverse("proposals:proposal", args=[found.pk])

    other = signed_in(skhirate_agent)
    assert "Attestation en ligne" in other.get(reverse("proposals:list"), {"ordering": "supported"}).text
    other.post(reverse("proposals:support", args=[found.pk]))
    other.post(reverse("proposals:comment", args=[found.pk]), {"text": "Nous aussi."})
    page = other.get(reverse("proposals:proposal", args=[found.pk]))
    assert "Nous aussi." in page.text and reverse("proposals:move", args=[found.pk]) not in page.text
    assert other.post(reverse("proposals:move", args=[found.pk]), {"state": "adopted"}).status_code == 403

    decider = signed_in(dgct)
    silent = decider.post(reverse("proposals:move", args=[found.pk]), {"state": "adopted", "outcome": ""})
    assert silent.status_code == 200
    decider.post(reverse("proposals:move", args=[found.pk]), {"state": "adopted", "outcome": "Généralisée."})
    found.refresh_from_db()
    assert found.state == ProposalState.ADOPTED
    offered = decider.get(reverse("proposals:proposal", args=[found.pk])).text  # adopted: only its implementation
    assert 'value="implemented"' in offered and 'value="rejected"' not in offered
    assert "Généralisée." in other.get(reverse("proposals:good_practices")).text
    assert other.get(reverse("proposals:list"), {"state": "nonsense", "region": "x"}).status_code == 200


def test_citizens_and_outside_members_are_kept_out(proposed, urban_agency):
    found = proposed()
    for outsider in (UserFactory(), urban_agency):
        client = signed_in(outsider)
        assert client.get(reverse("proposals:list")).status_code == 403
        assert client.get(reverse("proposals:proposal", args=[found.pk])).status_code == 403
