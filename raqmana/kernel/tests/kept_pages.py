"""What the tests of the kept personal pages (kernel/personal_pages.py) share: the templates the views render, and
browsers signed in as a person."""

import re

from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from raqmana.accounts.tests.factories import PASSWORD

BACKEND = "raqmana.accounts.backends.EmailOrPhoneBackend"


def rendered_templates(monkeypatch) -> list[str]:
    """The templates the home page and the orders list render, by name, from now on: a kept page renders none."""
    rendered: list[str] = []
    for module in ("raqmana.portal.views", "raqmana.civil_status_documents.views"):
        original = __import__(module, fromlist=["render"]).render

        def counted(request, template, *args, _original=original, **kwargs):
            rendered.append(template)
            return _original(request, template, *args, **kwargs)

        monkeypatch.setattr(f"{module}.render", counted)
    return rendered


def signed_in(user, language="en", *, second_factor=False) -> Client:
    """A browser that checks form tokens, signed in as `user`, past a real TOTP check if `second_factor`."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user, backend=BACKEND)
    client.cookies["django_language"] = language
    if second_factor:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.create(
            user=user, name="phone", confirmed=True
        ).persistent_id
        session.save()
    return client


def signed_in_with_password(email: str, browser: Client | None = None) -> Client:
    """`browser` (a new one reading English by default) through the sign-in form with `email`'s password."""
    if browser is None:
        browser = Client()
        browser.cookies["django_language"] = "en"
    browser.post(reverse("accounts:login"), {"username": email, "password": PASSWORD})
    return browser


def form_tokens(page: str) -> list[str]:
    return re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
