"""The catalogue in the administration: a procedure's entry is edited in place, its form never is. The form in force
is shown as JSON text; a changed, valid text is saved as a new version (`catalogue.add_version`), the earlier ones
kept as they were, since dossiers were filed with them. Versions are read, never edited nor deleted."""

import json
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from raqmana.kernel.admin import ReadOnlyAdmin, ReadOnlyInline

from . import catalogue
from .models import AgentGroup, Procedure, ProcedureVersion, WindowOverride


def pretty(definition: Any) -> str:
    return json.dumps(definition, ensure_ascii=False, indent=2)


class ProcedureForm(forms.ModelForm):
    definition = forms.CharField(
        label=_("Form in force (JSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 30, "cols": 120, "dir": "ltr", "spellcheck": "false"}),
        help_text=_(
            "The procedure's documents and fields. A change, once checked, is saved as a new version; the earlier "
            "versions are kept for the dossiers filed with them."
        ),
    )

    class Meta:
        model = Procedure
        fields = [
            "code", "category", "order", "published", "title_ar", "title_fr", "title_en", "description_ar",
            "description_fr", "description_en", "legal_basis_ar", "legal_basis_fr", "legal_basis_en",
            "competent_unit_kind", "citizens_may_file", "enterprises_may_file", "delay_days", "delay_in_working_days",
            "investment_project", "silence_means_approval", "through_commission",
        ]  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = self.instance.current_version if self.instance.pk else None
        self.current_definition = current.definition if current is not None else None
        if current is not None:
            self.fields["definition"].initial = pretty(current.definition)
        self.new_definition: Any = None

    def clean_definition(self) -> Any:
        text = self.cleaned_data["definition"]
        if not text.strip():
            if self.current_definition is not None:
                raise ValidationError(
                    gettext("A form in force cannot be emptied: change it, and a new version is saved."),
                    code="emptied",
                )
            return None
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise ValidationError(
                gettext("This is not valid JSON: %(error)s (line %(line)d, column %(column)d).")
                % {"error": error.msg, "line": error.lineno, "column": error.colno},
                code="bad_json",
            ) from None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        delay, investment = cleaned.get("delay_days"), cleaned.get("investment_project", False)
        if delay is not None and "delay_days" not in self.errors:
            try:
                catalogue.check_delay(delay, investment_project=investment)
            except ValidationError as error:
                self.add_error("delay_days", error)
        definition = cleaned.get("definition")
        if definition is not None and definition != self.current_definition:
            try:
                catalogue.check_definition(definition, through_commission=cleaned.get("through_commission"))
            except ValidationError as error:
                self.add_error("definition", error)
            else:
                self.new_definition = definition
        elif (
            definition is None
            and "definition" not in self.errors
            and self.current_definition is None
            and cleaned.get("published")
        ):
            self.add_error("definition", gettext("A procedure is published with its form."))
        elif self.current_definition is not None and "through_commission" in self.changed_data:
            # The form in force must still agree with the procedure: a commission lists its members.
            try:
                catalogue.check_definition(
                    self.current_definition, through_commission=cleaned.get("through_commission")
                )
            except ValidationError as error:
                self.add_error("through_commission", error)
        return cleaned


class ProcedureVersionInline(ReadOnlyInline):
    model = ProcedureVersion
    fields = readonly_fields = ["number", "source", "created_at", "created_by"]
    ordering = ["-number"]
    show_change_link = True

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    form = ProcedureForm
    list_display = ["code", "title", "category", "delay", "silence_means_approval", "published"]
    list_filter = [
        "category",
        "published",
        "silence_means_approval",
        "through_commission",
        "investment_project",
        "competent_unit_kind",
    ]
    search_fields = ["code", "title_ar", "title_fr", "title_en"]
    readonly_fields = ["current_version"]
    inlines = [ProcedureVersionInline]
    fieldsets = [
        (None, {"fields": ["code", "category", "order", "published", "current_version"]}),
        (_("Titles"), {"fields": ["title_ar", "title_fr", "title_en"]}),
        (_("Descriptions"), {"fields": ["description_ar", "description_fr", "description_en"]}),
        (_("Legal basis"), {"fields": ["legal_basis_ar", "legal_basis_fr", "legal_basis_en"]}),
        (
            _("Who files, who decides, within what delay"),
            {
                "fields": [
                    "competent_unit_kind",
                    "citizens_may_file",
                    "enterprises_may_file",
                    "delay_days",
                    "delay_in_working_days",
                    "investment_project",
                    "silence_means_approval",
                    "through_commission",
                ]
            },
        ),
        (_("Form"), {"fields": ["definition"]}),
    ]

    @admin.display(description=_("title"))
    def title(self, procedure: Procedure) -> str:
        return procedure.title

    @admin.display(description=_("delay"), ordering="delay_days")
    def delay(self, procedure: Procedure) -> str:
        if procedure.delay_in_working_days:
            return gettext("%(days)d working days") % {"days": procedure.delay_days}
        return gettext("%(days)d days") % {"days": procedure.delay_days}

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> list[str]:
        # The code names the procedure's definition file: a procedure keeps it.
        return ["code", *self.readonly_fields] if obj is not None else list(self.readonly_fields)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False  # a procedure is never deleted: dossiers and versions refer to it

    def save_model(self, request: HttpRequest, obj: Procedure, form: forms.ModelForm, change: bool) -> None:
        super().save_model(request, obj, form, change)
        new_definition = getattr(form, "new_definition", None)
        if new_definition is not None:
            catalogue.add_version(obj, new_definition, source="admin", by=request.user)


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(ReadOnlyAdmin):
    list_display = ["procedure", "number", "source", "created_at", "created_by"]
    list_filter = ["procedure"]
    list_select_related = ["procedure", "created_by"]
    search_fields = ["procedure__code", "source"]
    fields = readonly_fields = ["procedure", "number", "source", "created_at", "created_by", "definition_text"]

    @admin.display(description=_("definition"))
    def definition_text(self, version: ProcedureVersion) -> str:
        return format_html('<pre dir="ltr">{}</pre>', pretty(version.definition))


class AgentGroupForm(forms.ModelForm):
    class Meta:
        model = AgentGroup
        fields = [
            "unit",
            "name",
            "order",
            "is_default",
            "members",
            "communes",
            "procedure",
            "field_key",
            "field_values",
        ]

    def clean(self) -> dict[str, Any]:
        """A rule on a field names the field and the answers it takes; a default group takes what others do not, so
        it names no rule."""
        data = super().clean() or {}
        values = data.get("field_values")
        if data.get("field_key") and (not isinstance(values, list) or not values):
            self.add_error("field_values", gettext("List the answers that send a dossier to this group."))
        if values and not data.get("field_key"):
            self.add_error("field_key", gettext("Name the field whose answers are listed."))
        if data.get("is_default") and (data.get("communes") or data.get("procedure") or data.get("field_key")):
            self.add_error("is_default", gettext("The default group takes what no other group takes: it has no rule."))
        return data


@admin.register(AgentGroup)
class AgentGroupAdmin(admin.ModelAdmin):
    """Routing rules of a single window: the first group whose rule matches takes a dossier, else its default."""

    form = AgentGroupForm
    list_display = ["name", "unit", "order", "is_default", "procedure", "field_key"]
    list_filter = ["is_default", "procedure"]
    list_select_related = ["unit", "procedure"]
    search_fields = ["name", "unit__code", "unit__name_fr", "unit__name_ar"]
    autocomplete_fields = ["unit", "members", "communes"]
    ordering = ["unit", "order", "pk"]


@admin.register(WindowOverride)
class WindowOverrideAdmin(admin.ModelAdmin):
    """Where a commune's dossiers go when not where its population sends them (routing.competent_unit)."""

    list_display = ["commune", "unit", "reason", "set_by", "set_at"]
    list_select_related = ["commune", "unit", "set_by"]
    search_fields = ["commune__code", "commune__name_fr", "commune__name_ar", "unit__code"]
    autocomplete_fields = ["commune", "unit"]
    fields = ["commune", "unit", "reason"]

    def save_model(self, request: HttpRequest, obj: WindowOverride, form: Any, change: bool) -> None:
        obj.set_by = request.user
        super().save_model(request, obj, form, change)
