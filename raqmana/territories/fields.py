"""Form parts shared by every module that asks for a place."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from .constants import Level
from .models import Territory


class CommunePicker(forms.TextInput):
    """A text input whose datalist fills, as one types, with the communes that start like it (HTMX)."""

    template_name = "territories/widgets/commune_picker.html"

    def get_context(self, name, value, attrs):
        attrs = {
            "autocomplete": "off",
            "hx-get": reverse_lazy("portal:commune_suggestions"),
            "hx-vals": f'{{"commune-field": "{name}"}}',
            "hx-trigger": "input changed delay:250ms",
            "hx-include": "this",
            **(attrs or {}),
        }
        attrs["list"] = f"{attrs['id']}-options"
        attrs["hx-target"] = f"#{attrs['list']}"
        return super().get_context(name, value, attrs)


class CommuneField(forms.CharField):
    """A commune typed by name with suggestions; the suggestion's HCP code (or an exact name) resolves it."""

    widget = CommunePicker

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 300)
        kwargs.setdefault("help_text", _("Type two letters of the commune's name, then choose it."))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, int):
            value = Territory.objects.filter(pk=value).first()
        if isinstance(value, Territory):
            return f"{value.name_fr} — {value.name_ar} · {value.code}"
        return value

    def clean(self, value):
        value = super().clean(value).strip()
        if not value and not self.required:
            return None
        communes = Territory.objects.filter(level=Level.COMMUNE)
        by_code = communes.filter(code=value.rsplit("·", 1)[-1].strip())
        by_name = communes.filter(Q(name_fr__iexact=value) | Q(name_ar=value))
        matches = list(by_code) or list(by_name[:2])
        if len(matches) != 1:
            # Several communes share a name (Sidi Ali, Ouled Ayad...): only a suggestion, with its code, decides.
            raise ValidationError(_("Choose a commune from the suggestions."), code="unknown_commune")
        return matches[0]
