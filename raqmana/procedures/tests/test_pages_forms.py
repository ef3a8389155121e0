"""The form of a procedure as a page posts it: flat dotted names read as the nested answers the engine checks, and
saved answers written back into what the inputs show (procedures.forms). Pure functions: no database."""

from django.http import QueryDict
from django.utils import translation

from raqmana.procedures import forms
from raqmana.procedures.formdefs import check_answers, parse_definition

from .test_pages import EVERY_KIND

FORM = parse_definition(EVERY_KIND)


def posted(text):
    return QueryDict(text, mutable=True)


def test_every_kind_of_input_is_read_as_the_engine_reads_it():
    data = posted(
        "name=Villa&notes=&area=12,5&start=2025-01-02&use=commercial&shop_sign=Atlas&zone=z3"
        "&networks=water&networks=power&basement=yes"
        "&site.commune=T%C3%A9mara+%E2%80%94+%D8%AA%D9%85%D8%A7%D8%B1%D8%A9+%C2%B7+04.501.01.07&site.street=12+rue"
        "&point.lat=33,9&point.lon=-6.8&lots.entries=2&lots.0.area=10&lots.1.area=20"
        "&applicant.idcs=123&applicant=forged&plans=7&upload.plans=x&_form=1&_layout=abc"
    )
    assert forms.answers_from_post(FORM, data) == {
        "name": "Villa",
        "notes": "",
        "area": "12,5",
        "start": "2025-01-02",
        "use": "commercial",
        "shop_sign": "Atlas",
        "zone": "z3",
        "networks": ["water", "power"],
        "basement": "yes",
        "site": {"commune": "04.501.01.07", "street": "12 rue"},
        "point": {"lat": "33.9", "lon": "-6.8"},
        "lots": [{"area": "10"}, {"area": "20"}],
    }  # never a file's ids nor the civil status link: the services put them


def test_what_the_post_does_not_name_is_left_out():
    assert forms.answers_from_post(FORM, posted("")) == {}
    assert forms.answers_from_post(FORM, posted("site.commune=&site.street=+&point.lat=&point.lon=")) == {}


def test_an_entry_posting_nothing_keeps_its_place():
    data = posted("lots.entries=3&lots.2.area=5")
    assert forms.answers_from_post(FORM, data)["lots"] == [{}, {}, {"area": "5"}]
    assert forms.entry_count(FORM.field("lots"), posted("lots.entries=x&lots.7.area=1"), "lots") == 8
    assert forms.entry_count(FORM.field("lots"), posted("lots.entries=99999999"), "lots") == 0
    assert forms.entry_count(FORM.field("lots"), posted("lots.999.area=1"), "lots") == 500  # the engine's most


def test_a_commune_is_read_by_the_code_its_suggestion_ends_with():
    assert forms.commune_code("Témara — تمارة · 04.501.01.07") == "04.501.01.07"
    assert forms.commune_code("  04.501.01.07 ") == "04.501.01.07"
    assert forms.commune_code("Atlantis") == "Atlantis"  # which names no commune: the engine says so


def test_saved_answers_are_written_back_as_the_inputs_show_them():
    answers = {
        "name": "Villa",
        "area": "12.50",
        "basement": False,
        "networks": ["water"],
        "site": {"commune": "04.501.01.07", "street": "12 rue"},
        "point": {"lat": 33.9, "lon": -6.8},
        "lots": [{"area": "10"}, {}],
        "applicant": {"idcs": "1", "names": {}},
        "plans": [7],
    }
    data = forms.data_from_answers(FORM, answers, {"04.501.01.07": "Témara — تمارة · 04.501.01.07"})
    assert data["basement"] == "no" and data.getlist("networks") == ["water"]
    assert data["site.commune"] == "Témara — تمارة · 04.501.01.07" and data["point.lat"] == "33.9"
    assert data["lots.entries"] == "2" and data["lots.0.area"] == "10"
    assert "plans" not in data and "applicant" not in data
    again = forms.answers_from_post(FORM, data)
    assert again["site"] == answers["site"] and again["lots"] == [{"area": "10"}, {}]
    assert forms.communes_in(FORM, answers) == {"04.501.01.07"}


def test_an_entry_is_taken_out_and_the_later_ones_move_up():
    data = posted("lots.entries=3&lots.0.area=1&lots.1.area=2&lots.2.area=3&name=x")
    kept = forms.without_entry(FORM, data, "lots", 1)
    assert kept["lots.entries"] == "2" and kept["lots.0.area"] == "1" and kept["lots.1.area"] == "3"
    assert "lots.2.area" not in kept and kept["name"] == "x"
    added = forms.with_entry(FORM, posted("lots.entries=1"), "lots")
    assert added["lots.entries"] == "2"


def test_the_fields_shown_follow_the_conditions_and_keep_what_was_typed():
    with translation.override("fr"):
        shown = forms.shown_fields(FORM, posted("use=housing&area=douze"), errors={"area": ["Saisissez un nombre."]})
        paths = [one.path for one in forms.every_shown(shown)]
        assert "shop_sign" not in paths and "area" in paths
        area = next(one for one in shown if one.path == "area")
        assert area.value == "douze" and area.errors == ["Saisissez un nombre."]
        commercial = forms.shown_fields(FORM, posted("use=commercial"))
        assert "shop_sign" in [one.path for one in commercial]
        assert forms.layout_signature(shown) != forms.layout_signature(commercial)
        summary = forms.error_summary({"area": ["Saisissez un nombre."], "lots.0": ["Vide."]}, shown)
        assert summary == [("f-area", "Area (fr)", "Saisissez un nombre.")]  # no entry 0 shown
        assert forms.unplaced_errors({"lots.0": ["Vide."]}, shown) == ["Vide."]


def test_the_answers_read_in_the_readers_language():
    answers = check_answers(
        FORM,
        {"use": "commercial", "shop_sign": "Atlas", "basement": "no", "networks": ["power"], "area": "3"},
        complete=False,
    ).answers
    with translation.override("fr"):
        read = {one.path: one for one in forms.readable_answers(FORM, answers)}
        assert read["use"].text == "Commercial (fr)" and read["basement"].text == "Non"
        assert read["networks"].items == ["Power (fr)"] and read["area"].text == "3.00 m² (fr)"
        assert not read["name"].answered and "shop_sign" in read
