"""Every main page, for each persona, in Arabic, French and English, on a desktop and on a phone: no WCAG 2.1 A/AA
violation axe-core finds, html's lang and dir those of the language, no sideways scrolling of a citizen's page on a
phone, no English sentence of the catalogue left untranslated. A full-page screenshot of each is kept in
var/screens/ (<persona>-<page>-<lang>-<size>.png) for CI to publish.

The data is built once for the module and each persona signs in once (its session cookie is given to every browser
context of that persona): one context per persona, language and size, one axe run per page."""

import io
import re
import shutil
from collections import Counter
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from urllib.parse import quote

import polib
import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from django.test import Client, override_settings
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from raqmana.accounts.models import Enterprise, User
from raqmana.civil_status.constants import ActKind, ActState, DeclarantRelation, Sex
from raqmana.civil_status.models import Act
from raqmana.civil_status.services.acts import draft_act
from raqmana.civil_status_documents.constants import CivilStatusDocument, RequesterRelation
from raqmana.civil_status_documents.services import place_order
from raqmana.documents.models import IssuedDocument
from raqmana.notifications.models import Channel, Notification
from raqmana.territories.models import CivilStatusOffice, Territory

pytestmark = pytest.mark.browser

SCREENS = Path(settings.BASE_DIR) / "var" / "screens"
LANGUAGES = ["ar", "fr", "en"]
LOCALES = {"ar": "ar-MA", "fr": "fr-MA", "en": "en-US"}
SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

PERSONAS = {
    "anonymous": None,
    "citizen": "citoyen@demo.raqmana.ma",
    "agent": "agent@demo.raqmana.ma",
    "officer": "officier@demo.raqmana.ma",
    "maternity": "maternite@demo.raqmana.ma",
    "supervisor": "inspecteur@demo.raqmana.ma",
}
# Pages that must never scroll sideways on a phone: those a citizen (signed in or not) meets.
PUBLIC_PERSONAS = {"anonymous", "citizen"}

# persona: [(page, address with {placeholders} filled from the module's data, HTTP status expected)]
PAGES = {
    "anonymous": [
        ("home", "/", 200),
        ("office-finder", "/offices/?q={commune}", 200),
        ("sign-in", "/accounts/login/", 200),
        ("sign-up", "/accounts/signup/", 200),
        ("verification-start", "/documents/verify/", 200),
        ("verification-result", "/documents/verify/{verification_code}/", 200),
        ("not-found", "/no-such-page/", 404),
    ],
    "citizen": [
        ("home", "/", 200),
        ("orders", "/documents/orders/", 200),
        ("order", "/documents/orders/{order}/", 200),
        ("new-order", "/documents/orders/new/", 200),
        ("enterprise", "/accounts/enterprises/{ice}/", 200),
        ("new-enterprise", "/accounts/enterprises/new/", 200),
    ],
    "agent": [
        ("workspace", "/workspace/", 200),
        ("queue", "/civil-status/", 200),
        ("new-birth-act", "/civil-status/acts/new/birth/", 200),
        ("act-reason", "/civil-status/acts/{act}/", 200),
        ("act", "/civil-status/acts/{act}/?reason=extract", 200),
        ("register-search", "/civil-status/search/?name={full_name}&reason=extract", 200),
        ("counter", "/documents/", 200),
        ("issued-document", "/documents/{document}/", 200),
    ],
    "officer": [
        ("draft-act", "/civil-status/acts/{draft}/?reason=drafting", 200),
        ("undelivered-notifications", "/notifications/undelivered/", 200),
    ],
    "maternity": [
        ("home", "/", 200),
        ("pre-declaration", "/civil-status/pre-declarations/new/", 200),
    ],
    "supervisor": [
        ("supervision", "/supervision/", 200),
    ],
}

MATRIX = [
    pytest.param(persona, page, address, status, lang, size, id=f"{persona}-{page}-{lang}-{size}")
    for persona, pages in PAGES.items()
    for lang in LANGUAGES
    for size in SIZES
    for page, address, status in pages
]


@pytest.fixture
def transactional_db(django_db_setup):
    """The live server's tests empty the database after each of them (pytest-django's transactional_db); here they
    share the data `site` commits once, and which it empties after the module. The test database is still set up
    before the live server starts, which then shares SQLite's in-memory connection and stops first."""


@pytest.fixture(scope="module")
def site(django_db_setup, live_server, django_db_blocker, reference_data_restorer):
    """The demo commune (seed_demo: its agents, officer, maternity, citizens, an enterprise, a register, a sealed
    extract), plus a draft act awaiting signature, a citizen's order and a notification given up."""
    with django_db_blocker.unblock():
        reference_data_restorer()
        yield demo_site(live_server)
        call_command("flush", verbosity=0, interactive=False)
        # As a transactional test does after it: no connection left open to outlive the test database.
        connections.close_all()


