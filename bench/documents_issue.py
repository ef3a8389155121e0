"""Benchmark: signed extracts per second on one core, end to end (render + seal + store + record), beside
rendering alone and sealing alone in the same run. Each extract is drawn from a different act (generated
names, dates and places across the country). Seals are measured at both levels: PAdES B-B (the signature
alone) and B-LT (what is issued: time-stamped by the development TSA, called in-process as without
RAQMANA_TSA_URL, and carrying the chains and CRL); a TSA elsewhere adds its network round trip to each B-LT
seal. Sealing is also measured with an RSA-2048 key from a PKCS#12 file (B-B), beside the development CA's EC key.

    .venv/bin/python bench/documents_issue.py [--documents 300]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/raqmana_bench .venv/bin/python bench/documents_issue.py

Prints figures and writes bench/results/documents-issue-<database>.json. Targets (issue 4, for B-B): >= 35
documents/s end to end, and end to end >= 80 % of render + seal alone.
"""

import argparse
import dataclasses
import functools
import os
import tempfile
import time
from pathlib import Path
from unittest import mock

from civil_status_search import generator_for
from harness import run_benchmark


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=300)
    options = parser.parse_args()
    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core, as the target says
    run_benchmark("documents-issue", lambda: run(options.documents))


SLICE = 25


def rate(count, seconds):
    return round(count / seconds, 1)


