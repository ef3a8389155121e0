from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from raqmana.kernel.refusals import refusal_text, show_refusal


class ReasonForm(forms.Form):
    reason = forms.CharField(required=False)
    deceased_idcs = forms.CharField(required=False)


def test_a_refusal_as_one_message():
    with translation.override("en"):
        assert refusal_text(ValidationError(["Say why.", "Not now."])) == "Say why. Not now."
        assert refusal_text(PermissionDenied("Only the officer signs.")) == "Only the officer signs."
        assert refusal_text(PermissionDenied()) == "You may not do this."


def test_a_refusal_beside_the_fields_it_names():
    form = ReasonForm({"reason": "typed"})
    form.is_valid()
    error = ValidationError({"reason": "Say more.", "birth_act": "No such act.", "office": "Not yours."})
    show_refusal(form, error, {"birth_act": "deceased_idcs"})
    assert form.errors["reason"] == ["Say more."] and form.errors["deceased_idcs"] == ["No such act."]
    assert form.non_field_errors() == ["Not yours."] and form.data["reason"] == "typed"
    show_refusal(form, PermissionDenied("Only the officer signs."))
    assert "Only the officer signs." in form.non_field_errors()
