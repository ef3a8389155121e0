from django.core import checks

from .registry import PERMISSIONS
from .roles import ROLE_PERMISSIONS


@checks.register()
def every_granted_permission_is_declared(app_configs, **kwargs):
    """A permission the role table gives must be declared by an app: a misspelt code would grant nothing."""
    return [
        checks.Error(f"{role} is given {code}, which no app declares.", id="access.E001")
        for role, codes in ROLE_PERMISSIONS.items()
        for code in sorted(codes)
        if code not in PERMISSIONS
    ]
