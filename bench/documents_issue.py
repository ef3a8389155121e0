"""Benchmark: signed extracts per second on one core, end to end (render + seal + store + record), beside
rendering alone and sealing alone in the same run.

    .venv/bin/python bench/documents_issue.py [--documents 300]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/raqmana_bench .venv/bin/python bench/documents_issue.py

Prints figures and writes bench/results/documents-issue-<database>.json. Targets (issue 4): >= 35 documents/s
end to end, and end to end >= 80 % of render + seal alone.
"""

import argparse
import os
import time

from harness import run_benchmark


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=300)
    options = parser.parse_args()
    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core, as the target says
    run_benchmark("documents-issue", lambda: run(options.documents))


def rate(count, seconds):
    return round(count / seconds, 1)


def run(count):
    from datetime import date, timedelta

    from django.utils import timezone

    from raqmana.accounts.constants import Role
    from raqmana.accounts.models import User
    from raqmana.accounts.services import grant_role
    from raqmana.calendars.hijri import MoroccanHijriCalendar
    from raqmana.civil_status.constants import ActKind, DeclarantRelation, Sex
    from raqmana.civil_status.services import draft_act, sign_act
    from raqmana.documents.constants import DocumentKind, RequesterRelation
    from raqmana.documents.content import certified_content
    from raqmana.documents.models import IssuedDocument
    from raqmana.documents.rendering import render_pdf
    from raqmana.documents.services import issue_at_counter, new_verification_code, printed_page, verification_url
    from raqmana.documents.signing import seal_pdf
    from raqmana.territories.models import CivilStatusOffice
    from raqmana.territories.services import import_territories

    import_territories()
    office = CivilStatusOffice.objects.get(territory__code="04.501.01.07")
    agent = User.objects.create_user("agent@bench.ma", None, full_name="Agent")
    officer = User.objects.create_user("officer@bench.ma", None, full_name="Officer")
    grant_role(agent, Role.CIVIL_STATUS_AGENT, office=office, by=None, reason="bench")
    grant_role(officer, Role.CIVIL_STATUS_OFFICER, office=office, by=None, reason="bench")
    born = date.today() - timedelta(days=3)
    data = {
        "sex": Sex.FEMALE, "first_name_ar": "خديجة", "first_name_latin": "Khadija", "first_name_tfng": "ⵅⴰⴷⵉⵊⴰ",
        "family_name_ar": "بنجلون", "family_name_latin": "Benjelloun", "family_name_tfng": "ⴱⵏⵊⵍⵍⵓⵏ",
        "father_first_name_ar": "عمر", "father_first_name_latin": "Omar", "mother_first_name_ar": "نادية",
        "mother_family_name_ar": "التازي", "birth_date": born, "birth_place": office.territory,
        "declarant_name": "عمر بنجلون", "declarant_relation": DeclarantRelation.FATHER, "declared_on": date.today(),
    }  # fmt: skip
    act = sign_act(draft_act(office, ActKind.BIRTH, data, by=agent), by=officer)
    requester = {"name": "خديجة بنجلون", "document": "AB1", "relation": RequesterRelation.HOLDER}
    warm = issue_at_counter(act, DocumentKind.BIRTH_EXTRACT, office=office, by=agent, requester=requester, purpose="x")
    now, calendar = timezone.now(), MoroccanHijriCalendar()

    started = time.perf_counter()
    for number in range(count):
        # A new code and number each time, as in real issues: typst would serve an identical page from its cache.
        warm.verification_code, warm.number = new_verification_code(), number + 2
        url = verification_url(warm.verification_code)
        warm.content = certified_content(DocumentKind.BIRTH_EXTRACT, act, now, calendar)
        pdf = render_pdf(printed_page(warm, calendar, url), verify_url=url, created_at=now)
    render_seconds = time.perf_counter() - started

    started = time.perf_counter()
    for _ in range(count):
        seal_pdf(pdf, office, reason="bench")
    seal_seconds = time.perf_counter() - started

    started = time.perf_counter()
    for _ in range(count):
        issue_at_counter(act, DocumentKind.BIRTH_EXTRACT, office=office, by=agent, requester=requester, purpose="x")
    end_to_end_seconds = time.perf_counter() - started

    render_and_seal_rate = count / (render_seconds + seal_seconds)
    return {
        "documents": count,
        "issued_in_database": IssuedDocument.objects.count(),
        "cores": len(os.sched_getaffinity(0)),
        "render_per_s": rate(count, render_seconds),
        "seal_per_s": rate(count, seal_seconds),
        "render_plus_seal_per_s": round(render_and_seal_rate, 1),
        "end_to_end_per_s": rate(count, end_to_end_seconds),
        "end_to_end_share_of_render_plus_seal": round(count / end_to_end_seconds / render_and_seal_rate, 3),
        "pdf_bytes": len(pdf),
    }


if __name__ == "__main__":
    main()
