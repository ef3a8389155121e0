import pytest
from django import forms

from raqmana.territories.fields import CommuneField
from raqmana.territories.models import Territory

pytestmark = pytest.mark.django_db


class PlaceForm(forms.Form):
    birth_place = CommuneField(label="Commune of birth", required=False)


def test_the_commune_picker_asks_for_suggestions_named_after_its_field():
    html = str(PlaceForm()["birth_place"])
    assert 'list="id_birth_place-options"' in html and '<datalist id="id_birth_place-options">' in html
    assert (
        'hx-target="#id_birth_place-options"' in html and "&quot;commune-field&quot;: &quot;birth_place&quot;" in html
    )


def test_a_commune_is_resolved_by_its_suggestion_code_or_an_unambiguous_name():
    temara = Territory.objects.get(code="04.501.01.07")
    typed = PlaceForm().fields["birth_place"].prepare_value(temara)
    for typed_form in (typed, "témara"):
        form = PlaceForm({"birth_place": typed_form})
        assert form.is_valid() and form.cleaned_data["birth_place"] == temara
    empty = PlaceForm({"birth_place": ""})
    assert empty.is_valid() and empty.cleaned_data["birth_place"] is None
    unknown = PlaceForm({"birth_place": "Nowhere"})
    assert not unknown.is_valid() and unknown.has_error("birth_place", code="unknown_commune")
    assert unknown["birth_place"].value() == "Nowhere"
