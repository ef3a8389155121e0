"""Acceptance probes of issue 15 ("What people meet"): every page for every kind of person, the second factor, the
maternity's filings, pagers, the signature's confirmation, the duplicate warning, cached pages and sessions, the
order form, the TOTP wait, name suggestions, numbers in the API. A probe that found a defect is marked xfail
(strict), with the defect in its reason."""

import json
import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter
from django.utils import timezone

from raqmana.access.roles import Role
from raqmana.access.services import grant_role, revoke_role
from raqmana.accounts.tests.factories import UserFactory
from raqmana.civil_status.constants import ActKind, ActState, EstablishmentKind
from raqmana.civil_status.models import Act, Establishment, PreDeclaration
from raqmana.civil_status.services.acts import abandon_draft, draft_act, sign_act
from raqmana.portal.tests.test_menu_opens import PEOPLE, menu_links
from raqmana.territories.models import CivilStatusOffice, Territory

pytestmark = pytest.mark.django_db

TEMARA, SKHIRATE = "04.501.01.07", "04.501.01.05"
LANGUAGES = {"ar": "rtl", "fr": "ltr", "en": "ltr"}


def office(code):
    return CivilStatusOffice.objects.get(territory__code=code)


def officer_of(code):
    user = UserFactory()
    grant_role(user, Role.CIVIL_STATUS_OFFICER, unit=office(code), by=None, reason="appointed")
    return user


def establishment(name="Maternité", commune=TEMARA, active=True):
    return Establishment.objects.create(
        kind=EstablishmentKind.HEALTH, name_ar=f"دار {name}", name_fr=name,
        commune=Territory.objects.get(code=commune), is_active=active,
    )  # fmt: skip


# ---------------------------------------------------------------------------------------------------------- every URL


