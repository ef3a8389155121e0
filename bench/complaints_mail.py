"""Benchmark of complaints, the mail registry and legalisation (issue 17): 500,000 complaints and 1,000,000 registered
letters across 50 communes, then
- a handler's queue of complaints (the commune's open requests, nearest to their answer's delay first) and the mail
  registry's search (by correspondent and subject, by number, by dates) and day's register: p50 and p95 over 60
  loads each, as the server renders them through Django's test client (no network);
- the escalation sweep (the clocks' runner) over every open complaint's clocks, `--due` of them run out: each late
  request marked, audited and told to its supervisors;
- 100 registrations at once in one commune's mail registry, and 100 completions at once in one legalisation
  office's register (each issuing a stamped, sealed PDF), by 50 threads released together (the local PostgreSQL
  takes 100 connections): the numbers taken must run from 1 to 100 without a gap.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/raqmana_bench .venv/bin/python bench/complaints_mail.py

Prints figures and writes bench/results/complaints-mail-<database>.json. Targets: queue and search p95 < 100 ms,
sweep < 60 s, consecutive numbers in both registers.
"""

import argparse
import gc
import logging
import random
import statistics
import threading
import time
from datetime import timedelta

from harness import run_benchmark

COMMUNES = 50
AT_ONCE = 100  # registrations or completions launched together
THREADS = 50  # the connections they share: the local server allows 100 in all
PAGE_LOADS = 60


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--complaints", type=int, default=500_000)
    parser.add_argument("--letters", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=5_000, help="open complaints whose answer's delay has run out")
    options = parser.parse_args()
    run_benchmark("complaints-mail", lambda: run(options))


def p50_p95(client, address, queries):
    for query in queries:  # each kind of query once, as a server that has run a while has
        assert client.get(address, query).status_code == 200
    timings, loads = [], []
    for index in range(PAGE_LOADS):
        query = queries[index % len(queries)]
        begun = time.perf_counter()
        answer = client.get(address, query)
        timings.append((time.perf_counter() - begun) * 1000)
        loads.append((round(timings[-1], 1), query))
        assert answer.status_code == 200, (address, answer.status_code)
    timings.sort()
    slowest = sorted(loads, key=lambda load: -load[0])[:3]  # which loads make the p95
    return round(statistics.median(timings), 1), round(timings[int(0.95 * len(timings)) - 1], 1), slowest


def signed_in(user):
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(user, backend="raqmana.accounts.backends.EmailOrPhoneBackend")
    device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def at_once(count, work):
    """`work(index)` for `count` indexes by THREADS threads released together; the errors raised, if any."""
    from django.db import connection

    barrier = threading.Barrier(THREADS)
    errors = []
    indexes = iter(range(count))
    lock = threading.Lock()

    def worker():
        barrier.wait()
        try:
            while True:
                with lock:
                    index = next(indexes, None)
                if index is None:
                    return
                try:
                    work(index)
                except Exception as error:  # counted: a failure must show in the figures
                    errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    begun = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors, time.perf_counter() - begun