def demo_site(live_server):
    with override_settings(DEBUG=True):  # seed_demo refuses to run otherwise: it sets known passwords
        call_command("seed_demo", stdout=io.StringIO())
    office = CivilStatusOffice.objects.get(territory__code="04.501.01.07")
    agent = User.objects.get(email=PERSONAS["agent"])
    citizen = User.objects.get(email=PERSONAS["citizen"])
    act = Act.objects.filter(office=office, state=ActState.SIGNED, kind=ActKind.BIRTH).order_by("pk").last()
    draft = draft_act(office, ActKind.BIRTH, birth_declared(), by=agent)
    order = place_order(
        citizen,
        act,
        CivilStatusDocument.BIRTH_EXTRACT,
        relation=RequesterRelation.OTHER,
        mandate_reference="",
        purpose="ملف إداري",
    )
    Notification.objects.create(
        user=citizen,
        unit=office,
        kind="civil_status_documents.order_issued",
        channel=Channel.EMAIL,
        address=citizen.email,
        subject="رقمنة: وثيقتكم جاهزة",
        body="…",
        attempts=6,
        error="[Errno 111] Connection refused",
        given_up_at=timezone.now(),
    )
    return {
        "server": live_server.url,
        "sessions": {persona: session_of(email) for persona, email in PERSONAS.items() if email},
        "values": {
            "commune": "تمارة",
            "verification_code": IssuedDocument.objects.order_by("pk").first().verification_code,
            "order": order.pk,
            "ice": Enterprise.objects.get().ice,
            "act": act.pk,
            "full_name": quote(f"{act.first_name_latin} {act.family_name_latin}"),
            "document": IssuedDocument.objects.order_by("pk").first().pk,
            "draft": draft.pk,
        },
    }


def birth_declared():
    born = date.today() - timedelta(days=3)
    return {
        "sex": Sex.FEMALE,
        "first_name_ar": "سلمى",
        "first_name_latin": "Salma",
        "family_name_ar": "العلوي",
        "family_name_latin": "El Alaoui",
        "father_first_name_ar": "محمد",
        "father_first_name_latin": "Mohamed",
        "grandfather_first_name_ar": "أحمد",
        "mother_first_name_ar": "فاطمة",
        "mother_family_name_ar": "بناني",
        "mother_birth_date": date(1995, 4, 2),
        "birth_date": born,
        "birth_place": Territory.objects.get(code="04.501.01.07"),
        "birth_place_detail": "مستشفى تمارة",
        "declarant_name": "محمد العلوي",
        "declarant_relation": DeclarantRelation.FATHER,
        "declared_on": date.today(),
    }


def session_of(email):
    """The session cookie of the person signed in, with the second factor checked when she has an authenticator,
    as after a real TOTP check."""
    user = User.objects.get(email=email)
    client = Client()
    client.force_login(user, backend="raqmana.accounts.backends.EmailOrPhoneBackend")
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.fixture(scope="module")
def screens():
    """var/screens/, holding this run's screenshots only."""
    shutil.rmtree(SCREENS, ignore_errors=True)
    SCREENS.mkdir(parents=True)
    return SCREENS


@pytest.fixture(scope="module")
def browser_page(browser, site):
    """The page of one browser context per persona, language and size; the matrix runs them one after the other,
    so one context is open at a time."""
    opened = {}

    def page_for(persona, lang, size):
        key = (persona, lang, size)
        if key not in opened:
            for context in opened.values():
                context.close()
            opened.clear()
            context = browser.new_context(viewport=SIZES[size], locale=LOCALES[lang])
            # Loaded with every page before its own scripts: far cheaper than evaluating it again on each page.
            context.add_init_script(script=Axe().axe_script)
            cookies = [{"name": settings.LANGUAGE_COOKIE_NAME, "value": lang, "url": site["server"]}]
            if persona in site["sessions"]:
                session = site["sessions"][persona]
                cookies.append({"name": settings.SESSION_COOKIE_NAME, "value": session, "url": site["server"]})
            context.add_cookies(cookies)
            opened[key] = context
            context.new_page()
        return opened[key].pages[0]

    yield page_for
    for context in opened.values():
        context.close()


@cache
def english_msgids(lang):
    """The catalogue's English sentences a page in `lang` must not show: those translated differently, and for
    Arabic those not translated at all. Whitespace is normalised; sentences under four characters are left out."""
    catalogue = polib.pofile(str(Path(settings.BASE_DIR) / "raqmana" / "locale" / lang / "LC_MESSAGES" / "django.po"))
    shown_untranslated = set()
    for entry in catalogue:
        if entry.obsolete:
            continue
        translation = "" if entry.fuzzy else (entry.msgstr or entry.msgstr_plural.get(0, ""))
        for msgid in filter(None, [entry.msgid, entry.msgid_plural]):
            english = " ".join(msgid.split())
            if len(english) < 4 or english == " ".join(translation.split()):
                continue
            if translation or lang == "ar":
                shown_untranslated.add(english)
    return frozenset(shown_untranslated)


