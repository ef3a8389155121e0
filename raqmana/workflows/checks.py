from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from raqmana.access.registry import PERMISSIONS

from .engine import WORKFLOWS


@checks.register()
def every_transition_permission_is_declared(app_configs, **kwargs):
    """A permission a transition needs must be declared by an app: a misspelt code would let nobody take the step."""
    return [
        checks.Error(
            f"{name}: a step to {transition.target} needs {transition.permission}, which no app declares.",
            id="workflows.E001",
        )
        for name, workflow in WORKFLOWS.items()
        for transition in workflow.transitions
        if isinstance(transition.permission, str) and transition.permission not in PERMISSIONS
    ]


@checks.register()
def every_clock_lasts_a_day_or_more(app_configs, **kwargs):
    """A clock of no day, or fewer (RAQMANA_ORDER_PAYMENT_DAYS=0 or -3), would run out as its case opens, or before."""
    errors = []
    for name, workflow in WORKFLOWS.items():
        for rule in workflow.clocks:
            if rule.measured_by is not None:  # each case's own delay, checked where the case gets it
                continue
            try:
                rule.length()
            except ImproperlyConfigured as refusal:
                errors.append(checks.Error(f"{name}: {refusal}", id="workflows.E002"))
    return errors
