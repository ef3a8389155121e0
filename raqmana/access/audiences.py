"""Who a page opens to, said once on its view (`@open_to(audience)`) and read by the menu, so that a link is shown
exactly to those the page lets in.

An audience is one of the navigation's (`ANYONE`, `SIGNED_IN`, `ADMINISTRATORS`), a declared permission held
somewhere (the page then narrows to the places where it is held), or an organisation an app registered
(`registry.acts_for_an_organisation`, say the members of a declaring establishment). Agents reach no page before
their second factor (`accounts.middleware`), so an audience asks nothing of it.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase
from django.utils.functional import Promise

from raqmana.kernel.navigation import ADMINISTRATORS, ANYONE, AUDIENCES, SIGNED_IN

from .checking import NOT_ALLOWED_HERE, Person, acts_for, has_permission
from .registry import ORGANISATIONS, PERMISSIONS

View = Callable[..., HttpResponseBase]


def is_audience(audience: str) -> bool:
    return audience in AUDIENCES or audience in PERMISSIONS or audience in ORGANISATIONS


def belongs_to(user: Person, audience: str) -> bool:
    """Whether the person is of `audience`; an inactive account is of none but ANYONE."""
    if audience == ANYONE:
        return True
    if not user.is_authenticated or not user.is_active:
        return False
    if audience == SIGNED_IN:
        return True
    if audience == ADMINISTRATORS:
        return user.is_superuser
    if audience in ORGANISATIONS:
        return acts_for(user, audience)
    return has_permission(user, audience)


def refusal_for(audience: str) -> str | Promise:
    """What a person outside `audience` is told on the page they could not open."""
    if audience in PERMISSIONS:
        return PERMISSIONS[audience].refusal or NOT_ALLOWED_HERE
    if audience in ORGANISATIONS:
        return ORGANISATIONS[audience].refusal
    return NOT_ALLOWED_HERE


def open_to(audience: str) -> Callable[[View], View]:
    """The view lets in `audience` only: an anonymous visitor is sent to sign in, anyone else outside it refused
    (403, with the audience's refusal). The menu reads the audience from the view (`audience_of`)."""
    if not is_audience(audience):
        raise ValueError(f"{audience} is no audience: neither a navigation audience, a permission nor an organisation.")

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not belongs_to(request.user, audience):
                if not request.user.is_authenticated:
                    return redirect_to_login(request.get_full_path())
                raise PermissionDenied(refusal_for(audience))
            return view(request, *args, **kwargs)

        guarded.audience = audience  # type: ignore[attr-defined]
        return guarded

    return decorate


def audience_of(view: Callable[..., Any]) -> str | None:
    """The audience a view declared with `open_to`, if it did."""
    return getattr(view, "audience", None)
