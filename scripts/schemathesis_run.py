"""Fuzz the whole API with Schemathesis as four people and fail on any server error.

    .venv/bin/python scripts/schemathesis_run.py [--seconds 90] [--checks not_a_server_error]

Makes a throwaway database (a new PostgreSQL database beside DATABASE_URL's when that names a PostgreSQL server,
else a SQLite file), loads the territories and the demo commune, makes the four identities (an officer signed in
with the second factor, a citizen, a maternity's API key, no one), serves the application with gunicorn and runs
`schemathesis run` over /api/openapi.json once per identity, each for at most `--seconds`. Prints per identity the
operations, test cases and failures; exits 1 if any identity found a failure. The database is dropped at the end.
"""

import argparse
import contextlib
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
IDENTITIES = ("officer", "citizen", "establishment", "anonymous")


@contextlib.contextmanager
def throwaway_database(scratch):
    """The URL of an empty database, dropped on the way out."""
    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{scratch / 'schemathesis.sqlite3'}"
        return
    import psycopg

    name = f"raqmana_schemathesis_{os.getpid()}"
    admin_url = re.sub(r"/[^/]*$", "/postgres", server)
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name} ENCODING 'UTF8' TEMPLATE template0")
    try:
        yield re.sub(r"/[^/]*$", f"/{name}", server)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def manage(*arguments):
    run = subprocess.run([sys.executable, "manage.py", *arguments], cwd=ROOT, capture_output=True, text=True)
    if run.returncode:
        raise SystemExit(f"manage.py {' '.join(arguments)} failed:\n{run.stdout}{run.stderr}")