def run(count):
    from django.test import override_settings
    from django.utils import timezone

    from raqmana.access.roles import Role
    from raqmana.access.services import grant_role
    from raqmana.accounts.models import User
    from raqmana.civil_status.models import Act
    from raqmana.civil_status.services.bulk_load import load_historical_acts
    from raqmana.civil_status_documents.constants import CivilStatusDocument, RequesterRelation
    from raqmana.civil_status_documents.services import issue_at_counter
    from raqmana.documents import services
    from raqmana.documents.models import IssuedDocument
    from raqmana.documents.services import draw, new_verification_code
    from raqmana.documents.signing import TimeStamp, seal_pdf
    from raqmana.territories.models import CivilStatusOffice
    from raqmana.territories.services import import_territories

    import_territories()
    office = CivilStatusOffice.objects.get(territory__code="04.501.01.07")
    agent = User.objects.create_user("agent@bench.ma", None, full_name="Agent")
    grant_role(agent, Role.CIVIL_STATUS_AGENT, unit=office, by=None, reason="bench")
    # Acts of people born across the country, two sets: typst keeps in its cache what it has laid out once,
    # so the end-to-end run must not print the names and dates the rendering run printed.
    generator = generator_for()
    load_historical_acts([generator.birth(agent.pk) for _ in range(3 * count + 1)], by=agent, reason="bench")
    # Fetched as the counter finds an act (civil_status_documents.selectors.act_for_issuance): with its office and
    # places.
    warm_up_act, *acts = Act.objects.select_related("office", "birth_place", "death_place").order_by("pk")
    rendering_acts, issuing_acts, basic_issuing_acts = acts[:count], acts[count : 2 * count], acts[2 * count :]
    kind, requester = CivilStatusDocument.BIRTH_EXTRACT, {"name": "Demandeur", "relation": RequesterRelation.HOLDER}
    issue_at_counter(warm_up_act, kind, office=office, by=agent, requester=requester, purpose="bench")
    year = timezone.localdate().year

    def render(act, number):
        """What issuing does before sealing (documents.services.draw), on an unsaved record."""
        return draw(
            IssuedDocument(
                kind=kind, subject=act, unit=office, year=year, number=number, issued_at=timezone.now(),
                issued_by=agent, verification_code=new_verification_code(),
            )
        )  # fmt: skip

    # The measures take turns, a slice at a time, so that the machine's drift (about ±10 % from one minute to the
    # next here) weighs on each of them alike.
    seconds = dict.fromkeys(
        ["render", "seal_b_b", "seal_b_lt", "seal_rsa_b_b", "end_to_end_b_b", "end_to_end_b_lt"], 0.0
    )
    pdf_bytes = sealed_bytes = 0
    pkcs12_dir = tempfile.TemporaryDirectory()  # removed when the run ends
    write_rsa_pkcs12(office, Path(pkcs12_dir.name))
    basic_seal = functools.partial(seal_pdf, long_term=False)

    def issued_with_basic_seal(pdf, office, *, reason):
        """What issuing records of a B-B seal: no time stamp."""
        return dataclasses.replace(basic_seal(pdf, office, reason=reason), time_stamp=TimeStamp(None, ""))

    for start in range(0, count, SLICE):
        started = time.perf_counter()
        pdfs = [render(act, start + offset + 2) for offset, act in enumerate(rendering_acts[start : start + SLICE])]
        seconds["render"] += time.perf_counter() - started
        pdf_bytes += sum(len(pdf) for pdf in pdfs)

        started = time.perf_counter()
        for pdf in pdfs:
            basic_seal(pdf, office, reason="bench")
        seconds["seal_b_b"] += time.perf_counter() - started

        started = time.perf_counter()
        for pdf in pdfs:
            sealed_bytes += len(seal_pdf(pdf, office, reason="bench").pdf)
        seconds["seal_b_lt"] += time.perf_counter() - started

        # Beside the target: the same seals with an RSA-2048 key from a PKCS#12 file, as a national CA may issue.
        with override_settings(RAQMANA_SIGNING_BACKEND="pkcs12", RAQMANA_PKCS12_DIR=pkcs12_dir.name):
            started = time.perf_counter()
            for pdf in pdfs:
                basic_seal(pdf, office, reason="bench")
            seconds["seal_rsa_b_b"] += time.perf_counter() - started

        started = time.perf_counter()
        for act in issuing_acts[start : start + SLICE]:
            issue_at_counter(act, kind, office=office, by=agent, requester=requester, purpose="bench")
        seconds["end_to_end_b_lt"] += time.perf_counter() - started

        started = time.perf_counter()
        with mock.patch.object(services, "seal_pdf", issued_with_basic_seal):
            for act in basic_issuing_acts[start : start + SLICE]:
                issue_at_counter(act, kind, office=office, by=agent, requester=requester, purpose="bench")
        seconds["end_to_end_b_b"] += time.perf_counter() - started

    figures = {
        "documents": count,
        "distinct_acts": len({act.pk for act in rendering_acts + issuing_acts + basic_issuing_acts}),
        "issued_in_database": IssuedDocument.objects.count(),
        "time_stamped_in_database": IssuedDocument.objects.exclude(seal_timestamp=None).count(),
        "cores": len(os.sched_getaffinity(0)),
    }
    for measure, total in seconds.items():
        figures[f"{measure}_per_s"] = rate(count, total)
        figures[f"{measure}_ms"] = round(1000 * total / count, 2)
    for level in ("b_b", "b_lt"):
        render_and_seal_rate = count / (seconds["render"] + seconds[f"seal_{level}"])
        figures[f"render_plus_seal_{level}_per_s"] = round(render_and_seal_rate, 1)
        share = count / seconds[f"end_to_end_{level}"] / render_and_seal_rate
        figures[f"end_to_end_{level}_share_of_render_plus_seal"] = round(share, 3)
    figures["b_lt_cost_per_document_ms"] = round(figures["end_to_end_b_lt_ms"] - figures["end_to_end_b_b_ms"], 2)
    figures["pdf_bytes"] = round(pdf_bytes / count)
    figures["sealed_b_lt_pdf_bytes"] = round(sealed_bytes / count)
    return figures


def write_rsa_pkcs12(office, directory):
    """The office's PKCS#12 file with an RSA-2048 key certified by the development CA."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12

    from raqmana.documents import pki

    ca_certificate, ca_key = pki._development_ca()
    key = rsa.generate_private_key(65537, 2048)
    subject = pki._name(f"{office.name_fr} ({office.code})")
    certificate = pki._certificate(subject, key.public_key(), ca_certificate.subject, ca_key, is_ca=False)
    bundle = pkcs12.serialize_key_and_certificates(
        b"bench", key, certificate, [ca_certificate], serialization.NoEncryption()
    )
    (directory / f"{office.code}.p12").write_bytes(bundle)


if __name__ == "__main__":
    main()