def every_url_name(resolver=None, namespace=""):
    """The name and parameters of every named page of raqmana/urls.py (the admin site by its index only)."""
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin" or pattern.namespace == "admin":
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from every_url_name(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", pattern.pattern.converters


SAMPLE_ARGUMENTS = {
    "kind": "birth",
    "code": TEMARA,
    "ice": "001537619000093",
    "reference": "RQ-NONE",
    "provider_name": "simulated",
}


def every_url(records):
    """Every page, with the records of the probe where the page is about one (else a number that names none)."""
    urls = [reverse("admin:index")]
    for name, parameters in every_url_name():
        kwargs = {}
        for parameter, converter in parameters.items():
            if isinstance(converter, IntConverter):
                kwargs[parameter] = records.get(name, 999_999)
            else:
                sample = SAMPLE_ARGUMENTS.get(parameter, "x")
                # A name two pages share may take other forms: an HCP code for one, a procedure's slug for another.
                kwargs[parameter] = sample if re.fullmatch(converter.regex, sample) else "x"
        urls.append(reverse(name, kwargs=kwargs))
    return urls


@pytest.fixture
def records(temara_office, agent, birth_data, birth_act):
    draft = draft_act(temara_office, ActKind.BIRTH, birth_data, by=agent)
    return {
        "civil_status:act": birth_act.pk,
        "civil_status:act_edit": draft.pk,
        "civil_status:act_sign": draft.pk,
        "civil_status:act_abandon": draft.pk,
        "civil_status:mention_new": birth_act.pk,
    }


def html_language(page):
    found = re.search(r'<html lang="([a-z]+)" dir="(rtl|ltr)">', page.content.decode())
    return found.groups() if found else None


@pytest.mark.parametrize("who", [*PEOPLE, "agent before TOTP"])
def test_no_page_answers_5xx_and_every_403_page_is_the_platforms_in_the_persons_language(who, client, records):
    before_totp = who == "agent before TOTP"
    person = PEOPLE["civil_status_agent" if before_totp else who]()
    if person is not None:
        client.force_login(person, backend="raqmana.accounts.backends.EmailOrPhoneBackend")
        if not before_totp:
            from django_otp import DEVICE_ID_SESSION_KEY
            from django_otp.plugins.otp_totp.models import TOTPDevice

            device = TOTPDevice.objects.create(user=person, name="t", confirmed=True)
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
    client.cookies["django_language"] = "fr"
    two_factor = reverse("accounts:two_factor")
    for url in every_url(records):
        page = client.get(url)
        assert page.status_code < 500, (url, page.status_code)
        if before_totp and url.startswith("/api/"):
            assert page.status_code == 403, url
        elif before_totp and not url.startswith(("/accounts/", "/favicon.ico")):
            assert page.status_code == 302 and page["Location"].startswith(two_factor), url
        if page.status_code == 403 and page["Content-Type"].startswith("text/html"):
            assert html_language(page) == ("fr", "ltr"), url


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_agent_before_the_second_factor_reads_nothing_of_the_workspace_in_any_language(client, language, records):
    agent = PEOPLE["civil_status_officer"]()
    client.force_login(agent, backend="raqmana.accounts.backends.EmailOrPhoneBackend")
    client.cookies["django_language"] = language
    for url in ["/", "/offices/", "/accounts/two-factor/", "/accounts/language/", "/documents/verify/"]:
        page = client.get(url)
        assert page.status_code in {200, 302, 405}, url
        if page.status_code == 200:
            assert agent.full_name not in page.content.decode(), url
            assert menu_links(page) == [], url
    assert client.get("/api/civil-status/acts?name=x&reason=x").status_code == 403


def test_every_view_a_menu_could_link_declares_who_it_opens_to():
    """Pages of a role (the register search, the act form) that have no open_to are not in any menu; were they
    linked, the menu would not know whom to show them to: each menu entry resolves to a view with an audience."""
    from raqmana.kernel.navigation import ENTRIES
    from raqmana.portal.menu import audience

    assert all(audience(entry) for entry in ENTRIES)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_get_on_a_page_that_only_takes_a_form_is_a_page_of_the_platform(client, verified_client, language, records):
    """Opening a form's target by its address (a bookmark, a link pasted): 405, said in the person's language."""
    client = verified_client(PEOPLE["civil_status_officer"]())
    client.cookies["django_language"] = language
    page = client.get(reverse("civil_status:act_abandon", args=[records["civil_status:act_abandon"]]))
    assert page.status_code == 405
    assert html_language(page) == (language, LANGUAGES[language])


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_form_without_its_csrf_token_is_refused_on_a_page_of_the_platform(language, records, agent):
    client = Client(enforce_csrf_checks=True)
    client.cookies["django_language"] = language
    page = client.post(reverse("accounts:login"), {"username": "x", "password": "y"})
    assert page.status_code == 403
    assert html_language(page) == (language, LANGUAGES[language])
    assert 'class="site-header"' in page.content.decode()


def test_a_missing_api_address_answers_json(client):
    answer = client.get("/api/no-such-endpoint")
    assert answer.status_code == 404
    assert answer["Content-Type"].startswith("application/json")


# ------------------------------------------------------------------------------------------- the maternity's filings


def filing(of, clerk, first_name):
    from datetime import date

    from raqmana.civil_status.constants import Sex
    from raqmana.civil_status.services.pre_declarations import file_pre_declaration

    data = {"kind": ActKind.BIRTH, "sex": Sex.FEMALE, "first_name_ar": first_name, "event_date": date.today()}
    return file_pre_declaration(of, data, by=clerk)


@pytest.fixture
def maternities(temara_office):
    ours, theirs = establishment("Ours"), establishment("Theirs")
    clerk, other_clerk = UserFactory(), UserFactory()
    ours.members.add(clerk)
    theirs.members.add(other_clerk)
    filing(ours, clerk, "سلمى")
    filing(theirs, other_clerk, "هند")
    return SimpleNamespace(ours=ours, theirs=theirs, clerk=clerk, other_clerk=other_clerk)


def test_the_filings_list_shows_a_member_nothing_of_another_establishment(maternities, verified_client):
    clerk = maternities.clerk
    page = verified_client(clerk).get(reverse("civil_status:pre_declarations")).content.decode()
    assert "سلمى" in page and "هند" not in page and "Theirs" not in page


@pytest.mark.parametrize("who", ["office agent", "citizen", "inactive establishment", "removed member"])
def test_the_filings_list_and_form_refuse_whoever_files_for_no_active_establishment(who, maternities, verified_client):
    ours, clerk = maternities.ours, maternities.clerk
    if who == "office agent":
        person = PEOPLE["civil_status_agent"]()
    elif who == "citizen":
        person = UserFactory()
    else:
        person = clerk
    client = verified_client(person)
    if who == "inactive establishment":
        Establishment.objects.filter(pk=ours.pk).update(is_active=False)
    elif who == "removed member":
        ours.members.remove(clerk)
    for url in [reverse("civil_status:pre_declarations"), reverse("civil_status:pre_declaration_new")]:
        page = client.get(url)
        assert page.status_code in {302, 403}, (url, page.status_code)
        assert "سلمى" not in page.content.decode()
    posted = client.post(reverse("civil_status:pre_declaration_new"), {"kind": "birth", "first_name_ar": "ليلى"})
    assert posted.status_code in {302, 403}
    assert not PreDeclaration.objects.filter(first_name_ar="ليلى").exists()


ODD_PAGES = ["0", "-1", "abc", "1.5", "2.0", "²", "١", str(10**30), "9" * 5000, "", " 2", "%00"]


@pytest.mark.parametrize("page", ODD_PAGES)
def test_the_filings_list_takes_any_page_number(maternities, verified_client, page):
    clerk = maternities.clerk
    answer = verified_client(clerk).get(reverse("civil_status:pre_declarations"), {"page": page})
    assert answer.status_code == 200
    assert "سلمى" in answer.content.decode() and "هند" not in answer.content.decode()


# ---------------------------------------------------------------------------------------------------------- pagers


@pytest.fixture
def paged_everywhere(temara_office, agent, officer, birth_data, maternities):
    """More than a page of drafts in Témara's queue and of filings at a maternity."""
    ours, clerk = maternities.ours, maternities.clerk
    for letter in "abcdefghijklmnopqrstu":
        draft_act(temara_office, ActKind.BIRTH, {**birth_data, "first_name_latin": f"Youssef {letter}"}, by=agent)
    for _ in range(25):
        filing(ours, clerk, "سلمى")
    return clerk


def pages_of(agent, officer, clerk, citizen):
    return [
        (agent, reverse("civil_status:queue"), ["received", "drafts", "deaths"]),
        (officer, reverse("portal:undelivered_notifications"), ["page"]),
        (officer, reverse("portal:workspace") + "?shown=copies_elsewhere", ["page"]),
        (officer, reverse("documents:checks"), ["page"]),
        (clerk, reverse("civil_status:pre_declarations"), ["page"]),
        (citizen, reverse("documents:orders"), ["page"]),
        (agent, reverse("civil_status:search") + "?name=Youssef+El+Alaoui&reason=duplicates", ["page"]),
    ]


@pytest.mark.parametrize("page", ODD_PAGES)
def test_no_pager_answers_5xx_whatever_the_page_asked(paged_everywhere, agent, officer, verified_client, page):
    for person, url, parameters in pages_of(agent, officer, paged_everywhere, UserFactory()):
        client = verified_client(person)
        for parameter in parameters:
            joiner = "&" if "?" in url else "?"
            twice = [f"{parameter}=2&{parameter}={page}", f"{parameter}={page}&{parameter}=2"]
            for query in [f"{parameter}={page}", *twice]:
                if "search" in url and page in {"²", "9" * 5000}:
                    continue  # test_the_register_search_takes_any_page_number
                answer = client.get(f"{url}{joiner}{query}")
                # A NUL byte is bad input, refused on the platform's 400 page.
                assert answer.status_code == (400 if page == "%00" else 200), (url, query, answer.status_code)


@pytest.mark.parametrize("page", ["²", "9" * 5000])
def test_the_register_search_takes_any_page_number(agent, birth_act, verified_client, page):
    url = reverse("civil_status:search")
    answer = verified_client(agent).get(url, {"name": "Youssef El Alaoui", "reason": "duplicates", "page": page})
    assert answer.status_code == 200


def test_the_pager_keeps_the_other_parameters_and_escapes_them(paged_everywhere, agent, verified_client):
    hostile = '"><script>alert(1)</script>'
    page = verified_client(agent).get(reverse("civil_status:queue"), {"q": hostile, "x": "a&b", "received": "1"})
    text = page.content.decode()
    assert "<script>alert(1)</script>" not in text
    following = [link.replace("&amp;", "&") for link in re.findall(r'rel="next" href="([^"]+)"', text)]
    drafts = next(link for link in following if "drafts=2" in link)
    assert "received=1" in drafts and "x=a%26b" in drafts and "q=%22%3E%3Cscript%3E" in drafts


def test_the_filings_list_pages_to_the_older_ones(paged_everywhere, verified_client):
    client = verified_client(paged_everywhere)
    first = client.get(reverse("civil_status:pre_declarations")).content.decode()
    assert 'href="?page=2"' in first
    assert client.get(reverse("civil_status:pre_declarations"), {"page": "2"}).content.decode().count("سلمى") >= 1


# -------------------------------------------------------------------------------------------- signing, confirmed


@pytest.fixture
def draft(temara_office, agent, birth_data):
    return draft_act(temara_office, ActKind.BIRTH, birth_data, by=agent)


def test_the_confirmation_is_not_shown_to_an_agent_who_may_not_sign(draft, agent, verified_client):
    page = verified_client(agent).get(reverse("civil_status:act_sign", args=[draft.pk]))
    assert page.status_code == 302 and "sign" not in page["Location"]


def test_an_officer_of_another_office_learns_nothing_of_the_draft_nor_the_number(draft, birth_act, verified_client):
    page = verified_client(officer_of(SKHIRATE)).get(reverse("civil_status:act_sign", args=[draft.pk]))
    text = page.content.decode()
    assert page.status_code in {403, 404}
    assert draft.first_name_latin not in text and f"{draft.office.code}/" not in text
    assert draft.family_name_ar not in text


@pytest.mark.parametrize("state", ["signed", "abandoned"])
def test_a_signed_or_abandoned_act_is_not_offered_for_signature(draft, officer, agent, verified_client, state):
    if state == "signed":
        sign_act(draft, by=officer)
    else:
        abandon_draft(draft, by=agent, reason="Erreur")
    page = verified_client(officer).get(reverse("civil_status:act_sign", args=[draft.pk]))
    assert page.status_code == 302 and "/sign/" not in page["Location"]


def test_the_confirmation_says_what_is_signed_and_the_number_expected(draft, officer, verified_client):
    from raqmana.civil_status.selectors import expected_reference

    page = verified_client(officer).get(reverse("civil_status:act_sign", args=[draft.pk]))
    text = page.content.decode()
    assert page.status_code == 200 and expected_reference(draft) in text and draft.first_name_ar in text
    assert Act.objects.get(pk=draft.pk).state == ActState.DRAFT  # a GET signs nothing


def test_a_post_without_the_confirmation_still_needs_the_permission(draft, agent, verified_client):
    verified_client(agent).post(reverse("civil_status:act_sign", args=[draft.pk]))
    assert Act.objects.get(pk=draft.pk).state == ActState.DRAFT


def test_a_post_without_the_csrf_token_signs_nothing(draft, officer):
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client(enforce_csrf_checks=True)
    client.force_login(officer, backend="raqmana.accounts.backends.EmailOrPhoneBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.create(user=officer, name="t", confirmed=True).persistent_id
    session.save()
    assert client.post(reverse("civil_status:act_sign", args=[draft.pk])).status_code == 403
    assert Act.objects.get(pk=draft.pk).state == ActState.DRAFT


# --------------------------------------------------------------------------------------------- the duplicate warning


def test_a_duplicate_at_another_office_is_named_but_not_linked(officer, agent, birth_data, verified_client):
    """The same child signed at Skhirate: the Témara officer is warned, without a link to an act he cannot open."""
    skhirate = office(SKHIRATE)
    elsewhere_agent = UserFactory()
    grant_role(elsewhere_agent, Role.CIVIL_STATUS_AGENT, unit=skhirate, by=None, reason="t")
    elsewhere = {**birth_data, "declarant_name": "عبد الله العلوي", "birth_place_detail": "مصحة الصخيرات"}
    other = sign_act(draft_act(skhirate, ActKind.BIRTH, elsewhere, by=elsewhere_agent), by=officer_of(SKHIRATE))
    ours = draft_act(office(TEMARA), ActKind.BIRTH, birth_data, by=agent)
    client = verified_client(officer)
    for url in [
        reverse("civil_status:act_sign", args=[ours.pk]),
        reverse("civil_status:act", args=[ours.pk]) + "?reason=drafting",
    ]:
        text = client.get(url).content.decode()
        assert other.reference in text, url
        assert reverse("civil_status:act", args=[other.pk]) not in text, url
        assert "عبد الله" not in text and "مصحة الصخيرات" not in text, url


# ------------------------------------------------------------------------------------------- cached pages, sessions


def test_the_office_finder_revalidated_after_a_role_is_granted_shows_the_new_menu(verified_client):
    """The office finder answers 304 while its visitor and the reference data stand: a role granted in between must
    not leave the browser on the page with the old menu (a link missing, or one that now refuses)."""
    person = UserFactory()
    client = verified_client(person)
    first = client.get(reverse("portal:office_finder"))
    assert reverse("portal:workspace") not in menu_links(first)
    grant_role(person, Role.CIVIL_STATUS_AGENT, unit=office(TEMARA), by=None, reason="appointed")
    again = client.get(reverse("portal:office_finder"), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200 and reverse("portal:workspace") in menu_links(again)


@pytest.mark.parametrize("change", ["language", "signed out"])
def test_the_office_finder_is_not_revalidated_across_visitors_or_languages(verified_client, change):
    client = verified_client(UserFactory())
    client.cookies["django_language"] = "fr"
    first = client.get(reverse("portal:office_finder"), {"q": "Temara"})
    assert "private" in first["Cache-Control"]
    if change == "language":
        client.cookies["django_language"] = "ar"
    else:
        client.post(reverse("accounts:logout"))
    again = client.get(reverse("portal:office_finder"), {"q": "Temara"}, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200


def test_an_office_renamed_shows_at_once_in_the_finder_and_the_api(client, temara_office):
    first = client.get(reverse("portal:office_finder"), {"q": "تمارة"})
    assert temara_office.name in first.content.decode()
    api = client.get("/api/territories/offices", {"q": "تمارة"})
    temara_office.address = "12 Avenue Nouvelle, Témara"
    temara_office.save()
    page = client.get(reverse("portal:office_finder"), {"q": "تمارة"}, HTTP_IF_NONE_MATCH=first["ETag"])
    assert page.status_code == 200 and "12 Avenue Nouvelle, Témara" in page.content.decode()
    answer = client.get("/api/territories/offices", {"q": "تمارة"}, HTTP_IF_NONE_MATCH=api["ETag"])
    assert answer.status_code == 200 and "12 Avenue Nouvelle, Témara" in {office["address"] for office in answer.json()}


def test_a_territory_renamed_shows_at_once_in_the_api(client):
    first = client.get("/api/territories/regions")
    region = Territory.objects.filter(level="region").first()
    region.name_fr = "Région renommée"
    region.save()
    answer = client.get("/api/territories/regions", HTTP_IF_NONE_MATCH=first["ETag"])
    assert answer.status_code == 200 and "Région renommée" in {region["name_fr"] for region in answer.json()}


def test_an_old_session_cookie_opens_nothing_after_sign_out(officer, verified_client):
    client = verified_client(officer)
    cookie = client.cookies["sessionid"].value
    assert client.get(reverse("portal:workspace")).status_code == 200
    client.post(reverse("accounts:logout"))
    replay = Client()
    replay.cookies["sessionid"] = cookie
    answer = replay.get(reverse("portal:workspace"))
    assert answer.status_code == 302 and reverse("accounts:login") in answer["Location"]


def test_a_role_revoked_holds_at_the_next_request(officer, verified_client):
    client = verified_client(officer)
    assert client.get(reverse("civil_status:queue")).status_code == 200
    revoke_role(officer.role_assignments.get(), by=None, reason="left the office")
    assert client.get(reverse("civil_status:queue")).status_code in {302, 403}
    assert reverse("civil_status:queue") not in menu_links(client.get(reverse("portal:home")))


def test_a_password_changed_ends_the_other_sessions(officer, verified_client):
    client = verified_client(officer)
    assert client.get(reverse("portal:workspace")).status_code == 200
    officer.set_password("a new password of the officer 2026")
    officer.save()
    answer = client.get(reverse("portal:workspace"))
    assert answer.status_code == 302 and SESSION_KEY not in client.session


# ---------------------------------------------------------------------------------------------------------- demo_totp


def test_demo_totp_refuses_a_deployment_and_an_account_of_its_own(settings):
    from django.core.management import CommandError, call_command
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from raqmana.demo.management.commands.seed_demo import DEMO_PASSWORD

    demo = UserFactory(email="demo.officer@example.ma")
    demo.set_password(DEMO_PASSWORD)
    demo.save()
    TOTPDevice.objects.create(user=demo, name="phone", confirmed=True)
    settings.DEBUG = False
    with pytest.raises(CommandError, match="only in development"):
        call_command("demo_totp", "demo.officer@example.ma")
    settings.DEBUG = True
    real = UserFactory(email="real.officer@example.ma", is_superuser=True)
    TOTPDevice.objects.create(user=real, name="phone", confirmed=True)
    for email in ["real.officer@example.ma", "nobody@example.ma", "%", "demo.officer@example.ma' OR '1'='1"]:
        with pytest.raises(CommandError, match="no demo account"):
            call_command("demo_totp", email)


# --------------------------------------------------------------------------------------------------- the order form


def order_url(act):
    return (
        f"{reverse('documents:order_new')}?kind=birth_extract&reference={act.idcs}"
        f"&event_date={act.birth_date:%Y-%m-%d}&first_name={act.first_name_latin}"
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_mandatary_without_a_mandate_is_told_and_keeps_what_they_typed(client, birth_act, language):
    from raqmana.civil_status_documents.models import DocumentOrder

    client.force_login(UserFactory())
    client.cookies["django_language"] = language
    kind = "birth_full_copy"
    url = order_url(birth_act).replace("birth_extract", kind)
    page = client.post(
        url, {"requester_relation": "mandatary", "purpose": "Dossier de bourse", "mandate_reference": ""}
    )
    assert page.status_code == 200 and not DocumentOrder.objects.exists()
    text = page.content.decode()
    assert 'value="Dossier de bourse"' in text
    assert html_language(page) == (language, LANGUAGES[language])
    assert page.context["form"].errors


def test_a_mandate_typed_then_hidden_is_not_recorded_for_the_holder(client, birth_act):
    """The mandate field is hidden (CSS) once "holder" is chosen, but what was typed in it is still sent."""
    from raqmana.civil_status_documents.models import DocumentOrder

    client.force_login(UserFactory())
    client.post(
        order_url(birth_act),
        {"requester_relation": "holder", "purpose": "Passeport", "mandate_reference": "Procuration 12/2026"},
    )
    order = DocumentOrder.objects.get()
    assert order.mandate_reference == ""


def test_the_api_keeps_amounts_machine_readable(client, birth_act):
    from raqmana.civil_status_documents.models import DocumentOrder

    client.force_login(UserFactory())
    client.cookies["django_language"] = "fr"
    client.post(order_url(birth_act), {"requester_relation": "holder", "purpose": "Passeport"})
    order = DocumentOrder.objects.get()
    answer = client.get(f"/api/documents/orders/{order.pk}")
    assert answer.status_code == 200, answer.content
    assert answer.json()["amount"] == "2.00"
    assert json.loads(client.get("/api/documents/orders").content)[0]["amount"] == "2.00"


# ---------------------------------------------------------------------------------------------------- the TOTP wait


WAIT_SAYS = {"ar": "ثانية", "fr": "seconde", "en": "second"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_after_a_wrong_code_the_wait_said_is_a_few_seconds_in_the_persons_language(client, language):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from raqmana.accounts.tests.factories import PASSWORD
    from raqmana.accounts.tests.test_sign_in import code_for

    agent = PEOPLE["civil_status_agent"]()
    device = TOTPDevice.objects.create(
        user=agent, name="phone", confirmed=True, throttling_failure_count=2,
        throttling_failure_timestamp=timezone.now() - timedelta(seconds=1),
    )  # fmt: skip
    client.cookies["django_language"] = language
    client.post(reverse("accounts:login"), {"username": agent.email, "password": PASSWORD})
    answer = client.post(reverse("accounts:two_factor"), {"token": code_for(device)})
    [message] = answer.context["form"].errors["token"]
    assert WAIT_SAYS[language] in message
    seconds = [int(number) for number in re.findall(r"\d+", message)]
    # Arabic says one and two in words ("ثانية واحدة", "ثانيتين"), as its plural rules want.
    assert all(1 <= number <= 2 for number in seconds), message
    assert seconds or {"واحدة", "ثانيتين"} & set(message.rstrip(".").split()), message
    assert html_language(answer) == (language, LANGUAGES[language])


# ------------------------------------------------------------------------------------------------------------- names


# Names a field of 100 letters takes; longer ones: test_name_suggestions_for_a_long_name_answer_at_once.
ODD_NAMES = [
    "", " ", "ا", "مُحَمَّد", "خَدِيجَة", "محمد Mohamed", "ⵎⵓⵃⵎⵎⴷ", "😀", "ـــــ", "عبدالرحمن" * 10,
    "\u200fمحمد\u200e", "١٢٣", "<script>", "ال", "ءءء",
]  # fmt: skip


@pytest.mark.parametrize("name", ODD_NAMES)
def test_name_suggestions_take_any_name(agent, verified_client, name):
    answer = verified_client(agent).get(reverse("civil_status:suggest"), {"part": "first_name", "first_name_ar": name})
    assert answer.status_code in {200, 400}
    assert "<script>" not in answer.content.decode()


def test_name_suggestions_for_a_long_name_answer_at_once(agent, verified_client):
    import time

    long_name = " ".join(["عبد الرحمن"] * 8)
    started = time.monotonic()
    answer = verified_client(agent).get(
        reverse("civil_status:suggest"), {"part": "first_name", "first_name_ar": long_name}
    )
    assert answer.status_code in {200, 400} and time.monotonic() - started < 1


@pytest.mark.parametrize("part", ["<img src=x onerror=alert(1)>", "", "x" * 1000, "first_name_ar"])
def test_name_suggestions_take_any_part(agent, verified_client, part):
    answer = verified_client(agent).get(reverse("civil_status:suggest"), {"part": part, f"{part}_ar": "محمد"})
    assert answer.status_code in {200, 400}
    assert "<img src=x" not in answer.content.decode()


@pytest.mark.parametrize(
    ("arabic", "usual"),
    [("مُحَمَّد", "Mohamed"), ("خَدِيجَة", "Khadija"), ("رَشِيد", "Rachid")],
)
def test_a_name_with_its_vowel_marks_gets_the_usual_spelling_first(arabic, usual):
    from raqmana.civil_status.names import suggest_spellings

    assert suggest_spellings(arabic)["latin"][:1] == [usual]
