"""The public figures and the communes' index through the test client: open to anyone in Arabic and French, each
level, quarter and territory, charts drawn inline (nothing loaded from elsewhere), aggregates only (no applicant's
name, no dossier), kept 10 minutes once computed; bad input answered with the page, never an error."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from raqmana.procedures import figures, views
from raqmana.procedures.constants import DossierState
from raqmana.procedures.figures import Quarter
from raqmana.procedures.models import Dossier

from .test_pages import anonymous, direction, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def decided(filed):
    """The filed dossier decided by silence after its 10 days, and another one refused after 3 days, filed at the
    counter (as test_figures's)."""
    now = timezone.now()
    Dossier.objects.filter(pk=filed.pk).update(
        state=DossierState.APPROVED_BY_SILENCE, filed_at=now - timedelta(days=10), decided_at=now
    )
    other = Dossier.objects.get(pk=filed.pk)
    other.pk, other.number, other.receipt, other.decision = None, 2, None, None
    other.state, other.filed_online = DossierState.REFUSED, False
    other.filed_at, other.decided_at = now - timedelta(days=3), now
    other.save()
    return Dossier.objects.get(pk=filed.pk), other


PERSONAL = ("Youssef", "El Alaoui", "العلوي", "يوسف العلوي")  # the applicant, as the register names them


def said(text, language="fr"):
    """A sentence of the pages as `{% translate %}` writes it in `language` (not escaped)."""
    with translation.override(language):
        return translation.gettext(text)


def current_quarter():
    return str(Quarter.of(timezone.localdate()))


def assert_no_personal_data(page, dossiers):
    for text in PERSONAL:
        assert text not in page.text, text
    for dossier in dossiers:
        assert dossier.reference not in page.text
        assert dossier.applicant.full_name not in page.text


@pytest.mark.parametrize(("language", "side"), [("ar", "rtl"), ("fr", "ltr")])
@pytest.mark.parametrize("level", ["office", "commune", "province", "region"])
def test_anyone_reads_the_figures_of_each_level(decided, language, side, level):
    page = anonymous(language).get(reverse("procedures:figures"), {"level": level, "quarter": current_quarter()})
    assert page.status_code == 200 and direction(page) == (language, side)
    assert "<table" in page.text and "<svg" in page.text  # the charts are drawn in the page
    assert_no_personal_data(page, decided)
    names = {
        "office": ("Guichet unique d&#x27;urbanisme de Témara", "الشباك الوحيد للتعمير بتمارة"),
        "commune": ("Témara", "تمارة"),
        "province": ("Skhirate-Témara", "الصخيرات-تمارة"),
        "region": ("Rabat", "الرباط"),
    }[level]
    assert names[language == "ar"] in page.text
    assert said("Nothing was filed nor decided in these places this quarter.", language) not in page.text


def test_the_figures_say_what_they_show(decided):
    page = anonymous().get(reverse("procedures:figures"), {"level": "commune"})
    assert page.status_code == 200
    row = page.text.split("<tbody>")[1].split("</tr>")[0]
    assert "04.501.01.07" in row
    assert "50 %" in row  # half approved by silence, half filed online
    assert "100 %" in row  # both decided within their delay
    assert "6,5" in row  # the average delay, in French
    assert '<bdi dir="ltr">20,00</bdi>\xa0DH' in row  # the commune's tax per m², the national minimum
    # The bars are lengths written with a point, whatever the language, and the legal delay a line.
    assert re.search(r'<rect class="average" x="0" y="2" width="\d+\.\d"', page.text)
    assert '<line class="legal"' in page.text
    assert page.text.split("<tbody>")[1].split("</tbody>")[0].count("<tr") == 1  # the quiet places are counted


def test_no_script_and_nothing_from_elsewhere(decided):
    page = anonymous().get(reverse("procedures:figures"))
    assert 'src="http' not in page.text and 'href="http' not in page.text.split("<main")[1]
    assert re.findall(r"<script[^>]*>", page.text) == [re.search(r'<script src="[^"]+" defer>', page.text).group()]


def test_the_figures_within_a_region_or_a_province(decided):
    within_region = anonymous().get(reverse("procedures:figures"), {"level": "province", "within": "04"})
    assert within_region.status_code == 200 and "Skhirate-Témara" in within_region.text
    elsewhere = anonymous().get(reverse("procedures:figures"), {"level": "commune", "within": "01.051"})
    assert elsewhere.status_code == 200 and "04.501.01.07" not in elsewhere.text
    assert said("Nothing was filed nor decided in these places this quarter.") in elsewhere.text


def test_the_filters_offer_the_quarters_and_the_territories(decided):
    page = anonymous().get(reverse("procedures:figures"))
    assert f'value="{current_quarter()}"' in page.text
    assert 'value="04"' in page.text and 'value="04.501"' in page.text and "<optgroup" in page.text


def test_bad_input_shows_the_page_with_what_is_wrong(decided):
    for garbage in (
        {"level": "planet"},
        {"quarter": "1999-T9"},
        {"within": "zzz"},
        {"page": "abc"},
        {"page": "999"},
        {"level": ["commune", "region"], "within": "\x00"},
        {"quarter": "x" * 5000},
    ):
        page = anonymous().get(reverse("procedures:figures"), garbage)
        assert page.status_code in (200, 400), garbage
        if page.status_code == 200:
            assert "<table" in page.text, garbage  # the default figures, the wrong value named
    named = anonymous().get(reverse("procedures:figures"), {"level": "planet"})
    assert 'class="errorlist' in named.text
    assert anonymous().get(reverse("procedures:index"), {"quarter": "2026-T5", "within": "?"}).status_code == 200


def test_the_figures_are_computed_once_per_ten_minutes(decided, monkeypatch):
    calls = []
    computed = figures.quarter_figures

    def counted(*args, **kwargs):
        calls.append(args)
        return computed(*args, **kwargs)

    monkeypatch.setattr(views.figures, "quarter_figures", counted)
    for _time in range(3):
        anonymous("fr").get(reverse("procedures:figures"), {"level": "commune"})
    assert len(calls) == 1
    anonymous("ar").get(reverse("procedures:figures"), {"level": "commune"})  # the names are the language's
    anonymous("fr").get(reverse("procedures:figures"), {"level": "region"})
    assert len(calls) == 3
    assert views.FIGURES_CACHE_SECONDS == 600


@pytest.mark.parametrize(("language", "side"), [("ar", "rtl"), ("fr", "ltr")])
def test_anyone_reads_the_communes_index(decided, language, side):
    page = anonymous(language).get(reverse("procedures:index"))
    assert page.status_code == 200 and direction(page) == (language, side)
    row = page.text.split("<tbody>")[1].split("</tr>")[0]
    assert ">1<" in row and ("تمارة" if language == "ar" else "Témara") in row
    assert_no_personal_data(page, decided)


def test_the_index_without_any_decision(db):
    page = anonymous().get(reverse("procedures:index"))
    assert page.status_code == 200 and said("No commune decided a dossier this quarter.") in page.text


def test_the_catalogue_links_the_figures_and_the_menu_stays_short(decided, applicant):
    page = anonymous().get(reverse("procedures:catalogue"))
    assert reverse("procedures:figures") in page.text
    nav = page.text.split('<nav aria-label="')[1].split("</nav>")[0]
    assert reverse("procedures:figures") not in nav
    assert reverse("procedures:dossiers") in signed_in(applicant).get(reverse("procedures:catalogue")).text
