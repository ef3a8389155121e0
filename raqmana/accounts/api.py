from ninja import Router, Schema
from ninja.security import django_auth

from raqmana.access.checking import assignments_of

router = Router(tags=["accounts"])


class RoleOut(Schema):
    role: str
    role_label: str
    territory_code: str | None
    office_code: str | None


class MeOut(Schema):
    full_name: str
    email: str | None
    phone: str | None
    preferred_language: str
    is_agent: bool
    roles: list[RoleOut]


@router.get("/me", response=MeOut, auth=django_auth)
def me(request):
    user = request.user
    roles = [
        {
            "role": assignment.role,
            "role_label": str(assignment.get_role_display()),
            "territory_code": assignment.territory.code if assignment.territory_id else None,
            "office_code": assignment.unit.code if assignment.unit_id else None,
        }
        for assignment in assignments_of(user)
    ]
    return {
        "full_name": user.full_name,
        "email": user.email,
        "phone": user.phone,
        "preferred_language": user.preferred_language,
        "is_agent": user.is_agent,
        "roles": roles,
    }
