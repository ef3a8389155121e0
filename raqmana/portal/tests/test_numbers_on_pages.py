"""Every kind of page, read in Arabic, French and English, writes numbers one way: no year or reference grouped by
thousands, money only as `kernel.numbers.format_money` writes it, and in Arabic every number with inner separators
(a date, a reference, a grouped count, an amount) isolated from the right-to-left text around it. What the audit
trail recorded (`class="recorded"`: an event's target, described from the record, and a reason typed by a person) is
shown isolated, with its references and numbers as they were written: it is not read here."""

import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import translation

from raqmana.access.roles import Role
from raqmana.access.services import grant_role
from raqmana.accounts.tests.factories import UserFactory
from raqmana.civil_status.constants import ActKind
from raqmana.civil_status.services.acts import draft_act, sign_act
from raqmana.civil_status_documents.constants import CivilStatusDocument, RequesterRelation
from raqmana.civil_status_documents.services import issue_at_counter, place_order
from raqmana.payments import services as payment_services
from raqmana.payments.tests.conftest import gateway_outcome
from raqmana.territories.models import Territory

pytestmark = pytest.mark.django_db

LANGUAGES = ["ar", "fr", "en"]
# An amount as format_money writes it, in each language (no-break spaces between the thousands and before the unit).
MONEY = {
    "ar": re.compile(r"\d{1,3}(?:\xa0\d{3})*,\d{2}\xa0درهم"),
    "fr": re.compile(r"\d{1,3}(?:\xa0\d{3})*,\d{2}\xa0DH"),
    "en": re.compile(r"\d{1,3}(?:,\d{3})*\.\d{2}\xa0MAD"),
}
CURRENCY_WORDS = re.compile(r"\bMAD\b|\bDH\b|درهم")
GROUPED = re.compile(r"\b\d{1,3}(?:[,\xa0\u202f]\d{3})+\b")
# A number with inner separators, which the bidirectional algorithm may reorder among Arabic words.
COMPOUND_NUMBER = re.compile(r"\d+(?:[ \xa0\u202f.,/:\-]\d+)+")
ARABIC_LETTER = re.compile(r"[\u0621-\u064a]")
STRONG_LETTER = re.compile(r"[A-Za-z\u00c0-\u024f\u0621-\u064a]")
BLOCKS = {
    "html",
    "body",
    "header",
    "main",
    "footer",
    "nav",
    "section",
    "article",
    "aside",
    "div",
    "p",
    "ul",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "table",
    "caption",
    "thead",
    "tbody",
    "tr",
    "td",
    "th",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "form",
    "fieldset",
    "legend",
    "label",
    "details",
    "summary",
    "button",
    "option",
    "select",
    "textarea",
    "br",
}
VOID = {"br", "input", "img", "meta", "link", "hr", "source", "wbr"}
UNREAD = {"script", "style", "title", "head", "svg", "textarea"}


