"""Opening citizen accounts and proving contacts: a code sent to an email address or a phone number opens the
account (sign-up), proves an account's contact, or lets its holder choose a new password."""

import math
import secrets
from datetime import datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from raqmana.accounts.backends import find_user_by_identifier
from raqmana.accounts.constants import CodePurpose
from raqmana.accounts.models import ContactCode, User
from raqmana.accounts.tasks import send_contact_code
from raqmana.accounts.validators import normalise_phone
from raqmana.audit.services import record
from raqmana.kernel.tasks import enqueue_on_commit
from raqmana.notifications.models import Channel
from raqmana.notifications.sms import sms_provider


@transaction.atomic
def register_citizen(
    *, full_name: str, password: str, email: str | None = None, phone: str | None = None, preferred_language: str = "ar"
) -> User:
    """Open a citizen account identified by an email address, a phone number or both."""
    if not email and not phone:
        raise ValidationError(_("Give an email address or a phone number."), code="no_identifier")
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email,
                password,
                phone=normalise_phone(phone) if phone else None,
                full_name=full_name,
                preferred_language=preferred_language,
            )
    except IntegrityError:  # the same identifier registered a moment earlier
        raise ValidationError(_("An account already uses this email address or phone number.")) from None
    record(actor=user, action="account.registered", target=user)
    return user


CONTACT_CODE_VALIDITY = timedelta(minutes=15)
CONTACT_CODE_ATTEMPTS = 5  # wrong codes a request allows for each code it sent, after which its code is void
CONTACT_CODE_SENDS = 3  # the first code and two more, each replacing the last
CONTACT_CODE_RESEND_AFTER = timedelta(seconds=60)
# What bounds guessing and flooding is the limit per email or phone, over every sign-up and password reset that gives
# it, from any client address: CONTACT_CODES_PER_DAY codes (or warnings to its owner), and CONTACT_WRONG_CODES_PER_DAY
# wrong codes, after which its codes are void until the day is over: 10 in a million chances a day to guess one.
CONTACT_LIMIT_WINDOW = timedelta(days=1)
CONTACT_CODES_PER_DAY = 5
CONTACT_WRONG_CODES_PER_DAY = 10


def channel_of(contact: str) -> Channel:
    """How a code reaches `contact`, an email address or a phone number."""
    return Channel.EMAIL if "@" in contact else Channel.SMS


def _contact_usage(contact: str) -> dict[str, int]:
    """Codes sent to `contact` and wrong codes typed for it by sign-ups and password resets in the last day. Counted
    alike whether or not an account has the contact (a taken sign-up or an unknown reset counts its sends though
    nothing is sent), so that the limits do not tell who has an account."""
    return ContactCode.objects.filter(
        contact=contact,
        purpose__in=[CodePurpose.SIGN_UP, CodePurpose.PASSWORD_RESET],
        last_sent_at__gte=timezone.now() - CONTACT_LIMIT_WINDOW,
    ).aggregate(sends=Coalesce(Sum("sends"), 0), wrong_codes=Coalesce(Sum("failed_attempts"), 0))


def _check_contact_limits(contact: str) -> None:
    usage = _contact_usage(contact)
    if usage["wrong_codes"] >= CONTACT_WRONG_CODES_PER_DAY:
        raise ValidationError(_too_many_wrong_codes_for_contact(), code="contact_wrong_codes")
    if usage["sends"] >= CONTACT_CODES_PER_DAY:
        raise ValidationError(
            _("Too many codes were sent to this email address or phone number today. Try again tomorrow."),
            code="contact_sends",
        )


def _too_many_wrong_codes_for_contact() -> str:
    return _("Too many wrong codes were typed for this email address or phone number today. Try again tomorrow.")


def contact_code_digest(contact_code_pk: int, code: str) -> str:
    """What is kept of a code: keyed by the site's secret, so a copy of the database does not give the codes away
    (a million codes would be tried in an instant against a plain hash)."""
    return salted_hmac("raqmana.accounts.ContactCode", f"{contact_code_pk}:{code}", algorithm="sha256").hexdigest()


