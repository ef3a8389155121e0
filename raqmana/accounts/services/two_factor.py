"""An agent's second factor: the one-time enrolment code, the authenticator app (TOTP) it enrols, and the codes
the app gives at each sign-in, throttled. Every change is audited."""

import math
import time
from datetime import timedelta

from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from raqmana.accounts.models import User
from raqmana.audit.services import record
from raqmana.kernel.codes import random_code
from raqmana.notifications.services import notify

ENROLMENT_CODE_VALIDITY = timedelta(days=7)


@transaction.atomic
def issue_enrolment_code(user: User, *, by: User | None = None) -> str:
    """A one-time code that lets an agent enrol an authenticator app; without it a password alone cannot.

    Only its hash is kept. It is handed over by email when a role is granted, or shown once to the
    administrator who issued it. Issuing one also removes the person's authenticators, whose keys must never
    work again (a lost phone); the audit trail keeps the event.
    """
    code = random_code(10)
    user.enrolment_code_hash = make_password(code)
    user.enrolment_code_expires_at = timezone.now() + ENROLMENT_CODE_VALIDITY
    user.save(update_fields=["enrolment_code_hash", "enrolment_code_expires_at"])
    TOTPDevice.objects.filter(user=user).delete()
    record(actor=by, action="two_factor.enrolment_code_issued", target=user)
    return f"{code[:5]}-{code[5:]}"


def enrolment_code_matches(user: User, typed: str) -> bool:
    typed = typed.replace("-", "").replace(" ", "").upper()
    return bool(
        user.enrolment_code_hash
        and user.enrolment_code_expires_at
        and user.enrolment_code_expires_at > timezone.now()
        and check_password(typed, user.enrolment_code_hash)
    )


# django-otp makes an agent wait 2^(n-1) seconds after n wrong codes in a row, without end: someone holding the
# password could lock the agent out for days. The count stops at this ceiling, a wait of 2^9 s (under 9 minutes), and
# the agent is warned when it is reached.
TOTP_WRONG_CODES_CEILING = 10


def totp_wait_seconds(device: TOTPDevice) -> int:
    """How long an authenticator refuses codes after wrong ones (django-otp doubles the wait after each, up to
    TOTP_WRONG_CODES_CEILING); 0 when it takes them. Someone holding an agent's password can make the agent wait this
    long, never lock them out."""
    allowed, details = device.verify_is_allowed()
    if allowed or not details or "locked_until" not in details:
        return 0
    return max(1, math.ceil((details["locked_until"] - timezone.now()).total_seconds()))


def totp_code_reused_wait(device: TOTPDevice, token: str) -> int:
    """Seconds until the app shows its next code when `token` is the code it shows now but already used (django-otp
    takes each code once: a second sign-in in the same 30 seconds needs the next one); 0 for any other code."""
    if not token.isdigit() or device.last_t < 0:
        return 0

    def shown(min_t: int | None) -> bool:
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        return totp.verify(int(token), device.tolerance, min_t)

    if not shown(None) or shown(device.last_t + 1):
        return 0
    return device.step - int(time.time() - device.t0) % device.step


@transaction.atomic
def check_totp_token(device: TOTPDevice, token: str) -> bool:
    """Whether `token` is the code of the agent's confirmed authenticator (throttled and counted by django-otp)."""
    return _verify_totp(TOTPDevice.objects.select_for_update().get(pk=device.pk), token)


def _verify_totp(device: TOTPDevice, token: str) -> bool:
    """Check a code on a locked device; a wrong one (not one refused while the agent must wait) counts up to
    TOTP_WRONG_CODES_CEILING, which warns the agent when first reached."""
    failures = device.throttling_failure_count
    if device.verify_token(token):
        return True
    if device.throttling_failure_count > TOTP_WRONG_CODES_CEILING:
        device.throttling_failure_count = TOTP_WRONG_CODES_CEILING
        device.save(update_fields=["throttling_failure_count"])
    elif failures < device.throttling_failure_count == TOTP_WRONG_CODES_CEILING:
        _warn_of_wrong_totp_codes(device.user)
    return False


def _warn_of_wrong_totp_codes(user: User) -> None:
    record(actor=None, action="two_factor.wrong_codes_warned", target=user)
    notify(user, "accounts.wrong_totp_codes", {"user": user, "count": TOTP_WRONG_CODES_CEILING})


def pending_totp_device(user: User) -> TOTPDevice:
    """The authenticator an agent is enrolling: created unconfirmed once, shown until confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)


@transaction.atomic
def confirm_totp_device(device: TOTPDevice, token: str) -> bool:
    """Enrolment ends when the first code from the app checks; the enrolment code is then spent."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    if not _verify_totp(device, token):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    user = device.user
    user.enrolment_code_hash, user.enrolment_code_expires_at = "", None
    user.save(update_fields=["enrolment_code_hash", "enrolment_code_expires_at"])
    record(actor=user, action="two_factor.enrolled", target=user)
    return True
