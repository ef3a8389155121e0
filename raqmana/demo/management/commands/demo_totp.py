"""Print the current TOTP code of a demo account, for those without an authenticator app.

README's `manage.py demo_totp EMAIL` works as written, with no variable set, and can never print the code of a real
account, by two locks:

- manage.py applies the development defaults (RAQMANA_DEBUG=1) to this command only when the environment has no
  SECRET_KEY: settings refuse to start anything without DEBUG or a SECRET_KEY, so an environment without one is a
  development checkout, never a deployment. A deployment (SECRET_KEY set, DEBUG off) is refused here.
- Even with DEBUG on, the code is printed only for an account whose password is the published demo password
  (seed_demo's accounts): whoever reads this command's output could sign in as that account anyway.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from raqmana.accounts.models import User

from .seed_demo import DEMO_PASSWORD


class Command(BaseCommand):
    help = "Development only: print the current TOTP code of a demo agent, for those without an authenticator app."
    requires_system_checks: list[str] = []  # so that a deployment hears why it is refused, whatever its checks say

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        if not settings.DEBUG:
            raise CommandError("demo_totp runs only in development (RAQMANA_DEBUG=1, or no SECRET_KEY set).")
        user = User.objects.filter(email__iexact=email).first()
        if user is None or not user.check_password(DEMO_PASSWORD):
            raise CommandError(f"{email} is no demo account (manage.py seed_demo creates them).")
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            raise CommandError(f"No confirmed authenticator for {email}.")
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        seconds_left = device.step - int(totp.time - device.t0) % device.step
        self.stdout.write(f"{totp.token():0{device.digits}d}")
        self.stderr.write(f"(valid {seconds_left} more seconds; each code signs in once)")
