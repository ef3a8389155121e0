"""Exports of dossiers: what the requester reads, written in the background to CSV or XLSX, row by row, with its
progress, the requester told."""

import csv
import io

import pytest
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from raqmana.access.roles import Role
from raqmana.access.services import grant_role
from raqmana.accounts.tests.factories import UserFactory
from raqmana.notifications.models import Notification
from raqmana.procedures.models import DossierExport
from raqmana.procedures.services import exports
from raqmana.territories.models import Territory


@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_an_export_holds_what_its_requester_reads(filed, permits_agent, format, committed):
    export = exports.request_export(permits_agent, format=format)
    committed()  # the task runs once the request is committed (immediate backend in tests)
    export.refresh_from_db()
    assert export.state == DossierExport.State.READY and export.total == 1 and export.written == 1
    assert export.progress == 100
    content = export.file.read()
    if format == "csv":
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    else:
        rows = [list(row) for row in load_workbook(io.BytesIO(content), read_only=True).active.values]
    assert len(rows) == 2 and rows[1][0] == filed.reference
    assert Notification.objects.filter(user=permits_agent, kind="procedures.export_ready").exists()


def test_an_agent_elsewhere_exports_none_of_them(filed, committed):
    stranger = UserFactory()
    grant_role(stranger, Role.PERMITS_AGENT, territory=Territory.objects.get(code="01.051.01.07"), by=None, reason="t")
    export = exports.request_export(stranger, format="csv")
    committed()
    export.refresh_from_db()
    assert export.total == 0 and export.file.read().decode("utf-8-sig").count("\n") == 1


def test_an_unknown_format_is_refused(permits_agent):
    with pytest.raises(ValidationError):
        exports.request_export(permits_agent, format="pdf")


def test_an_export_of_one_s_own_dossiers_holds_those_assigned_to_one(
    filed, permits_agent, applicant_act, birth_data, procedure, temara, committed
):
    from raqmana.procedures.services import filing, review

    from .conftest import complete

    someone = UserFactory()
    other = filing.start_draft(someone, procedure, commune=temara)
    complete(other, someone, applicant_act, birth_data)
    other = filing.file_dossier(other, by=someone)
    review.take_up(filed, by=permits_agent)
    mine = exports.request_export(permits_agent, format="csv", mine=True)
    everyone = exports.request_export(permits_agent, format="csv")
    committed()
    mine.refresh_from_db(), everyone.refresh_from_db()
    assert mine.filters["assigned_to"] == permits_agent.pk and "assigned_to" not in everyone.filters
    rows = list(csv.reader(io.StringIO(mine.file.read().decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == [filed.reference]
    assert everyone.total == 2 and other.reference in everyone.file.read().decode("utf-8-sig")


def test_a_download_is_kept_in_the_audit_trail(filed, permits_agent, committed):
    from raqmana.audit.models import AuditEvent

    export = exports.request_export(permits_agent, format="csv")
    with pytest.raises(ValidationError):
        exports.open_for_download(export, by=permits_agent)  # not written yet
    committed()
    export.refresh_from_db()
    with exports.open_for_download(export, by=permits_agent) as opened:
        assert filed.reference in opened.read().decode("utf-8-sig")
    event = AuditEvent.objects.get(action="dossier.export_downloaded")
    assert event.actor == permits_agent and event.target_id == str(export.pk) and event.details["rows"] == 1
