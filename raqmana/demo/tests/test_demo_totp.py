"""demo_totp works as the README writes it, and never prints the code of an account that is not a demo one."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from raqmana.accounts.tests.factories import UserFactory
from raqmana.accounts.tests.test_sign_in import code_for
from raqmana.demo.management.commands.seed_demo import DEMO_PASSWORD

ROOT = Path(__file__).resolve().parents[3]


def manage(*args, **env):
    clean = {name: value for name, value in os.environ.items() if name not in {"SECRET_KEY", "RAQMANA_DEBUG"}}
    clean.pop("PYTEST_CURRENT_TEST", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean | env, capture_output=True, text=True, timeout=120
    )


def test_without_any_variable_the_command_runs_with_the_development_defaults():
    assert manage("demo_totp", "--help").returncode == 0
    assert "ImproperlyConfigured" in manage("check").stderr  # the other commands still need a setting


def test_a_deployment_is_refused():
    answer = manage("demo_totp", "agent@commune.ma", SECRET_KEY="a-deployment-key")
    assert answer.returncode == 1
    assert "demo_totp runs only in development" in answer.stderr


@pytest.mark.django_db
def test_the_code_of_a_demo_account_is_printed(settings, capsys):
    settings.DEBUG = True
    user = UserFactory(email="demo.agent@example.ma")
    user.set_password(DEMO_PASSWORD)
    user.save()
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    call_command("demo_totp", "Demo.Agent@example.ma")
    assert capsys.readouterr().out.strip() in {code_for(device), code_for(device, offset=1)}


@pytest.mark.django_db
def test_no_code_for_an_account_with_its_own_password(settings):
    settings.DEBUG = True
    user = UserFactory(email="real.agent@example.ma")
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    with pytest.raises(CommandError, match="is no demo account"):
        call_command("demo_totp", "real.agent@example.ma")
