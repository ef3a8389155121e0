from base64 import b32encode
from datetime import timedelta
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.timesince import timeuntil
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_ratelimit.core import get_usage, is_ratelimited

from raqmana.audit.services import record
from raqmana.kernel.refusals import refusal_text

from .constants import CodePurpose
from .forms import (
    ContactChoiceForm,
    ContactCodeForm,
    EnrolmentCodeForm,
    EnterpriseForm,
    ForgottenPasswordForm,
    LoginForm,
    NewPasswordCodeForm,
    RepresentativeForm,
    SignupForm,
    TokenForm,
)
from .models import ContactCode, Enterprise, EnterpriseRepresentative
from .services import enterprises
from .services.preferences import set_preferred_language
from .services.sign_up import (
    CONTACT_CODE_VALIDITY,
    confirm_contact_code,
    resend_contact_code,
    send_account_code,
    start_password_reset,
    start_signup,
)
from .services.two_factor import (
    check_totp_token,
    confirm_totp_device,
    enrolment_code_matches,
    pending_totp_device,
    totp_code_reused_wait,
    totp_wait_seconds,
)


def _language_cookie(response, language):
    """The cookie Django's own language switch sets, with the same settings."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        """The latest explicit language choice wins: this device's, or else the one kept on the account."""
        response = super().form_valid(form)
        user = form.get_user()
        record(actor=user, action="account.signed_in", target=user)
        chosen_here = self.request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen_here in dict(settings.LANGUAGES):
            set_preferred_language(user, chosen_here)
            return response
        return _language_cookie(response, user.preferred_language)


def _safe_next(request, default="portal:home"):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return redirect(default).url


ENROLMENT_SESSION_KEY = "raqmana_enrolment_unlocked_for"
# Wrong enrolment codes an agent may type in a window of 15 minutes; told how long to wait after that.
ENROLMENT_CODE_RATE = "5/15m"


def _too_many_codes(seconds):
    if seconds < 120:
        return ngettext(
            "Too many wrong codes: try again in %(seconds)d second.",
            "Too many wrong codes: try again in %(seconds)d seconds.",
            seconds,
        ) % {"seconds": seconds}
    return _("Too many wrong codes: try again in %(duration)s.") % {
        "duration": timeuntil(timezone.now() + timedelta(seconds=seconds))
    }


def _refused_totp_code(device, token):
    """Why a code was refused, and how long to wait when the next one cannot be typed at once: a code already used
    is taken again only after the app shows the next, and wrong codes make django-otp wait 1, 2, 4... seconds."""
    reused = totp_code_reused_wait(device, token)
    if reused:
        return ngettext(
            "This code was already used. Your app shows a new one in %(seconds)d second: enter that one.",
            "This code was already used. Your app shows a new one in %(seconds)d seconds: enter that one.",
            reused,
        ) % {"seconds": reused}
    wait = totp_wait_seconds(device)
    if wait > 1:
        return ngettext(
            "This code is wrong or has expired. Wait %(seconds)d second, then enter the code your app shows.",
            "This code is wrong or has expired. Wait %(seconds)d seconds, then enter the code your app shows.",
            wait,
        ) % {"seconds": wait}
    return _("This code is wrong or has expired. Enter the code your app shows now.")


