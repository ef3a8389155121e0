"""Real server processes for tests of what holds across processes (gunicorn's workers each have their own memory)."""

import socket
import subprocess
import sys
import time

import pytest
import redis
from django.conf import settings


def redis_answers(url):
    try:
        return redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(port, log, environment):
    """One gunicorn process with one worker: each process has its own memory, as gunicorn's workers have."""
    command = [sys.executable, "-m", "gunicorn", "raqmana.wsgi", "--workers", "1", "--no-control-socket"]
    return subprocess.Popen(
        [*command, "--bind", f"127.0.0.1:{port}"],
        cwd=settings.BASE_DIR,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def wait_until_serving(server, port, log_path):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"gunicorn stopped:\n{log_path.read_text()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"gunicorn did not answer within 60 s:\n{log_path.read_text()}")
