"""Pages against a stock Django hello-world, both served by gunicorn (2 workers, DEBUG off) on PostgreSQL and loaded
by wrk with the same settings in one run: each page's requests a second, p50, p99, and its ratio to hello-world.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/raqmana_bench .venv/bin/python bench/pages.py

The database named is dropped and created again; Redis (BENCH_REDIS_URL, database 9 of the local server by default)
is the cache, as in production. Figures go to bench/results/pages-postgresql.json."""

import json
import os
import platform
import re
import secrets
import statistics
import string
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DATABASE_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/raqmana_bench")
PORT = int(os.environ.get("BENCH_PORT", "8750"))
CONNECTIONS, SECONDS, THREADS = 16, int(os.environ.get("BENCH_SECONDS", "5")), 2
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
PAGES = {
    "home (anonymous)": ("/", False),
    "territories API: regions": ("/api/territories/regions", False),
    "territories API: a province": ("/api/territories/{province}", False),
    "office finder with a query": ("/offices/?q=rabat", False),
    "offices API with a query": ("/api/territories/offices?q=rabat", False),
    "citizen's home": ("/", True),
    "citizen's orders": ("/documents/orders/", True),
}
APP_ENV = {
    **os.environ,
    "DATABASE_URL": DATABASE_URL,
    "SECRET_KEY": "bench-secret-key-not-for-production-0123456789",
    "ALLOWED_HOSTS": "127.0.0.1",
    "SECURE_SSL_REDIRECT": "0",
    "RAQMANA_DEBUG": "0",
    "LOG_LEVEL": "WARNING",
    # As deployed: rate limits, sessions and the reference data in a shared cache (a Redis database of its own).
    "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9"),
    "DJANGO_SETTINGS_MODULE": "raqmana.settings",
}


def manage(*args: str) -> str:
    return subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=APP_ENV, check=True, capture_output=True, text=True
    ).stdout


def prepare_database() -> tuple[str, str]:
    """A fresh database with the territories and one citizen; returns the citizen's session key and a province."""
    base, name = DATABASE_URL.rsplit("/", 1)
    admin = base + "/postgres"
    subprocess.run(["psql", admin, "-qc", f'DROP DATABASE IF EXISTS "{name}"'], check=True)
    subprocess.run(["psql", admin, "-qc", f'CREATE DATABASE "{name}"'], check=True)
    manage("migrate", "-v0")
    manage("load_territories")
    manage("collectstatic", "--noinput", "-v0")
    script = (
        "from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY\n"
        "from django.contrib.sessions.backends.db import SessionStore\n"
        "from raqmana.accounts.models import User\n"
        "from raqmana.territories.models import Territory\n"
        "user = User.objects.create_user(email='amina@example.ma', password='a long password 1', full_name='Amina')\n"
        "session = SessionStore()\n"
        "backend = 'raqmana.accounts.backends.EmailOrPhoneBackend'\n"
        "session.update({SESSION_KEY: str(user.pk), BACKEND_SESSION_KEY: backend,"
        " HASH_SESSION_KEY: user.get_session_auth_hash()})\n"
        "session.create()\n"
        "print(session.session_key, Territory.objects.filter(level='province').first().code)\n"
    )
    session_key, province = manage("shell", "-c", script).split()[-2:]
    return session_key, province


def serve(module: str, port: int, env: dict[str, str]) -> subprocess.Popen:
    server = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", module, "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT,
        env=env,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
            return server
        except Exception:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError(f"{module} did not answer on port {port}")


# A signed-in browser holds the form-token cookie it was given with the sign-in form (and renewed at sign-in); an
# anonymous visitor is measured as on a first visit, without it (a new token drawn for each page).
FORM_TOKEN_COOKIE = "csrftoken=" + "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))


def cookies(session_key: str | None) -> str:
    """The Cookie header of the bench's requests: the citizen's, or an anonymous first visitor's."""
    if session_key is None:
        return "django_language=ar"
    return f"sessionid={session_key}; {FORM_TOKEN_COOKIE}; django_language=ar"


def load(url: str, cookie: str = "") -> dict[str, float]:
    command = ["wrk", "-t", str(THREADS), "-c", str(CONNECTIONS), "-d", f"{SECONDS}s", "--latency", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)

    def latency(percentile: str) -> float:
        value, unit = re.search(rf"^\s+{percentile}%\s+([\d.]+)(us|ms|s)$", output, re.M).groups()
        return round(float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit], 2)

    return {
        "requests_per_second": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50_ms": latency("50"),
        "p99_ms": latency("99"),
        "errors": int(non_2xx.group(1)) if non_2xx else 0,
    }


def median_of(rounds: list[dict[str, float]]) -> dict[str, float]:
    return {key: statistics.median(measured[key] for measured in rounds) for key in rounds[0]}


def main() -> None:
    session_key, province = prepare_database()
    hello = serve(
        "django.core.wsgi:get_wsgi_application()", PORT + 1, {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.hello"}
    )
    app = serve("raqmana.wsgi:application", PORT, APP_ENV)
    try:
        # The machine's speed drifts over a run (other tenants, frequency): each page is loaded right after the
        # hello-world, ROUNDS times, and its ratio is the median of each round's ratio.
        hello_rounds: list[dict[str, float]] = []
        figures = {}
        for label, (path, signed_in) in PAGES.items():
            url = f"http://127.0.0.1:{PORT}{path.format(province=province)}"
            rounds = []
            for _round in range(ROUNDS):
                baseline = load(f"http://127.0.0.1:{PORT + 1}/")
                measured = load(url, cookies(session_key if signed_in else None))
                measured["ratio_to_hello_world"] = measured["requests_per_second"] / baseline["requests_per_second"]
                hello_rounds.append(baseline)
                rounds.append(measured)
            figures[label] = {key: round(value, 3) for key, value in median_of(rounds).items()}
            print(f"{label:32} {figures[label]}")
    finally:
        app.terminate()
        hello.terminate()
    results = {
        "hello_world": {key: round(value, 3) for key, value in median_of(hello_rounds).items()},
        "pages": figures,
        "load": f"wrk, {THREADS} threads, {CONNECTIONS} connections, {ROUNDS} rounds of {SECONDS} s a page, each"
        " after as long on the hello-world; medians",
        "servers": "gunicorn, 2 sync workers, DEBUG off",
        "database": "postgresql",
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "note": os.environ.get("BENCH_NOTE", ""),
    }
    out = ROOT / "bench" / "results" / "pages-postgresql.json"
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