@transaction.atomic
def start_signup(*, full_name: str, password: str, contact: str, preferred_language: str = "ar") -> ContactCode:
    """Begin opening a citizen account: a code goes to `contact` (an email address, or a phone number in E.164), and
    the account opens when it is typed back (confirm_contact_code).

    When the contact already belongs to an account, no account will open: its owner is told that someone tried, and
    whoever typed it sees the same as anyone else (the same work is done, the password hashed either way), so that
    sign-up does not tell who has an account.
    """
    full_name = User.checked_text("full_name", full_name)
    channel = channel_of(contact)
    if channel == Channel.SMS and sms_provider() is None:
        raise ValidationError(_("Codes cannot be sent by SMS here: give an email address."), code="no_sms")
    _check_contact_limits(contact)
    contact_code = ContactCode.objects.create(
        purpose=CodePurpose.SIGN_UP,
        channel=channel,
        contact=contact,
        signup={"full_name": full_name, "password": make_password(password), "language": preferred_language},
        contact_taken=find_user_by_identifier(contact) is not None,
        sends=1,
        last_sent_at=timezone.now(),
    )
    enqueue_on_commit(send_contact_code, contact_code.pk, 1)
    return contact_code


@transaction.atomic
def send_account_code(user: User, channel: str) -> ContactCode:
    """A code to the account's own email address or phone number, to prove it reaches its holder."""
    contact = user.email if channel == Channel.EMAIL else user.phone
    if not contact:
        raise ValidationError(_("This account has no such contact."), code="no_contact")
    if channel == Channel.SMS and sms_provider() is None:
        raise ValidationError(_("Codes cannot be sent by SMS here: give an email address."), code="no_sms")
    contact_code = ContactCode.objects.create(
        purpose=CodePurpose.PROOF, user=user, channel=channel, contact=contact, sends=1, last_sent_at=timezone.now()
    )
    enqueue_on_commit(send_contact_code, contact_code.pk, 1)
    return contact_code


@transaction.atomic
def start_password_reset(contact: str) -> ContactCode:
    """A code to choose a new password, sent to the email or phone of the account that has it. The answer is the same
    when no active account has it (nothing is sent then), so that the page does not tell who has an account."""
    channel = channel_of(contact)
    if channel == Channel.SMS and sms_provider() is None:
        raise ValidationError(_("Codes cannot be sent by SMS here: give an email address."), code="no_sms")
    _check_contact_limits(contact)
    owner = find_user_by_identifier(contact)
    contact_code = ContactCode.objects.create(
        purpose=CodePurpose.PASSWORD_RESET,
        user=owner if owner is not None and owner.is_active else None,
        channel=channel,
        contact=contact,
        sends=1,
        last_sent_at=timezone.now(),
    )
    enqueue_on_commit(send_contact_code, contact_code.pk, 1)
    return contact_code


@transaction.atomic
def resend_contact_code(contact_code: ContactCode) -> ContactCode:
    """Another code for the same request, which replaces the last: a minute apart at least, CONTACT_CODE_SENDS in
    all. Each code sent allows CONTACT_CODE_ATTEMPTS more wrong codes: counted from `sends`, which changes here, so
    that a request whose code is never sent (a taken sign-up, an unknown reset) changes exactly as the others do."""
    contact_code = ContactCode.objects.select_for_update().get(pk=contact_code.pk)
    if contact_code.used_at is not None:
        raise ValidationError(_("This code was already used."), code="used")
    if contact_code.sends >= CONTACT_CODE_SENDS:
        raise ValidationError(_("No more codes can be sent for this request: start again later."), code="no_more")
    assert contact_code.last_sent_at is not None  # every request is created with its first code sent
    wait = (contact_code.last_sent_at + CONTACT_CODE_RESEND_AFTER - timezone.now()).total_seconds()
    if wait > 0:
        seconds = math.ceil(wait)
        raise ValidationError(
            ngettext(
                "You can ask for a new code in %(seconds)d second.",
                "You can ask for a new code in %(seconds)d seconds.",
                seconds,
            )
            % {"seconds": seconds},
            code="too_soon",
        )
    if contact_code.purpose != CodePurpose.PROOF:
        _check_contact_limits(contact_code.contact)
    contact_code.sends += 1
    contact_code.last_sent_at = timezone.now()
    contact_code.save(update_fields=["sends", "last_sent_at"])
    enqueue_on_commit(send_contact_code, contact_code.pk, contact_code.sends)
    return contact_code


def make_contact_code(contact_code: ContactCode) -> str:
    """A fresh six-digit code for the request, replacing any earlier one; only its digest is kept. Called by the
    worker that sends it."""
    code = f"{secrets.randbelow(10**6):06d}"
    contact_code.code_hash = contact_code_digest(contact_code.pk, code)
    contact_code.expires_at = timezone.now() + CONTACT_CODE_VALIDITY
    contact_code.save(update_fields=["code_hash", "expires_at"])
    return code