def run(options):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection
    from django.utils import timezone

    from raqmana.access.roles import Role
    from raqmana.access.services import grant_role
    from raqmana.accounts.models import User
    from raqmana.complaints.constants import COMPLAINT_REGISTER, ComplaintState
    from raqmana.complaints.models import Complaint, ComplaintTransition
    from raqmana.complaints.workflows import COMPLAINT_WORKFLOW
    from raqmana.kernel import scanning
    from raqmana.kernel.references import reference_to
    from raqmana.kernel.sequences import raise_numbers
    from raqmana.legalisation import services as legalisation
    from raqmana.legalisation.models import LegalisationRequest
    from raqmana.mail_registry.constants import REGISTERS, Direction
    from raqmana.mail_registry.models import MailEntry
    from raqmana.mail_registry.services import register_letter
    from raqmana.territories.constants import UnitKind
    from raqmana.territories.models import AdministrativeUnit, Territory
    from raqmana.territories.services import collectivity_unit, import_territories
    from raqmana.workflows.models import Clock, ClockState
    from raqmana.workflows.services import run_due_clocks

    figures = {"complaints": options.complaints, "letters": options.letters, "communes": COMMUNES}
    import_territories()
    communes = list(Territory.objects.filter(level="commune", population_2024__gt=50_000).order_by("-population_2024"))
    communes = communes[:COMMUNES]
    units = {commune.pk: collectivity_unit(commune) for commune in communes}
    complainant = User.objects.create_user("citizen@bench.ma", None, full_name="Citoyen")
    handler = User.objects.create_user("handler@bench.ma", None, full_name="Agent")
    grant_role(handler, Role.COMPLAINTS_HANDLER, territory=communes[0], by=None, reason="bench")
    clerk = User.objects.create_user("clerk@bench.ma", None, full_name="Bureau d'ordre")
    grant_role(clerk, Role.MAIL_REGISTRY_AGENT, territory=communes[0], by=None, reason="bench")
    for commune in communes:  # each late request is told to its commune's supervisor
        supervisor = User.objects.create_user(f"supervisor-{commune.code}@bench.ma", None, full_name="Superviseur")
        grant_role(supervisor, Role.COMPLAINTS_SUPERVISOR, territory=commune, by=None, reason="bench")

    # The complaints, as filing and handling leave them, written in bulk: 40 % answered, 30 % received (two clocks
    # running), 30 % forwarded (the answer's clock running). Filing each through the services would take hours.
    started = time.perf_counter()
    now = timezone.now()
    year = timezone.localdate().year
    rng = random.Random(17)
    numbers = {unit.pk: 0 for unit in units.values()}
    complaints = []
    for index in range(options.complaints):
        commune = communes[index % COMMUNES]
        unit = units[commune.pk]
        numbers[unit.pk] += 1
        share = rng.random()
        state = ComplaintState.ANSWERED if share < 0.4 else ComplaintState.RECEIVED if share < 0.7 else "forwarded"
        filed_at = now - timedelta(days=rng.uniform(0.1, 50))
        complaints.append(
            Complaint(
                kind="complaint",
                category=rng.choice(["cleanliness", "roads", "urbanism", "taxes"]),
                collectivity=commune,
                unit=unit,
                complainant=complainant,
                subject=f"Réclamation {index}",
                text="Les ordures ne sont plus ramassées.",
                state=state,
                year=year,
                number=numbers[unit.pk],
                forwarded_at=filed_at + timedelta(days=3) if state != ComplaintState.RECEIVED else None,
                answered_at=filed_at + timedelta(days=20) if state == ComplaintState.ANSWERED else None,
                answer_due_at=None if state == ComplaintState.ANSWERED else filed_at + timedelta(days=60),
                filed_at=filed_at,
            )
        )
    # `filed_at` is set on creation (auto_now_add); the bench writes the filing dates it drew instead.
    filed = Complaint._meta.get_field("filed_at")
    filed.auto_now_add = False
    Complaint.objects.bulk_create(complaints, batch_size=5000)
    filed.auto_now_add = True
    raise_numbers(COMPLAINT_REGISTER, {(unit_id, year): count for unit_id, count in numbers.items()})
    ComplaintTransition.objects.bulk_create(
        (ComplaintTransition(complaint=one, from_state="", to_state="received", by=complainant) for one in complaints),
        batch_size=5000,
    )
    open_ones = [one for one in complaints if one.state != ComplaintState.ANSWERED]
    due = set(rng.sample(range(len(open_ones)), min(options.due, len(open_ones))))
    clocks = []
    for position, one in enumerate(open_ones):
        if position in due:
            one.answer_due_at = now - timedelta(hours=1)
        clocks.append(
            Clock(
                **reference_to(one),
                workflow=COMPLAINT_WORKFLOW.name,
                name="answer",
                started_at=one.filed_at,
                due_at=one.answer_due_at,
            )
        )
        if one.state == ComplaintState.RECEIVED:
            qualification_due = max(one.filed_at + timedelta(days=15), now + timedelta(hours=1))
            clocks.append(
                Clock(
                    **reference_to(one),
                    workflow=COMPLAINT_WORKFLOW.name,
                    name="qualification",
                    started_at=one.filed_at,
                    due_at=qualification_due,
                )
            )
    Complaint.objects.bulk_update([open_ones[position] for position in due], ["answer_due_at"], batch_size=5000)
    Clock.objects.bulk_create(clocks, batch_size=5000)
    figures["open_complaints"] = len(open_ones)
    figures["open_complaint_clocks"] = len(clocks)
    del complaints, open_ones, clocks
    gc.collect()

    # The letters: 20,000 a commune, incoming and outgoing, over the last 300 days.
    registered = MailEntry._meta.get_field("registered_at")
    registered.auto_now_add = False
    counts = {}
    correspondents = ["Agence urbaine", "Trésorerie provinciale", "ONEE", "Société Al Omrane", "Citoyen"]
    batch = []
    for index in range(options.letters):
        commune = communes[index % COMMUNES]
        unit = units[commune.pk]
        direction = Direction.INCOMING if index % 3 else Direction.OUTGOING
        counts[(unit.pk, direction)] = counts.get((unit.pk, direction), 0) + 1
        batch.append(
            MailEntry(
                commune=commune,
                unit=unit,
                direction=direction,
                year=year,
                number=counts[(unit.pk, direction)],
                registered_at=now - timedelta(minutes=rng.uniform(0, 300 * 24 * 60)),
                registered_by=clerk,
                correspondent=f"{rng.choice(correspondents)} {index % 997}",
                subject=f"Courrier {index} relatif au dossier {rng.randint(1, 99999)}",
                confidential=index % 50 == 0,
            )
        )
        if len(batch) == 10_000:
            MailEntry.objects.bulk_create(batch)
            batch = []
    MailEntry.objects.bulk_create(batch)
    registered.auto_now_add = True
    for direction in Direction:
        raise_numbers(
            REGISTERS[direction],
            {(unit_id, year): count for (unit_id, kind), count in counts.items() if kind == direction},
        )
    del batch
    gc.collect()
    figures["bulk_load_seconds"] = round(time.perf_counter() - started, 1)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # as autovacuum does after a load this size

    # The pages.
    handler_client = signed_in(handler)
    figures["queue_open_at_the_handler_s_commune"] = Complaint.objects.filter(
        collectivity=communes[0], state__in=["received", "forwarded", "reopened"]
    ).count()
    pages = [{"page": page} for page in range(1, 6)] + [{"late": "on"}, {"state": "received"}]
    (
        figures["complaints_queue_p50_ms"],
        figures["complaints_queue_p95_ms"],
        figures["complaints_queue_slowest_loads"],
    ) = p50_p95(handler_client, "/complaints/office/", pages)
    clerk_client = signed_in(clerk)
    today = timezone.localdate()
    searches = [
        {"correspondent": "Agence urbaine 12"},
        {"subject": "dossier 4242"},
        {"number": f"A-{year}/1234"},
        {"day_from": (today - timedelta(days=30)).isoformat(), "day_to": today.isoformat()},
        {"correspondent": "ONEE", "direction": "incoming"},
    ]
    (
        figures["mail_search_p50_ms"],
        figures["mail_search_p95_ms"],
        figures["mail_search_slowest_loads"],
    ) = p50_p95(clerk_client, "/mail/", searches)
    days = [{"day": (today - timedelta(days=offset)).isoformat()} for offset in range(1, 8)]
    figures["mail_day_register_p50_ms"], figures["mail_day_register_p95_ms"], _slowest = p50_p95(
        clerk_client, "/mail/day/", days
    )

    # The sweep. Each clock run out is logged at INFO: 5,000 lines on the terminal would time the terminal.
    logging.getLogger("raqmana.workflows.services").setLevel(logging.WARNING)
    begun = time.perf_counter()
    taken = run_due_clocks()
    figures["sweep_complaints_escalated"] = taken
    figures["sweep_seconds"] = round(time.perf_counter() - begun, 1)
    assert Complaint.objects.filter(escalated_at__isnull=False).count() == taken == options.due
    assert not Clock.objects.filter(state=ClockState.RUNNING, due_at__lte=timezone.now()).exists()

    # 100 registrations at once in one commune's mail registry (a fresh commune: its numbers start at 1).
    fresh = Territory.objects.filter(level="commune").exclude(pk__in=[c.pk for c in communes]).order_by("code")[0]
    grant_role(clerk, Role.MAIL_REGISTRY_AGENT, territory=fresh, by=None, reason="bench")

    def register(index):
        register_letter(by=clerk, commune=fresh, direction="incoming", correspondent=f"C{index}", subject="Objet")

    errors, seconds = at_once(AT_ONCE, register)
    taken_numbers = sorted(MailEntry.objects.filter(commune=fresh).values_list("number", flat=True))
    figures["mail_registrations_at_once"] = AT_ONCE
    figures["mail_registrations_errors"] = errors[:3]
    figures["mail_registrations_seconds"] = round(seconds, 2)
    figures["mail_numbers_consecutive"] = taken_numbers == list(range(1, AT_ONCE + 1))

    # 100 completions at once in one legalisation office's register, each stamping and sealing its PDF.
    office = AdministrativeUnit.objects.get(kind=UnitKind.LEGALISATION_OFFICE, territory=communes[0])
    officer = User.objects.create_user("officer@bench.ma", None, full_name="Officier de légalisation")
    grant_role(officer, Role.LEGALISATION_OFFICER, unit=office, by=None, reason="bench")
    citizen = User.objects.create_user("copies@bench.ma", None, full_name="Demandeur", national_id="AB123456")
    try:
        scanning.daemon().ping()
    except Exception:
        figures["legalisation"] = "skipped: no ClamAV daemon answers (scripts/clamav/start-clamd)"
    else:
        from raqmana.kernel.tests import samples

        pdf = samples.pdf(b"BT /F1 12 Tf (copie) Tj ET")
        prepared = [
            legalisation.prepare_request(
                by=citizen,
                service="copy",
                office=office,
                document=legalisation.Document(
                    subject="Diplôme",
                    file=SimpleUploadedFile("d.pdf", pdf, content_type="application/pdf"),
                    stamp_page=1,
                    stamp_place="bottom_right",
                ),
            )
            for _ in range(AT_ONCE)
        ]

        def complete(index):
            legalisation.complete(
                prepared[index], by=officer, completion="counter", identity_checked=True, duty_receipt=f"ET-{index}"
            )

        errors, seconds = at_once(AT_ONCE, complete)
        taken_numbers = sorted(LegalisationRequest.objects.filter(office=office).values_list("number", flat=True))
        figures["legalisation_completions_at_once"] = AT_ONCE
        figures["legalisation_completions_errors"] = errors[:3]
        figures["legalisation_completions_seconds"] = round(seconds, 2)
        figures["legalisation_numbers_consecutive"] = taken_numbers == list(range(1, AT_ONCE + 1))
    return figures


if __name__ == "__main__":
    main()
