"""A proposal adopted, in Chromium, in Arabic and French, on a wide screen and a phone: Témara's president proposes
(a refusal keeps what was typed), Skhirate's permits agent supports and comments, the DGCT adopts it with its
outcome, and it shows among the good practices for every collectivity. With RAQMANA_SCREENSHOTS set, each page is
photographed into var/screens/proposals/."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from raqmana.complaints.tests.test_pages_browser import page_for
from raqmana.kernel.tests.browsers import PHONE, WIDE, photograph
from raqmana.proposals.constants import ProposalState
from raqmana.proposals.models import Proposal

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["wide", "phone"])
@pytest.mark.parametrize("language", ["ar", "fr"])
def test_a_proposal_is_made_supported_and_adopted(
    browser, live_server, territories_in_transactional_db, president, skhirate_agent, dgct, language, viewport
):
    def shot(page, name):
        photograph(page, name, language, viewport, folder="proposals")

    proposer = page_for(browser, live_server, language, viewport, president)
    proposer.goto(live_server.url + reverse("proposals:submit"))
    proposer.locator("#id_title").fill("Attestation de résidence en ligne")
    proposer.locator("#id_proposal").fill("Déposer la demande en ligne et recevoir l'attestation signée.")
    shot(proposer, "submit")
    proposer.locator("main form button[type=submit]").click()  # the problem is missing: what was typed stays
    expect(proposer.locator("main .errorlist").first).to_be_visible()
    expect(proposer.locator("#id_title")).to_have_value("Attestation de résidence en ligne")
    proposer.locator("#id_problem").fill("Le citoyen se déplace trois fois pour une attestation.")
    proposer.locator("main form button[type=submit]").click()
    expect(proposer.locator("main h1")).to_have_text("Attestation de résidence en ligne")
    found = Proposal.objects.get()

    other = page_for(browser, live_server, language, viewport, skhirate_agent)
    other.goto(live_server.url + reverse("proposals:list") + "?ordering=supported")
    shot(other, "list")
    other.locator(f"a[href$='/proposals/{found.pk}/']").first.click()
    other.locator("form[action$='/support/'] button").click()
    expect(other.locator("form[action$='/support/'] p")).to_be_visible()
    other.locator("#id_text").fill("Skhirate le ferait aussi, avec le même formulaire.")
    other.locator("form[action$='/comment/'] button").click()
    expect(other.locator("main .comment")).to_contain_text("Skhirate le ferait aussi")
    shot(other, "proposal-supported")

    decider = page_for(browser, live_server, language, viewport, dgct)
    decider.goto(live_server.url + reverse("proposals:proposal", args=[found.pk]))
    decider.locator("#id_state").select_option("adopted")
    decider.locator("#id_outcome").fill("Adoptée : le formulaire national sera publié au catalogue.")
    decider.locator("form[action$='/move/'] button").click()
    expect(decider.locator("main .panel.ok")).to_contain_text("le formulaire national")
    shot(decider, "proposal-adopted")
    found.refresh_from_db()
    assert found.state == ProposalState.ADOPTED

    proposer.goto(live_server.url + reverse("proposals:good_practices"))
    expect(proposer.locator("main")).to_contain_text("Attestation de résidence en ligne")
    shot(proposer, "good-practices")