# The texts a person meets: visible text nodes, and the placeholders, labels, titles, alternatives and option texts,
# each with whitespace normalised; text marked in another language (the language switcher's names) is not the
# page's.
SHOWN_TEXTS = """() => {
  const pageLang = document.documentElement.lang;
  const own = el => { const marked = el.closest('[lang]'); return !marked || marked.lang === pageLang; };
  const norm = s => (s || '').replace(/\\s+/g, ' ').trim();
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || el.closest('script, style, template, noscript') || !own(el)) continue;
    if (el.tagName !== 'OPTION' && !el.checkVisibility({visibilityProperty: true})) continue;
    const text = norm(node.data);
    if (text) texts.push(['text', text]);
  }
  for (const el of document.querySelectorAll('[placeholder], [aria-label], [title], [alt]')) {
    if (!own(el)) continue;
    for (const attribute of ['placeholder', 'aria-label', 'title', 'alt']) {
      const value = norm(el.getAttribute(attribute));
      if (value) texts.push([attribute, value]);
    }
  }
  for (const el of document.querySelectorAll('input[type=submit][value], input[type=button][value]')) {
    if (own(el)) texts.push(['value', norm(el.value)]);
  }
  return texts;
}"""


# What widens the page: the innermost elements past the viewport's end, outside any box that scrolls or clips.
STICKING_OUT = """() => {
  const width = window.innerWidth;
  // A page scrolls past its end edge only: the right in left-to-right, the left in right-to-left.
  const past = document.dir === 'rtl' ? box => box.left < -1 : box => box.right > width + 1;
  const contained = el => {
    for (let box = el.parentElement; box && box !== document.body; box = box.parentElement) {
      if (getComputedStyle(box).overflowX !== 'visible') return true;
    }
    return false;
  };
  const out = [...document.body.querySelectorAll('*')].filter(el => {
    const box = el.getBoundingClientRect();
    return box.width && past(box) && !contained(el);
  });
  const innermost = out.filter(el => !out.some(other => other !== el && el.contains(other)));
  return innermost.slice(0, 3).map(el => {
    const box = el.getBoundingClientRect();
    const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + [...el.classList].map(c => '.' + c).join('');
    return `${name} from ${Math.round(box.left)} to ${Math.round(box.right)}px`;
  });
}"""

AXE_VIOLATIONS = """tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})
  .then(results => results.violations)"""


@pytest.mark.parametrize(("persona", "page_name", "address", "status", "lang", "size"), MATRIX)
def test_page(site, screens, browser_page, persona, page_name, address, status, lang, size):
    page = browser_page(persona, lang, size)
    response = page.goto(site["server"] + address.format(**site["values"]))
    problems = []
    if response.status != status:
        problems.append(f"HTTP {response.status} at {page.url}, {status} expected")

    page.screenshot(path=screens / f"{persona}-{page_name}-{lang}-{size}.png", full_page=True)

    lang_attribute, dir_attribute = page.evaluate("[document.documentElement.lang, document.documentElement.dir]")
    expected_dir = "rtl" if lang == "ar" else "ltr"
    if (lang_attribute, dir_attribute) != (lang, expected_dir):
        problems.append(f"html lang={lang_attribute!r} dir={dir_attribute!r}, {lang!r} {expected_dir!r} expected")

    if size == "phone" and persona in PUBLIC_PERSONAS:
        scroll_width, viewport_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if scroll_width > viewport_width:
            sticking_out = ", ".join(page.evaluate(STICKING_OUT))
            problems.append(f"scrolls sideways: {scroll_width}px in a {viewport_width}px viewport ({sticking_out})")

    if lang != "en":
        english = english_msgids(lang)
        untranslated = Counter((where, text) for where, text in page.evaluate(SHOWN_TEXTS) if text in english)
        for (where, text), times in untranslated.items():
            problems.append(f"untranslated {where}: {text!r}" + (f" ({times} times)" if times > 1 else ""))

    for violation in page.evaluate(AXE_VIOLATIONS, WCAG_TAGS):
        for node in violation["nodes"]:
            summary = re.sub(r"\s+", " ", node.get("failureSummary", "")).strip()
            problems.append(f"axe {violation['id']} ({violation['impact']}) at {node['target']}: {summary}")

    assert not problems, f"{persona} {page_name} {lang} {size} ({page.url}):\n" + "\n".join(problems)
