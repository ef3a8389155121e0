from base64 import b32encode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language
from django_otp import login as otp_login
from django_otp import match_token, user_has_device

from raqmana.audit.services import record

from . import services
from .forms import EnrolmentCodeForm, EnterpriseForm, LoginForm, RepresentativeForm, SignupForm, TokenForm
from .models import Enterprise, EnterpriseRepresentative


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
            services.set_preferred_language(user, chosen_here)
            return response
        return _language_cookie(response, user.preferred_language)


def _safe_next(request, default="core:home"):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return redirect(default).url


ENROLMENT_SESSION_KEY = "raqmana_enrolment_unlocked_for"


@login_required
def two_factor(request):
    """Second factor for agents: enrol an authenticator app once (unlocked by a one-time enrolment code),
    then give its code at each sign-in."""
    user = request.user
    if not user.is_agent or user.is_verified():
        return redirect(_safe_next(request))
    enrolled = user_has_device(user)
    unlocked = request.session.get(ENROLMENT_SESSION_KEY) == user.pk
    if not enrolled and not unlocked:
        return _enrolment_code_step(request)
    device = None if enrolled else services.pending_totp_device(user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"]
        if enrolled:
            device = match_token(user, token)
            verified = device is not None
        else:
            verified = services.confirm_totp_device(device, token)
        if verified:
            request.session.pop(ENROLMENT_SESSION_KEY, None)
            otp_login(request, device)
            record(actor=user, action="two_factor.verified", target=user)
            return redirect(_safe_next(request))
        form.add_error("token", _("This code is wrong or has expired. Enter the code your app shows now."))
    context = {"form": form, "enrolled": enrolled, "next": _safe_next(request)}
    if not enrolled:
        secret = b32encode(device.bin_key).decode()
        context["secret"] = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
        context["qr_svg"] = segno.make(device.config_url, error="m").svg_inline(scale=5, dark="#111")
    return render(request, "accounts/two_factor.html", context)


def _enrolment_code_step(request):
    form = EnrolmentCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.enrolment_code_matches(request.user, form.cleaned_data["code"]):
            request.session[ENROLMENT_SESSION_KEY] = request.user.pk
            return redirect(request.get_full_path())
        form.add_error("code", _("This enrolment code is wrong or has expired. Ask your administrator for a new one."))
    return render(request, "accounts/enrolment_code.html", {"form": form, "next": _safe_next(request)})


def signup(request):
    if request.user.is_authenticated:
        return redirect("core:home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.register_citizen(
                full_name=data["full_name"],
                password=data["password1"],
                email=data["email"] or None,
                phone=data["phone"],
                preferred_language=request.LANGUAGE_CODE,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            login(request, user, backend="raqmana.accounts.backends.EmailOrPhoneBackend")
            messages.success(request, _("Your account is open."))
            return redirect("core:home")
    return render(request, "accounts/signup.html", {"form": form})


@login_required
def enterprise_register(request):
    form = EnterpriseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            enterprise = services.register_enterprise(representative=request.user, **form.cleaned_data)
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
        services.invite_representative(
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
    services.answer_invitation(invitation, by=request.user, accept=accept)
    if accept:
        messages.success(request, _("You now represent %(name)s.") % {"name": invitation.enterprise.legal_name})
    return redirect("core:home")


@require_POST
def set_language(request):
    """Django's language switch, which also remembers the choice on the account for the next device."""
    response = django_set_language(request)
    language = request.POST.get("language")
    if language in dict(settings.LANGUAGES):
        services.set_preferred_language(request.user, language)
    return response
