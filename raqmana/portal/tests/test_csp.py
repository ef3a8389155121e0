"""The Content-Security-Policy is on every kind of response, and no template relies on inline code."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from raqmana.accounts.tests.factories import UserFactory
from raqmana.civil_status.constants import ActKind
from raqmana.civil_status.services.acts import draft_act, sign_act
from raqmana.civil_status_documents.constants import CivilStatusDocument, RequesterRelation
from raqmana.civil_status_documents.services import issue_at_counter
from raqmana.kernel.tests.test_shared_rate_limits import client_address_far_from_a_new_window

pytestmark = pytest.mark.django_db

STRICT = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}


def policy(response):
    directives = (directive.split() for directive in response.headers["Content-Security-Policy"].split(";"))
    return {name: values for name, *values in directives}


def assert_strict(response, status=200):
    assert response.status_code == status
    assert policy(response) == STRICT


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/", 200),
        ("/offices/?q=Anfa", 200),
        ("/communes/suggest/?commune=Tem", 200),
        ("/documents/verify/", 200),
        ("/documents/verify/ABCD-EFGH-JKMN/", 404),
        ("/accounts/login/", 200),
        ("/accounts/signup/", 200),
        ("/no-such-page/", 404),
        ("/workspace/", 302),
        ("/api/territories/regions", 200),
        ("/api/territories/no-such-code", 404),
    ],
)
def test_public_pages_and_the_json_api(client, path, status):
    assert_strict(client.get(path), status)


def test_htmx_fragments(client):
    assert_strict(client.get("/offices/", {"q": "Anfa"}, HTTP_HX_REQUEST="true"))


def test_citizen_pages(client):
    client.force_login(UserFactory(), backend="raqmana.accounts.backends.EmailOrPhoneBackend")
    for path in ["/", "/documents/orders/", "/documents/orders/new/"]:
        assert_strict(client.get(path))
    assert_strict(client.get("/workspace/"), 403)


def test_agent_pages_and_pdf_downloads(
    verified_client, django_capture_on_commit_callbacks, temara_office, agent, officer, birth_data
):
    act = sign_act(draft_act(temara_office, ActKind.BIRTH, birth_data, by=agent), by=officer)
    requester = {"name": "يوسف العلوي", "document": "AB123456", "relation": RequesterRelation.HOLDER}
    with django_capture_on_commit_callbacks(execute=True):  # the sealed PDF is stored once the record commits
        document = issue_at_counter(
            act,
            CivilStatusDocument.BIRTH_EXTRACT,
            office=temara_office,
            by=agent,
            requester=requester,
            purpose="Passeport",
        )
    client = verified_client(agent)
    for path in ["/workspace/", "/civil-status/", f"/civil-status/acts/{act.pk}/", "/documents/"]:
        assert_strict(client.get(path))
    assert_strict(client.get(reverse("documents:document", args=[document.pk])))
    pdf = client.get(reverse("documents:pdf", args=[document.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert_strict(pdf)
    assert_strict(Client().get(reverse("documents:verify", args=[document.verification_code])))


def test_the_administration(verified_client):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client = verified_client(superuser)
    for path in ["/admin/", "/admin/accounts/user/", f"/admin/accounts/user/{superuser.pk}/change/"]:
        assert_strict(client.get(path))


def test_the_api_docs_serve_swagger_ui_from_this_site_with_its_data_images(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    docs_policy = STRICT | {"img-src": ["'self'", "data:"]}
    assert policy(response) == docs_policy
    assert policy(client.get("/api/openapi.json")) == docs_policy  # ninja decorates the schema with the docs
    assert "/static/ninja/swagger-ui-bundle.js" in response.text and "cdn." not in response.text
    assert re.search(r"<script>\s", response.text) is None  # the settings are a JSON data block, not code
    assert '"validatorUrl": null' in response.text


def test_error_responses(client):
    assert_strict(client.get("/", HTTP_HOST="not-an-allowed-host.example"), 400)
    refused_form = Client(enforce_csrf_checks=True).post("/accounts/login/", {"username": "x"})
    assert_strict(refused_form, 403)
    assert "<style" not in refused_form.text and 'dir="rtl"' in refused_form.text  # not Django's page
    limit = int(settings.RAQMANA_VERIFY_RATE.split("/")[0])
    # An address whose minute of counting ends well after the loop: a new one would start the count again.
    address, _window_end = client_address_far_from_a_new_window(60)
    for _ in range(limit):
        client.get("/documents/verify/", REMOTE_ADDR=address)
    assert_strict(client.get("/documents/verify/", REMOTE_ADDR=address), 429)


def test_forms_may_also_post_to_the_configured_payment_gateway():
    """After "Pay" the payer is redirected to the gateway, which the browser checks against form-action."""
    read = "import raqmana.settings as s; print(' '.join(s.SECURE_CSP['form-action']))"
    environment = os.environ | {"RAQMANA_DEBUG": "1", "RAQMANA_PAYMENT_GATEWAY_ORIGINS": "https://pay.example.ma"}
    printed = subprocess.run([sys.executable, "-c", read], env=environment, capture_output=True, text=True, check=True)
    assert printed.stdout.split() == ["'self'", "https://pay.example.ma"]


def test_deployed_static_files_are_served_under_the_policy_too():
    """WhiteNoise answers static files itself: it must come after the middleware that adds the policy."""
    read = "import json, raqmana.settings as s; print(json.dumps(s.MIDDLEWARE))"
    production = {"SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "raqmana.example.ma", "EMAIL_HOST": "smtp.example.ma"}
    environment = {key: value for key, value in os.environ.items() if key != "RAQMANA_DEBUG"} | production
    printed = subprocess.run([sys.executable, "-c", read], env=environment, capture_output=True, text=True, check=True)
    middleware = json.loads(printed.stdout)
    static = middleware.index("whitenoise.middleware.WhiteNoiseMiddleware")
    assert static > middleware.index("django.middleware.csp.ContentSecurityPolicyMiddleware")
    assert static > middleware.index("django.middleware.security.SecurityMiddleware")


def test_htmx_neither_evaluates_code_nor_injects_its_indicator_style(client):
    (config,) = re.findall(r"<meta name=\"htmx-config\" content='([^']*)'>", client.get("/").text)
    assert json.loads(config) == {"includeIndicatorStyles": False, "allowEval": False, "allowScriptTags": False}
    stylesheet = (settings.BASE_DIR / "raqmana/portal/static/portal/raqmana.css").read_text()
    assert ".htmx-request .htmx-indicator" in stylesheet


INLINE_CODE = re.compile(
    r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=|javascript:|\shx-on", re.IGNORECASE
)


def test_no_template_holds_inline_script_style_or_event_handler():
    templates = sorted(Path(settings.BASE_DIR, "raqmana").glob("*/templates/**/*.html"))
    assert templates
    offending = [f"{path}: {match}" for path in templates for match in INLINE_CODE.findall(path.read_text())]
    assert offending == []