@login_required
def two_factor(request):
    """Second factor for agents: enrol an authenticator app once (unlocked by a one-time enrolment code),
    then give its code at each sign-in."""
    user = request.user
    if not user.is_agent or user.is_verified():
        return redirect(_safe_next(request))
    device = next(iter(devices_for_user(user)), None)  # a confirmed device: the agent has enrolled
    enrolled = device is not None
    unlocked = request.session.get(ENROLMENT_SESSION_KEY) == user.pk
    if not enrolled and not unlocked:
        return _enrolment_code_step(request)
    if not enrolled:
        device = pending_totp_device(user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"]
        check = check_totp_token if enrolled else confirm_totp_device
        wait = totp_wait_seconds(device)
        if wait:
            form.add_error("token", _too_many_codes(wait))
        elif check(device, token):
            request.session.cycle_key()  # the session is worth more now: a key seen before must not carry it
            request.session.pop(ENROLMENT_SESSION_KEY, None)
            otp_login(request, device)
            record(actor=user, action="two_factor.verified", target=user)
            return redirect(_safe_next(request))
        else:
            device.refresh_from_db()
            form.add_error("token", _refused_totp_code(device, token))
    context = {"form": form, "enrolled": enrolled, "next": _safe_next(request)}
    if not enrolled:
        secret = b32encode(device.bin_key).decode()
        context["secret"] = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
        # no fixed size (a viewBox instead), so that the page's style scales it to the screen
        context["qr_svg"] = segno.make(device.config_url, error="m").svg_inline(
            scale=5, dark="#111", omitsize=True, svgclass="qr-code", title=_("Code to scan with your authenticator app")
        )
    return render(request, "accounts/two_factor.html", context)


def _enrolment_code_step(request):
    form = EnrolmentCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        failures = {"group": "accounts.enrolment_code", "key": "user", "rate": ENROLMENT_CODE_RATE}
        usage = get_usage(request, **failures)
        if usage["count"] >= usage["limit"]:
            form.add_error("code", _too_many_codes(max(1, usage["time_left"])))
        elif enrolment_code_matches(request.user, form.cleaned_data["code"]):
            request.session[ENROLMENT_SESSION_KEY] = request.user.pk
            return redirect(request.get_full_path())
        else:
            get_usage(request, increment=True, **failures)
            form.add_error(
                "code", _("This enrolment code is wrong or has expired. Ask your administrator for a new one.")
            )
    return render(request, "accounts/enrolment_code.html", {"form": form, "next": _safe_next(request)})


# Sign-ups (and password resets) started from one client address: enough for a family or an office, too few to
# farm accounts or to send codes to strangers.
SIGNUP_RATE = "10/h"
# Codes an account may ask for to prove its contact.
ACCOUNT_CODE_RATE = "5/h"
CONTACT_CODE_SESSION_KEY = "raqmana_contact_code"


def signup(request):
    """Open a citizen account: its email or phone is proved by a code before the account exists. The answer is the
    same whether or not the contact already has an account (see services.sign_up.start_signup)."""
    if request.user.is_authenticated:
        return redirect("portal:home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if is_ratelimited(request, group="accounts.signup", key="ip", rate=SIGNUP_RATE, increment=True):
            form.add_error(None, _("Too many accounts were started from your connection. Try again in an hour."))
            return render(request, "accounts/signup.html", {"form": form}, status=429)
        try:
            contact_code = start_signup(
                full_name=data["full_name"],
                password=data["password1"],
                contact=data["contact"],
                preferred_language=request.LANGUAGE_CODE,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            request.session[CONTACT_CODE_SESSION_KEY] = contact_code.pk
            return redirect("accounts:contact_code")
    return render(request, "accounts/signup.html", {"form": form})


def password_reset(request):
    """A forgotten password: a code goes to the account's email or phone, and a new password is chosen with it. The
    answer is the same whether or not an account has the contact (see services.sign_up.start_password_reset)."""
    if request.user.is_authenticated:
        return redirect("portal:home")
    form = ForgottenPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if is_ratelimited(request, group="accounts.password_reset", key="ip", rate=SIGNUP_RATE, increment=True):
            form.add_error(None, _("Too many codes were asked from your connection. Try again in an hour."))
            return render(request, "accounts/password_reset.html", {"form": form}, status=429)
        try:
            contact_code = start_password_reset(form.cleaned_data["contact"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            request.session[CONTACT_CODE_SESSION_KEY] = contact_code.pk
            return redirect("accounts:contact_code")
    return render(request, "accounts/password_reset.html", {"form": form})


@login_required
def verify_contact(request):
    """An account proves its email or phone by a code sent there (needed to order documents)."""
    if request.user.has_verified_contact:
        return redirect(_safe_next(request))
    form = ContactChoiceForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        if is_ratelimited(request, group="accounts.account_code", key="user", rate=ACCOUNT_CODE_RATE, increment=True):
            form.add_error(None, _("Too many codes were asked for this account. Try again in an hour."))
        else:
            try:
                contact_code = send_account_code(request.user, form.cleaned_data["channel"])
            except ValidationError as error:
                form.add_error(None, error)
            else:
                request.session[CONTACT_CODE_SESSION_KEY] = contact_code.pk
                return redirect(f"{reverse('accounts:contact_code')}?{urlencode({'next': _safe_next(request)})}")
    return render(request, "accounts/verify_contact.html", {"form": form, "next": _safe_next(request)})


def contact_code(request):
    """Type the code sent to an email or phone, or ask for another: ends a sign-up, an account's proof or a password
    reset."""
    pending = ContactCode.objects.filter(pk=request.session.get(CONTACT_CODE_SESSION_KEY), used_at=None).first()
    if pending is None or (pending.purpose == CodePurpose.PROOF and pending.user_id != request.user.pk):
        return redirect("accounts:verify_contact" if request.user.is_authenticated else "accounts:signup")
    if request.POST.get("action") == "resend":
        try:
            resend_contact_code(pending)
        except ValidationError as error:
            messages.error(request, refusal_text(error))
        else:
            messages.success(request, _("A new code is on its way; the last one no longer works."))
        return redirect(request.get_full_path())
    resetting = pending.purpose == CodePurpose.PASSWORD_RESET
    form = (NewPasswordCodeForm if resetting else ContactCodeForm)(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = confirm_contact_code(
                pending, form.cleaned_data["code"], new_password=form.cleaned_data.get("password1")
            )
        except ValidationError as error:
            form.add_error("code", error)
        else:
            del request.session[CONTACT_CODE_SESSION_KEY]
            if pending.purpose == CodePurpose.SIGN_UP:
                login(request, user, backend="raqmana.accounts.backends.EmailOrPhoneBackend")
                messages.success(request, _("Your account is open."))
                return redirect("portal:home")
            if resetting:
                messages.success(request, _("Your password is changed: sign in with it."))
                return redirect("accounts:login")
            messages.success(request, _("Thank you: your contact is confirmed."))
            return redirect(_safe_next(request))
    context = {
        "form": form,
        "contact": pending.contact,
        "minutes": CONTACT_CODE_VALIDITY // timedelta(minutes=1),
        "next": _safe_next(request),
    }
    return render(request, "accounts/contact_code.html", context)


@login_required
def enterprise_register(request):
    form = EnterpriseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            enterprise = enterprises.register_enterprise(representative=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The enterprise is registered and you represent it."))
            return redirect("accounts:enterprise", ice=enterprise.ice)
    return render(request, "accounts/enterprise_form.html", {"form": form})


@login_required
def enterprise_detail(request, ice):
    enterprise = get_object_or_404(Enterprise.objects.select_related("commune"), ice=ice)
    if not enterprise.representatives.active().filter(user=request.user).exists():
        raise PermissionDenied
    form = RepresentativeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        enterprises.invite_representative(
            enterprise, form.cleaned_data["identifier"], capacity=form.cleaned_data["capacity"], by=request.user
        )
        messages.success(
            request,
            _(
                "If a Raqmana account has this email or phone number, its holder is invited "
                "and will appear here once they accept."
            ),
        )
        return redirect("accounts:enterprise", ice=enterprise.ice)
    representatives = enterprise.representatives.active().select_related("user")
    return render(
        request,
        "accounts/enterprise_detail.html",
        {"enterprise": enterprise, "representatives": representatives, "form": form},
    )


@login_required
@require_POST
def answer_invitation(request, pk):
    invitation = get_object_or_404(EnterpriseRepresentative.objects.pending(), pk=pk, user=request.user)
    accept = request.POST.get("answer") == "accept"
    enterprises.answer_invitation(invitation, by=request.user, accept=accept)
    if accept:
        messages.success(request, _("You now represent %(name)s.") % {"name": invitation.enterprise.legal_name})
    return redirect("portal:home")


@require_POST
def set_language(request):
    """Django's language switch, which also remembers the choice on the account for the next device."""
    response = django_set_language(request)
    language = request.POST.get("language")
    if language in dict(settings.LANGUAGES):
        set_preferred_language(request.user, language)
    return response
