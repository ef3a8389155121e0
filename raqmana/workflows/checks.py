from django.core import checks

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
        if transition.permission and transition.permission not in PERMISSIONS
    ]