def identity_headers():
    """The HTTP headers that make a request come from each identity, created in the database set up in the
    environment. Sessions as after a real sign-in (the officer's with the TOTP check passed) and a CSRF token, as
    the API's session authentication checks it on writes."""
    import django

    django.setup()
    from django.db import connections
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from raqmana.accounts.models import User
    from raqmana.civil_status.models import Establishment
    from raqmana.civil_status.services.pre_declarations import issue_api_key
    from raqmana.demo.management.commands.seed_demo import DEMO_CITIZENS

    def session_headers(user):
        client = Client()
        client.force_login(user, backend="raqmana.accounts.backends.EmailOrPhoneBackend")
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is not None:
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
        csrf = secrets.token_hex(16)  # 32 characters: an unmasked CSRF secret, as Django accepts in the header
        return [f"Cookie: sessionid={client.cookies['sessionid'].value}; csrftoken={csrf}", f"X-CSRFToken: {csrf}"]

    maternity = Establishment.objects.get(name_fr="Maternité de Témara")
    headers = {
        "officer": session_headers(User.objects.get(email="officier@demo.raqmana.ma")),
        "citizen": session_headers(User.objects.get(email=DEMO_CITIZENS[0][0])),
        "establishment": [f"Authorization: Bearer {issue_api_key(maternity, by=None)}"],
        "anonymous": [],
    }
    connections.close_all()  # the database is dropped at the end: no connection may stay open on it
    return headers


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def served(port, log):
    server = subprocess.Popen(
        [VENV_BIN / "gunicorn", "raqmana.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2", "--timeout", "60"],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        for _ in range(60):
            with contextlib.suppress(OSError):
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/openapi.json", timeout=5).close()
                break
            time.sleep(1)
        else:
            raise SystemExit("gunicorn did not answer within 60 s")
        yield
    finally:
        server.terminate()
        server.wait(timeout=30)


def fuzz(identity, headers, port, args, reports):
    """One Schemathesis run; returns its counts read from its JUnit report and terminal summary."""
    report_dir = reports / identity
    command = [
        VENV_BIN / "schemathesis",
        "run",
        f"http://127.0.0.1:{port}/api/openapi.json",
        "--checks",
        args.checks,
        "--max-time",
        str(args.seconds),
        "--workers",
        "2",
        "--request-timeout",
        "30",
        "--suppress-health-check",
        "all",
        "--report",
        "junit",
        "--report-dir",
        report_dir,
        "--no-color",
    ]
    for header in headers:
        command += ["--header", header]
    started = time.monotonic()
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    (reports / f"{identity}.log").write_text(run.stdout + run.stderr)
    summary = summary_of(run.stdout)
    summary.update(identity=identity, exit_code=run.returncode, seconds=round(time.monotonic() - started))
    return summary


def summary_of(output):
    """Operations tested, test cases generated and failures found, as Schemathesis's summary states them."""
    counts = {"operations": None, "test_cases": None, "failures": None}
    if found := re.search(r"API Operations:\s*\n\s*Selected:\s*(\d+)/(\d+)\s*\n\s*Tested:\s*(\d+)", output):
        counts["operations"] = int(found[3])
    if found := re.search(r"Test cases:\s*\n\s*(\d+) generated", output):
        counts["test_cases"] = int(found[1])
    found = re.search(r"Failures:\s*\n((?:\s*[❌✗].*\n)+)", output)
    counts["failures"] = sum(int(n) for n in re.findall(r"(\d+)\s*\n?$", found[1], re.M)) if found else 0
    return counts


# Django's log lines for the refusals the fuzzing provokes by the thousand: noise beside a server error.
REFUSAL_LINE = re.compile(r"^(Bad Request|Unauthorized|Forbidden|Not Found|Method Not Allowed|Unprocessable Entity|"
                          r"Unsupported Media Type|Content Too Large|Too Many Requests)[ :(].*\n", re.M)  # fmt: skip


def server_errors(server_log):
    return REFUSAL_LINE.sub("", server_log)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=90, help="time box of each identity's run")
    parser.add_argument("--checks", default="not_a_server_error", help="Schemathesis checks, comma-separated")
    parser.add_argument("--only", choices=IDENTITIES, action="append", help="run these identities only")
    parser.add_argument("--reports", type=Path, help="keep the logs and JUnit reports in this folder")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="raqmana-schemathesis-") as scratch_name:
        scratch = Path(scratch_name)
        reports = args.reports or scratch / "reports"
        reports.mkdir(parents=True, exist_ok=True)
        with throwaway_database(scratch) as database_url:
            os.environ.update(
                DATABASE_URL=database_url,
                RAQMANA_DEBUG="1",
                DJANGO_SETTINGS_MODULE="raqmana.settings",
                RAQMANA_DOCUMENTS_DIR=str(scratch / "documents"),
                RAQMANA_PKI_DIR=str(scratch / "pki"),
            )
            sys.path.insert(0, str(ROOT))
            started = time.monotonic()
            setup = (
                "migrate --no-input",
                "load_territories",
                "load_holidays",
                "load_procedures",
                "open_single_windows",
            )
            for command in (*setup, "seed_demo"):
                manage(*command.split())
            headers = identity_headers()
            print(f"Database ready in {time.monotonic() - started:.0f} s ({database_url.split('://')[0]})")
            port = free_port()
            with open(reports / "gunicorn.log", "w") as log, served(port, log):
                results = [
                    fuzz(identity, headers[identity], port, args, reports) for identity in args.only or IDENTITIES
                ]
            server_log = (reports / "gunicorn.log").read_text()

        print(f"\n{'identity':14} {'operations':>10} {'test cases':>10} {'failures':>8} {'seconds':>7}")
        for result in results:
            print(
                f"{result['identity']:14} {result['operations']!s:>10} {result['test_cases']!s:>10} "
                f"{result['failures']!s:>8} {result['seconds']:>7}"
            )
        failed = [result for result in results if result["exit_code"] != 0 or result["failures"]]
        for result in failed:
            print(f"\n--- {result['identity']} (exit code {result['exit_code']}) ---")
            print((reports / f"{result['identity']}.log").read_text()[-20000:])
        if failed:
            print("\n--- server log, refusals left out (tail) ---\n" + server_errors(server_log)[-10000:])
        print(json.dumps({"passed": not failed}))
        return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
