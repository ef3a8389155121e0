from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from raqmana.accounts import selectors as account_selectors
from raqmana.territories import selectors as territory_selectors
from raqmana.territories.constants import Level
from raqmana.territories.models import CivilStatusOffice, Territory

COPIES_PER_PAGE = 25


def home(request):
    user = request.user
    context = {
        "office_count": CivilStatusOffice.objects.filter(is_active=True).count(),
        "commune_count": Territory.objects.filter(level=Level.COMMUNE).count(),
    }
    if user.is_authenticated:
        context.update(
            representations=account_selectors.representations(user),
            invitations=account_selectors.invitations(user),
            roles=account_selectors.active_roles(user),
            works_locally=account_selectors.works_locally(user),
            is_supervisor=account_selectors.is_supervisor(user),
        )
    return render(request, "portal/home.html", context)


def office_finder(request):
    query = request.GET.get("q", "")
    offices = territory_selectors.find_offices(query)
    template = "portal/_office_results.html" if request.htmx else "portal/office_finder.html"
    return render(request, template, {"query": query, "offices": offices})


def commune_suggestions(request):
    """HTMX: communes whose name starts like what was typed in the field named by `commune-field`."""
    communes = territory_selectors.find_communes(request.GET.get(request.GET.get("commune-field", "commune"), ""))
    return render(request, "portal/_commune_options.html", {"communes": communes})


@login_required
def workspace(request):
    if not account_selectors.works_locally(request.user):
        raise PermissionDenied
    at_a_counter = account_selectors.works_at_a_counter(request.user)
    copies = None
    if at_a_counter and request.GET.get("shown") == "copies_elsewhere":
        # The feed keeps the last events only: the copies issued elsewhere are listed in full, page by page.
        copies = Paginator(account_selectors.copies_issued_elsewhere(request.user), COPIES_PER_PAGE)
        copies = copies.get_page(request.GET.get("page"))
    return render(
        request,
        "portal/workspace.html",
        {
            "places": account_selectors.workspace(request.user),
            "activity": account_selectors.recent_activity(request.user),
            "at_a_counter": at_a_counter,
            "copies": copies,
        },
    )


@login_required
def supervision(request, code=None):
    user = request.user
    if not account_selectors.is_supervisor(user):
        raise PermissionDenied
    if code is None:
        current, territories = None, territory_selectors.supervised_roots(user)
    else:
        current = get_object_or_404(Territory.objects.visible_to(user).select_related("parent"), code=code)
        territories = territory_selectors.direct_children(current)
    context = {
        "current": current,
        "rows": territory_selectors.summarise(user, territories),
        "activity": account_selectors.recent_activity(user) if code is None else None,
    }
    template = "portal/_supervision_table.html" if request.htmx else "portal/supervision.html"
    return render(request, template, context)


def rate_limited(request, exception):
    """Too many requests from one address on a public page (django-ratelimit)."""
    return render(request, "portal/rate_limited.html", status=429)
