"""What is known of a signed-in person is kept between their requests (kernel/personal_cache.py), in each process and
in the shared cache: a change made anywhere (here, by a command in a process of its own) holds from the person's next
request on, in every server process, however warm its memory."""

import http.client
import json
import os
import subprocess
import sys

import pytest
import redis
from django.conf import settings

from raqmana.kernel.tests.servers import free_port, redis_answers, start_server, wait_until_serving

# A Redis database of its own, emptied first: the database below is new, its people's numbers start again at 1.
TEST_REDIS_URL = "redis://127.0.0.1:6379/12"


pytestmark = pytest.mark.skipif(
    not redis_answers(TEST_REDIS_URL), reason="Redis does not answer on 127.0.0.1:6379 (apt-get install redis-server)"
)

SETUP = """
import json
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.cached_db import SessionStore
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from raqmana.access.services import grant_role
from raqmana.accounts.models import User

def session_of(user, device=None):
    session = SessionStore()
    session.update({SESSION_KEY: str(user.pk), BACKEND_SESSION_KEY: "raqmana.accounts.backends.EmailOrPhoneBackend",
                    HASH_SESSION_KEY: user.get_session_auth_hash()})
    if device is not None:
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.create()
    return session.session_key

people = {}
for name in ("amina", "karim"):
    citizen = User.objects.create_user(email=f"{name}@example.ma", password="a long password 1", full_name=name.title())
    people[name] = session_of(citizen)
agent = User.objects.create_user(email="dgct@example.ma", password="a long password 1", full_name="Nadia")
grant_role(agent, "dgct", by=None, reason="test")
people["nadia"] = session_of(agent, TOTPDevice.objects.create(user=agent, name="phone", confirmed=True))
print(json.dumps(people))
"""


def manage(environment, *arguments):
    completed = subprocess.run(
        [sys.executable, str(settings.BASE_DIR / "manage.py"), *arguments],
        env=environment,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return completed.stdout


def change(environment, code):
    """`code` run by a process of its own, as an administrator's command or another server would."""
    manage(environment, "shell", "-c", "from raqmana.accounts.models import User\n" + code)


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    """Two server processes (one worker each) on one database and one shared cache, and the sessions of two citizens
    and of an agent of the DGCT with a confirmed authenticator."""
    folder = tmp_path_factory.mktemp("two-processes")
    redis.Redis.from_url(TEST_REDIS_URL).flushdb()
    environment = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"} | {
        "RAQMANA_DEBUG": "1",  # static files without collectstatic
        "DATABASE_URL": f"sqlite:///{folder / 'platform.sqlite3'}",
        "REDIS_URL": TEST_REDIS_URL,
    }
    manage(environment, "migrate", "-v0")
    sessions = json.loads(manage(environment, "shell", "-c", SETUP).strip().splitlines()[-1])
    servers = []
    for number in range(2):
        port, log_path = free_port(), folder / f"gunicorn-{number}.log"
        servers.append((start_server(port, log_path.open("w"), environment), port, log_path))
    for server, port, log_path in servers:
        wait_until_serving(server, port, log_path)
    yield environment, sessions, [port for _server, port, _log in servers]
    for server, _port, _log in servers:
        server.terminate()
        server.wait(timeout=30)


def get(port, path, session):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", path, headers={"Cookie": f"sessionid={session}; django_language=en"})
    response = connection.getresponse()
    body = response.read().decode()
    connection.close()
    return response.status, body


def on_both(ports, path, session, rounds=2):
    """The answers of both processes, each asked `rounds` times (the later ones from what it kept)."""
    return [get(port, path, session) for port in ports for _round in range(rounds)]


def test_a_new_name_shows_at_the_next_request_in_every_process(platform):
    environment, sessions, ports = platform
    assert all(status == 200 and "Amina" in body for status, body in on_both(ports, "/", sessions["amina"]))
    change(environment, "user = User.objects.get(email='amina@example.ma'); user.full_name = 'Amina Tazi'; user.save()")
    assert all("Amina Tazi" in body for _status, body in on_both(ports, "/", sessions["amina"], rounds=1))


def test_a_revoked_role_is_refused_at_the_next_request_in_every_process(platform):
    environment, sessions, ports = platform
    assert [status for status, _body in on_both(ports, "/supervision/", sessions["nadia"])] == [200] * 4
    change(
        environment,
        "from raqmana.access.services import revoke_role\n"
        "assignment = User.objects.get(email='dgct@example.ma').role_assignments.get()\n"
        "revoke_role(assignment, by=None, reason='left the service')",
    )
    assert [status for status, _body in on_both(ports, "/supervision/", sessions["nadia"], rounds=1)] == [403] * 2


def test_a_changed_password_signs_the_sessions_out_in_every_process(platform):
    environment, sessions, ports = platform
    assert [status for status, _body in on_both(ports, "/documents/orders/", sessions["amina"])] == [200] * 4
    change(
        environment,
        "user = User.objects.get(email='amina@example.ma'); user.set_password('another long password'); user.save()",
    )
    answers = on_both(ports, "/documents/orders/", sessions["amina"], rounds=1)
    assert [status for status, _body in answers] == [302] * 2  # to the sign-in page


def test_a_deactivated_account_is_signed_out_in_every_process(platform):
    environment, sessions, ports = platform
    assert [status for status, _body in on_both(ports, "/documents/orders/", sessions["karim"])] == [200] * 4
    change(environment, "user = User.objects.get(email='karim@example.ma'); user.is_active = False; user.save()")
    answers = on_both(ports, "/documents/orders/", sessions["karim"], rounds=1)
    assert [status for status, _body in answers] == [302] * 2