class Reading(HTMLParser):
    """A page read as a person sees it: its visible text, its amounts, and each stretch of text laid out on its own
    (a block, or an isolated element: <bdi>, <code>, anything with a `dir`), with a neutral mark where an isolated
    element stood inside it."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []  # (tag, is a stretch of its own)
        self.stretches = [[]]
        self.amounts = []
        self.text = []
        self.unread = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in UNREAD:
            self.unread += 1
        if tag in VOID:
            self.stretches[-1].append(" ")
            return
        if "recorded" in (attributes.get("class") or "").split():
            self.unread += 1
            self.stack.append((tag, False, False, True))
            return
        own = tag in BLOCKS or tag in {"bdi", "code", "time"} or "dir" in attributes
        if own:
            if tag not in BLOCKS:
                self.stretches[-1].append("\ufffc")
            self.stretches.append([])
        money = "money" in (attributes.get("class") or "").split()
        if money:
            self.amounts.append([])
        self.stack.append((tag, own, money, False))

    def handle_endtag(self, tag):
        if tag in UNREAD:
            self.unread -= 1
        if tag in VOID or not any(open_tag == tag for open_tag, *_rest in self.stack):
            return
        while self.stack:
            open_tag, own, money, recorded = self.stack.pop()
            if recorded:
                self.unread -= 1
            if own:
                stretch = "".join(self.stretches.pop())
                self.finished.append(stretch)
                if open_tag in BLOCKS:
                    self.blocks.append(stretch)
            if money:
                self.money_read.append("".join(self.amounts.pop()))
            if open_tag == tag:
                break

    def handle_data(self, data):
        if self.unread:
            return
        self.stretches[-1].append(data)
        self.text.append(data)
        for amount in self.amounts:
            amount.append(data)

    def read(self, html):
        self.finished, self.blocks, self.money_read = [], [], []
        self.feed(html)
        self.close()
        return self


def read(html):
    return Reading().read(html)


def check_numbers(html, language, page):
    reading = read(html)
    for amount in reading.money_read:
        assert MONEY[language].fullmatch(amount), f"{page} ({language}): money written {amount!r}"
    text = "".join(reading.text)
    unwritten = MONEY[language].sub("", text)
    assert not CURRENCY_WORDS.search(unwritten), f"{page} ({language}): an amount not written by money: {text!r}"
    without_quantities = text
    for stretch in reading.finished:
        if GROUPED.fullmatch(stretch.strip()):
            without_quantities = without_quantities.replace(stretch, "")
    without_quantities = MONEY[language].sub("", without_quantities)
    grouped = GROUPED.search(without_quantities)
    assert not grouped, f"{page} ({language}): {grouped.group()!r} grouped outside a quantity"
    if language == "ar":
        for stretch in reading.blocks:  # an isolate's own text takes the direction it was given
            for number in COMPOUND_NUMBER.finditer(stretch):
                if ARABIC_LETTER.search(stretch) and not after_latin(stretch[: number.start()]):
                    raise AssertionError(f"{page}: {number.group()!r} not isolated in {stretch.strip()!r}")


def after_latin(before):
    """Whether the last letter before a number is Latin: the number then runs left to right with it ("CC BY 4.0")."""
    letters = STRONG_LETTER.findall(before)
    return bool(letters) and not ARABIC_LETTER.match(letters[-1])


@pytest.fixture
def scene(temara_office, agent, officer, birth_data, verified_client, client):
    """An act of 2026 numbered past a thousand, an order of a citizen paid with the wrong sum, a document issued at
    the counter, a supervisor."""
    act = sign_act(draft_act(temara_office, ActKind.BIRTH, birth_data, by=agent), by=officer)
    type(act).objects.filter(pk=act.pk).update(number=1234, year=2026)
    act.refresh_from_db()
    citizen = UserFactory(full_name="Youssef El Alaoui")
    order = place_order(
        citizen, act, CivilStatusDocument.BIRTH_EXTRACT, relation="holder", mandate_reference="", purpose="Passport"
    )
    payment_services.settle(gateway_outcome(order.payment, amount=Decimal("1500.50")))
    document = issue_at_counter(
        act,
        CivilStatusDocument.BIRTH_EXTRACT,
        office=temara_office,
        by=agent,
        requester={"name": "يوسف العلوي", "relation": RequesterRelation.HOLDER},
        purpose="Passport",
    )
    supervisor = UserFactory(full_name="Inspecteur")
    grant_role(
        supervisor, Role.PROVINCIAL_INSPECTOR, territory=Territory.objects.get(code="04.501"), by=None, reason="t"
    )
    return {
        "act": act,
        "citizen": citizen,
        "order": order,
        "document": document,
        "agent": agent,
        "supervisor": supervisor,
    }


def pages(scene):
    act, order, document = scene["act"], scene["order"], scene["document"]
    lookup = {
        "kind": "birth_extract",
        "reference": act.reference,
        "event_date": act.birth_date.isoformat(),
        "first_name": act.first_name_ar,
    }
    return {
        None: [
            ("home", reverse("portal:home")),
            ("office finder", reverse("portal:office_finder") + "?q=تمارة"),
            ("verification", reverse("documents:verify", args=[document.verification_code])),
        ],
        "citizen": [
            ("orders", reverse("documents:orders")),
            ("order", reverse("documents:order", args=[order.pk])),
            ("new order", reverse("documents:order_new") + "?" + "&".join(f"{k}={v}" for k, v in lookup.items())),
            ("gateway", reverse("payments:simulated", args=[order.payment.reference])),
        ],
        "agent": [
            ("act", reverse("civil_status:act", args=[act.pk]) + "?reason=extract"),
            ("queue", reverse("civil_status:queue")),
            ("search results", reverse("civil_status:search") + "?year=2026&number=1234&reason=extract"),
            ("document", reverse("documents:document", args=[document.pk])),
            ("workspace", reverse("portal:workspace")),
        ],
        "supervisor": [("supervision", reverse("portal:supervision"))],
    }


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_kind_writes_numbers_and_money_one_way(scene, client, verified_client, language):
    walked = 0
    for who, visits in pages(scene).items():
        client.logout()
        if who == "citizen":
            client.force_login(scene["citizen"])
        elif who:
            verified_client(scene[who])
        client.cookies["django_language"] = language
        for name, url in visits:
            response = client.get(url)
            assert response.status_code == 200, f"{name}: {response.status_code}"
            check_numbers(response.text, language, name)
            walked += 1
    assert walked == 13


def test_the_walk_sees_what_it_checks(scene, client):
    """The checks find what they are for: the act's year, money written otherwise, a date inside Arabic words."""
    client.force_login(scene["citizen"])
    client.cookies["django_language"] = "ar"
    order_page = client.get(reverse("documents:order", args=[scene["order"].pk])).text
    assert "1234" in client.get(reverse("documents:orders")).text
    assert read(order_page).money_read == ["1\xa0500,50\xa0درهم", "2,00\xa0درهم"]
    with pytest.raises(AssertionError, match="grouped outside"):
        check_numbers("<p>Act 2,026</p>", "en", "sample")
    with pytest.raises(AssertionError, match="not written by money"):
        check_numbers("<p>2,00 MAD</p>", "fr", "sample")
    with pytest.raises(AssertionError, match="money written"):
        check_numbers('<p><span class="money">2.00 MAD</span></p>', "fr", "sample")
    with pytest.raises(AssertionError, match="not isolated"):
        check_numbers("<p>حذف في 22/11/2026</p>", "ar", "sample")
    check_numbers("<p>حذف في <bdi>22/11/2026</bdi></p><td>22/11/2026</td>", "ar", "sample")
    with translation.override("en"):
        assert "Raqmana" in client.get(reverse("portal:home")).text
