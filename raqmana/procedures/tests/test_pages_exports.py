"""Exports of the office's dossiers through the test client: asked for from the queue with its filters, followed as
they are written (htmx every 2 s), downloaded by their requester only; bad input answered with a message."""

import csv
import io

import pytest
from django.urls import reverse

from raqmana.access.roles import Role
from raqmana.access.services import grant_role
from raqmana.accounts.tests.factories import UserFactory
from raqmana.audit.models import AuditEvent
from raqmana.procedures.models import DossierExport
from raqmana.territories.models import Territory

from .test_pages import HX, anonymous, direction, said, signed_in

pytestmark = pytest.mark.django_db


def test_the_queue_offers_its_exports_with_its_filters(filed, permits_agent):
    page = signed_in(permits_agent).get(reverse("procedures:queue"), {"state": "filed"})
    assert reverse("procedures:request_export") in page.text
    assert 'name="format" value="csv"' in page.text and 'name="format" value="xlsx"' in page.text
    assert 'name="state" value="filed"' in page.text  # the queue's filter goes with the request
    assert reverse("procedures:exports") in page.text


@pytest.mark.parametrize(("language", "side"), [("ar", "rtl"), ("fr", "ltr")])
def test_an_export_is_asked_followed_and_downloaded(filed, permits_agent, committed, language, side):
    client = signed_in(permits_agent, language)
    asked = client.post(reverse("procedures:request_export"), {"format": "csv", "state": "filed"})
    assert asked.status_code == 302 and asked["Location"] == reverse("procedures:exports")
    export = DossierExport.objects.get()
    assert export.requested_by == permits_agent and export.filters["state"] == "filed"
    waiting = client.get(reverse("procedures:exports"))
    assert waiting.status_code == 200 and direction(waiting) == (language, side)
    assert 'hx-trigger="every 2s"' in waiting.text  # followed while it is written
    committed()  # written once the request is committed (the immediate backend of the tests)
    export.refresh_from_db()
    assert export.state == DossierExport.State.READY
    ready = client.get(reverse("procedures:exports"), **HX)
    assert ready.status_code == 200 and "<html" not in ready.text  # the list alone, swapped in place
    assert 'hx-trigger="every 2s"' not in ready.text  # nothing left to follow
    assert '<progress max="100" value="100"' in ready.text
    assert reverse("procedures:export_download", args=[export.pk]) in ready.text
    downloaded = client.get(reverse("procedures:export_download", args=[export.pk]))
    assert downloaded.status_code == 200 and downloaded["Content-Disposition"].startswith("attachment")
    rows = list(csv.reader(io.StringIO(b"".join(downloaded.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 2 and rows[1][0] == filed.reference
    assert AuditEvent.objects.filter(action="dossier.export_downloaded", actor=permits_agent).count() == 1


def test_the_queue_s_own_dossiers_filter_goes_with_the_export(filed, permits_agent, committed):
    client = signed_in(permits_agent, "en")
    page = client.get(reverse("procedures:queue"), {"mine": "on"})
    assert 'name="mine" value="on"' in page.text
    assert "The export lists every dossier assigned to you, decided ones included." in page.text
    assert (
        'name="mine"' not in client.get(reverse("procedures:queue")).text.split("export-actions")[1].split("</form>")[0]
    )
    client.post(reverse("procedures:request_export"), {"format": "csv", "mine": "on"})
    assert DossierExport.objects.get().filters["assigned_to"] == permits_agent.pk
    assert "Assigned to you" in client.get(reverse("procedures:exports")).text


def test_the_progress_is_shown_while_it_is_written(permits_agent):
    DossierExport.objects.create(
        requested_by=permits_agent, format="xlsx", state=DossierExport.State.RUNNING, total=4000, written=1000
    )
    page = signed_in(permits_agent).get(reverse("procedures:exports"))
    assert '<progress max="100" value="25"' in page.text and 'hx-trigger="every 2s"' in page.text


def test_only_the_requester_downloads_an_export(filed, permits_agent, president, committed):
    signed_in(permits_agent).post(reverse("procedures:request_export"), {"format": "xlsx"})
    committed()
    export = DossierExport.objects.get()
    url = reverse("procedures:export_download", args=[export.pk])
    assert signed_in(president).get(url).status_code == 404  # another of the office: not theirs
    assert (
        reverse("procedures:export_download", args=[export.pk])
        not in signed_in(president).get(reverse("procedures:exports")).text
    )
    assert signed_in(UserFactory()).get(url).status_code == 403  # not an office's agent
    assert anonymous().get(url).status_code == 302
    assert signed_in(permits_agent).get(url).status_code == 200


def test_an_export_not_ready_is_not_downloaded(permits_agent):
    export = DossierExport.objects.create(requested_by=permits_agent, format="csv")
    page = signed_in(permits_agent).get(reverse("procedures:export_download", args=[export.pk]))
    assert page.status_code == 302 and page["Location"] == reverse("procedures:exports")


def test_an_agent_elsewhere_exports_none_of_the_office_s_dossiers(filed, committed):
    stranger = UserFactory()
    grant_role(stranger, Role.PERMITS_AGENT, territory=Territory.objects.get(code="01.051.01.07"), by=None, reason="t")
    signed_in(stranger).post(reverse("procedures:request_export"), {"format": "csv"})
    committed()
    assert DossierExport.objects.get().written == 0


def test_bad_input_is_answered_with_a_message(permits_agent):
    client = signed_in(permits_agent)
    for garbage in ({"format": "pdf"}, {"format": "csv", "state": "nonsense"}, {}, {"format": "x" * 5000}):
        refused = client.post(reverse("procedures:request_export"), garbage, follow=True)
        assert refused.status_code == 200 and 'class="error"' in refused.text, garbage
    assert (
        said("Choose CSV or XLSX.")
        in client.post(reverse("procedures:request_export"), {"format": "pdf"}, follow=True).text
    )
    assert not DossierExport.objects.exists()
    assert client.get(reverse("procedures:request_export")).status_code == 405
    assert client.get(reverse("procedures:export_download", args=[999999])).status_code == 404
    assert client.get("/procedures/office/exports/abc/download/").status_code == 404
    assert client.get(reverse("procedures:exports"), {"page": "-1"}).status_code == 200


def test_an_agent_moved_to_another_commune_no_longer_downloads_the_former_one_s_export(filed, permits_agent, committed):
    from raqmana.access.models import RoleAssignment
    from raqmana.access.services import revoke_role

    client = signed_in(permits_agent, "en")
    client.post(reverse("procedures:request_export"), {"format": "csv"})
    committed()
    export = DossierExport.objects.get()
    for assignment in RoleAssignment.objects.filter(user=permits_agent, revoked_at__isnull=True):
        revoke_role(assignment, by=None, reason="moved")
    targuist = Territory.objects.get(code="01.051.01.07")
    grant_role(permits_agent, Role.PERMITS_AGENT, territory=targuist, by=None, reason="moved")
    assert client.get(reverse("procedures:review", args=[filed.pk])).status_code == 404  # no longer reads it
    refused = client.get(reverse("procedures:export_download", args=[export.pk]), follow=True)
    assert refused.redirect_chain[-1][0] == reverse("procedures:exports")
    assert said("The places where you read dossiers have changed since this export: ask for a new one.", "en") in (
        refused.text
    )
    assert not AuditEvent.objects.filter(action="dossier.export_downloaded").exists()
