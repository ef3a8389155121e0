"""400, 403, 404 and 500 are pages of the platform: its layout, the person's language and direction, a sentence
that says what happened, and a way back."""

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from raqmana.access.roles import Role
from raqmana.access.services import grant_role
from raqmana.accounts.tests.factories import UserFactory
from raqmana.kernel import errors

LANGUAGES = {"ar": "rtl", "fr": "ltr", "en": "ltr"}
BACK = {"ar": "العودة إلى الخدمات", "fr": "Retour aux services", "en": "Back to the services"}
QUEUE_REFUSED = {
    "ar": "لا يعالج طلبات هذا المكتب إلا أعوانه.",
    "fr": "Seuls les agents de ce bureau traitent sa file d&#x27;attente.",
    "en": "Only this office&#x27;s agents handle its queue.",
}


def in_language(language, msgid):
    with translation.override(language):
        return gettext(msgid)


def assert_platform_page(page, language, status):
    assert page.status_code == status
    assert f'<html lang="{language}" dir="{LANGUAGES[language]}">' in page.text
    assert 'class="site-header"' in page.text and 'class="site-footer"' in page.text
    assert f'href="{reverse("portal:home")}">{BACK[language]}</a>' in page.text


@pytest.fixture
def speaking(client):
    def choose(language, of=client):
        of.cookies["django_language"] = language
        return of

    return choose


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_a_missing_page(speaking, language):
    page = speaking(language).get("/no-such-page/")
    assert_platform_page(page, language, 404)
    assert in_language(language, "Page not found") in page.text
    assert f'href="{reverse("portal:office_finder")}"' in page.text  # the menu


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_a_refused_page_says_why_and_offers_another_account(speaking, verified_client, language):
    citizen = verified_client(UserFactory())
    page = speaking(language, citizen).get(reverse("civil_status:queue"))
    assert_platform_page(page, language, 403)
    assert in_language(language, "You may not open this page") in page.text
    assert QUEUE_REFUSED[language] in page.text  # the permission's own refusal (access.audiences.open_to)
    assert f'action="{reverse("accounts:logout")}"' in page.text
    assert f'value="{reverse("accounts:login")}?next=/civil-status/"' in page.text
    assert in_language(language, "Sign in with another account") in page.text


@pytest.mark.django_db
def test_a_refusal_without_a_sentence_of_its_own_says_so_plainly(speaking, verified_client, temara_office):
    agent = UserFactory()
    grant_role(agent, Role.CIVIL_STATUS_AGENT, unit=temara_office, by=None, reason="test")
    page = speaking("en", verified_client(agent)).get(reverse("civil_status:act_new", args=["wedding"]))
    assert page.status_code == 403 and "Your account does not give access to this page." in page.text


@pytest.mark.django_db
def test_a_visitor_is_sent_to_sign_in_rather_than_refused(client):
    answer = client.get(reverse("portal:workspace"))
    assert answer.status_code == 302 and answer["Location"] == f"{reverse('accounts:login')}?next=/workspace/"


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_a_request_django_cannot_take(speaking, language):
    page = speaking(language).get("/", HTTP_HOST="not-ours.example")  # refused by ALLOWED_HOSTS
    assert_platform_page(page, language, 400)
    assert in_language(language, "The request could not be read") in page.text


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_unexpected_error_even_with_the_database_down(language):
    # Without the django_db mark any query raises: the page would then be the plain one, without the layout.
    request = RequestFactory().get("/civil-status/", HTTP_COOKIE=f"django_language={language}")
    page = errors.server_error(request)
    text = page.content.decode()
    assert page.status_code == 500 and f'<html lang="{language}" dir="{LANGUAGES[language]}">' in text
    assert 'class="site-header"' in text and BACK[language] in text
    assert in_language(language, "Something went wrong") in text
    assert "<nav" not in text  # no menu: it would read the database