def confirm_contact_code(contact_code: ContactCode, typed: str, new_password: str | None = None) -> User:
    """Check a typed code. When it matches, a sign-up's account opens, or the account's contact is marked proved (and
    for a password reset its password becomes `new_password`); the account is returned. Otherwise a ValidationError
    says why. A wrong code counts towards the CONTACT_CODE_ATTEMPTS each code sent allows, after which the request
    needs a new code, and for a sign-up or a reset towards CONTACT_WRONG_CODES_PER_DAY, after which the contact's codes
    are void for the day."""
    if contact_code.purpose == CodePurpose.PASSWORD_RESET and not new_password:
        raise ValidationError(_("Choose a new password."), code="password_required")
    typed = "".join(typed.split())
    with transaction.atomic():
        contact_code = ContactCode.objects.select_for_update().get(pk=contact_code.pk)
        # The digest is compared even when nothing can match, so that every answer takes the same time.
        matches = constant_time_compare(contact_code_digest(contact_code.pk, typed), contact_code.code_hash)
        limited = contact_code.purpose != CodePurpose.PROOF
        wrong_for_contact = _contact_usage(contact_code.contact)["wrong_codes"] if limited else 0
        wrong_allowed = CONTACT_CODE_ATTEMPTS * contact_code.sends
        usable = (
            contact_code.used_at is None
            and wrong_for_contact < CONTACT_WRONG_CODES_PER_DAY
            and contact_code.failed_attempts < wrong_allowed
            and contact_code.expires_at is not None
            and contact_code.expires_at > timezone.now()
            # an account's email or phone changed since the code was sent there is not the one proved
            and (
                contact_code.user is None or contact_code.contact in (contact_code.user.email, contact_code.user.phone)
            )
        )
        if matches and usable:
            return _prove_contact(contact_code, new_password)
        if contact_code.failed_attempts < wrong_allowed and wrong_for_contact < CONTACT_WRONG_CODES_PER_DAY:
            contact_code.failed_attempts += 1
            contact_code.save(update_fields=["failed_attempts"])
            if limited:
                wrong_for_contact += 1
        exhausted = contact_code.failed_attempts >= wrong_allowed
    if wrong_for_contact >= CONTACT_WRONG_CODES_PER_DAY:
        raise ValidationError(_too_many_wrong_codes_for_contact(), code="contact_wrong_codes")
    if exhausted:
        raise ValidationError(_("Too many wrong codes: ask for a new code."), code="too_many_attempts")
    raise ValidationError(_("This code is wrong or has expired."), code="wrong_code")


def _prove_contact(contact_code: ContactCode, new_password: str | None) -> User:
    now = timezone.now()
    proved = "email_verified_at" if contact_code.channel == Channel.EMAIL else "phone_verified_at"
    contact_code.used_at = now
    contact_code.save(update_fields=["used_at"])
    if contact_code.purpose == CodePurpose.SIGN_UP:
        user = _open_signed_up_account(contact_code, **{proved: now})
    else:
        assert contact_code.user is not None  # only a sign-up's code is sent with no account (tasks.send_contact_code)
        user = contact_code.user
        setattr(user, proved, now)
        changed = [proved]
        if contact_code.purpose == CodePurpose.PASSWORD_RESET:
            user.set_password(new_password)
            changed.append("password")
            record(actor=user, action="account.password_reset", target=user, reason=contact_code.get_channel_display())
        user.save(update_fields=changed)
    record(actor=user, action="account.contact_verified", target=user, reason=contact_code.get_channel_display())
    return user


def _open_signed_up_account(contact_code: ContactCode, **proved: datetime) -> User:
    signup = contact_code.signup
    email = contact_code.contact if contact_code.channel == Channel.EMAIL else None
    phone = contact_code.contact if contact_code.channel == Channel.SMS else None
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email, None, phone=phone, full_name=signup["full_name"], preferred_language=signup["language"], **proved
            )
    except IntegrityError:  # the same contact proved by another sign-up a moment earlier
        raise ValidationError(_("An account already uses this email address or phone number.")) from None
    user.password = signup["password"]
    user.save(update_fields=["password"])
    contact_code.user = user
    contact_code.save(update_fields=["user"])
    record(actor=user, action="account.registered", target=user)
    return user
