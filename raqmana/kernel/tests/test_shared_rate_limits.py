"""Public rate limits hold across processes only in a shared cache, and a deployment without one is refused."""

import http.client
import os
import random
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.core import checks
from django.test import override_settings
from django_ratelimit.core import _get_window

from .servers import free_port, redis_answers, start_server, wait_until_serving

# A Redis database of its own, so the test's counters never meet those of a development server.
TEST_REDIS_URL = "redis://127.0.0.1:6379/13"
MANAGE = [sys.executable, str(settings.BASE_DIR / "manage.py")]


requires_redis = pytest.mark.skipif(
    not redis_answers(TEST_REDIS_URL), reason="Redis does not answer on 127.0.0.1:6379 (apt-get install redis-server)"
)


def cache_errors():
    return [
        message
        for message in checks.run_checks(include_deployment_checks=True, tags=[checks.Tags.caches])
        if message.id == "raqmana.E001"
    ]


@pytest.mark.parametrize(
    "backend",
    [
        "django.core.cache.backends.locmem.LocMemCache",
        "django.core.cache.backends.dummy.DummyCache",
        "django.core.cache.backends.filebased.FileBasedCache",
    ],
)
def test_the_deployment_check_refuses_a_cache_each_process_keeps_alone(backend):
    with override_settings(CACHES={"default": {"BACKEND": backend, "LOCATION": "/tmp/raqmana-unshared"}}):
        (error,) = cache_errors()
    assert error.level == checks.ERROR and "REDIS_URL" in error.hint


def test_the_deployment_check_accepts_redis():
    redis_cache = {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": TEST_REDIS_URL}
    with override_settings(CACHES={"default": redis_cache}):
        assert cache_errors() == []


def manage(*arguments, **environment):
    env = {key: value for key, value in os.environ.items() if key not in {"REDIS_URL", "RAQMANA_DEBUG"}}
    return subprocess.run(
        [*MANAGE, *arguments], env=env | environment, capture_output=True, text=True, timeout=120, check=False
    )


def test_development_runs_on_the_local_cache_but_check_deploy_fails():
    assert manage("check", RAQMANA_DEBUG="1").returncode == 0
    deploy = manage("check", "--deploy", "--tag", "caches", RAQMANA_DEBUG="1")
    assert deploy.returncode != 0 and "raqmana.E001" in deploy.stderr


def test_production_settings_without_redis_fail_django_ratelimits_own_check():
    production = {"SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "raqmana.example.ma", "EMAIL_HOST": "smtp.example.ma"}
    refused = manage("check", **production)
    assert refused.returncode != 0 and "django_ratelimit.E003" in refused.stderr
    assert manage("check", "--deploy", "--tag", "caches", REDIS_URL=TEST_REDIS_URL, **production).returncode == 0


@pytest.fixture
def two_servers(tmp_path):
    """Start two independent server processes on the given cache (REDIS_URL, or none: each its own memory)."""
    servers = []

    def start(redis_url):
        environment = os.environ | {
            "RAQMANA_DEBUG": "1",  # static files without collectstatic; the rate limits are the same
            "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",  # the verification form reads no data
            "REDIS_URL": redis_url,
        }
        ports = []
        for number in range(2):
            port, log_path = free_port(), tmp_path / f"gunicorn-{number}.log"
            servers.append((start_server(port, log_path.open("w"), environment), port, log_path))
            ports.append(port)
        for server, port, log_path in servers[-2:]:
            wait_until_serving(server, port, log_path)
            verify_from("127.0.0.1", [port], 1)  # a first answer warms the worker up, from another address
        return ports

    yield start
    for server, _port, _log in servers:
        server.terminate()
        server.wait(timeout=30)


def client_address_far_from_a_new_window(period):
    """A loopback address of its own for this run, and the end of its rate-limit window, at least 50 s away:
    django_ratelimit's windows end at a time that depends on the key."""
    while True:
        address = f"127.{random.randrange(1, 255)}.{random.randrange(1, 255)}.{random.randrange(1, 255)}"
        window_end = _get_window(address, period)
        if window_end - time.time() > 50:
            return address, window_end


def verify_from(address, ports, count):
    """GET the public verification form `count` times from `address`, alternating between the servers."""
    statuses = {port: [] for port in ports}
    for number in range(count):
        port = ports[number % len(ports)]
        connection = http.client.HTTPConnection("127.0.0.1", port, source_address=(address, 0), timeout=60)
        connection.request("GET", "/documents/verify/")
        response = connection.getresponse()
        response.read()
        connection.close()
        statuses[port].append(response.status)
    return statuses


def verify_rate():
    limit, period = settings.RAQMANA_VERIFY_RATE.split("/")
    assert period == "m"
    return int(limit), 60


@requires_redis
def test_the_public_limit_holds_across_processes_sharing_redis(two_servers):
    limit, period = verify_rate()
    ports = two_servers(TEST_REDIS_URL)
    address, window_end = client_address_far_from_a_new_window(period)
    statuses = verify_from(address, ports, limit + 2)
    assert time.time() < window_end, "the requests outlasted the rate-limit window: the machine is too slow"

    answered = [status for port in ports for status in statuses[port]]
    assert answered.count(200) == limit and answered.count(429) == 2
    assert all(statuses[port][-1] == 429 for port in ports)  # each process refuses what the other counted


def test_without_a_shared_cache_each_process_counts_alone(two_servers):
    """What the deployment check prevents: two processes let the same address through twice the limit."""
    limit, period = verify_rate()
    ports = two_servers("")
    address, _window_end = client_address_far_from_a_new_window(period)
    statuses = verify_from(address, ports, 2 * limit)
    assert all(statuses[port] == [200] * limit for port in ports)
