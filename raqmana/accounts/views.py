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
from .backends import find_user_by_identifier
from .forms import EnterpriseForm, LoginForm, RepresentativeForm, SignupForm, TokenForm
from .models import Enterprise


def _language_cookie(response, language):
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
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


@login_required
def two_factor(request):
    """Second factor for agents: enrol an authenticator app once, then give its code at each sign-in."""
    user = request.user
    if not user.is_agent or user.is_verified():
        return redirect(_safe_next(request))
    enrolled = user_has_device(user)
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
            otp_login(request, device)
            record(actor=user, action="two_factor.verified", target=user)
            return redirect(_safe_next(request))
        form.add_error("token", _("This code is wrong or has expired. Enter the code your app shows now."))
    context = {"form": form, "enrolled": enrolled, "next": _safe_next(request)}
    if device is not None and not enrolled:
        secret = b32encode(device.bin_key).decode()
        context["secret"] = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
        context["qr_svg"] = segno.make(device.config_url, error="m").svg_inline(scale=5, dark="#111")
    return render(request, "accounts/two_factor.html", context)


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
        person = find_user_by_identifier(form.cleaned_data["identifier"])
        if person is None:
            form.add_error("identifier", _("No Raqmana account has this email or phone number."))
        else:
            try:
                services.add_representative(enterprise, person, capacity=form.cleaned_data["capacity"], by=request.user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("%(name)s now represents the enterprise.") % {"name": person})
                return redirect("accounts:enterprise", ice=enterprise.ice)
    representatives = enterprise.representatives.active().select_related("user")
    return render(
        request,
        "accounts/enterprise_detail.html",
        {"enterprise": enterprise, "representatives": representatives, "form": form},
    )


@require_POST
def set_language(request):
    """Django's language switch, which also remembers the choice on the account for the next device."""
    response = django_set_language(request)
    language = request.POST.get("language")
    if language in dict(settings.LANGUAGES):
        services.set_preferred_language(request.user, language)
    return response
