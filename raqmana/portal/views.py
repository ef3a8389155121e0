from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from raqmana.access.checking import assignments_of, has_permission
from raqmana.access.scoping import visible_to
from raqmana.accounts import selectors as account_selectors
from raqmana.kernel.reference_data import conditional
from raqmana.kernel.refusals import refusal_text
from raqmana.notifications import services as notification_services
from raqmana.territories import selectors as territory_selectors
from raqmana.territories.models import Territory

from . import selectors

COPIES_PER_PAGE = 25
NOTIFICATIONS_PER_PAGE = 25


def home(request):
    user = request.user
    context = territory_selectors.directory_counts()
    if user.is_authenticated:
        context.update(
            representations=account_selectors.representations(user),
            invitations=account_selectors.invitations(user),
            roles=assignments_of(user),
            works_locally=has_permission(user, "portal.workspace.view"),
            is_supervisor=has_permission(user, "portal.supervision.view"),
        )
    return render(request, "portal/home.html", context)


@conditional("territories", per_visitor=True)
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
    if not has_permission(request.user, "portal.workspace.view"):
        raise PermissionDenied
    at_a_counter = has_permission(request.user, "civil_status_documents.copy_elsewhere.read")
    copies = None
    if at_a_counter and request.GET.get("shown") == "copies_elsewhere":
        # The feed keeps the last events only: the copies issued elsewhere are listed in full, page by page.
        copies = Paginator(selectors.copies_issued_elsewhere(request.user), COPIES_PER_PAGE)
        copies = copies.get_page(request.GET.get("page"))
    return render(
        request,
        "portal/workspace.html",
        {
            "places": selectors.workspace(request.user),
            "activity": selectors.recent_activity(request.user),
            "at_a_counter": at_a_counter,
            "copies": copies,
        },
    )


@login_required
def supervision(request, code=None):
    user = request.user
    if not has_permission(user, "portal.supervision.view"):
        raise PermissionDenied
    if code is None:
        current, territories = None, selectors.supervised_roots(user)
    else:
        current = get_object_or_404(visible_to(Territory.objects.select_related("parent"), user), code=code)
        territories = territory_selectors.direct_children(current)
    context = {
        "current": current,
        "rows": selectors.summarise(user, territories),
        "activity": selectors.recent_activity(user) if code is None else None,
    }
    template = "portal/_supervision_table.html" if request.htmx else "portal/supervision.html"
    return render(request, template, context)


@login_required
def undelivered_notifications(request):
    """The notifications of the user's offices that did not reach their recipient: given up, or still failing."""
    if not has_permission(request.user, "portal.notification.resend"):
        raise PermissionDenied
    page = Paginator(selectors.undelivered_notifications(request.user), NOTIFICATIONS_PER_PAGE)
    return render(
        request,
        "portal/undelivered_notifications.html",
        {"notifications": page.get_page(request.GET.get("page")), "now": timezone.now()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def resend_notification(request, pk):
    """GET asks to confirm, showing each attempt; POST starts a new round of attempts."""
    if not has_permission(request.user, "portal.notification.resend"):
        raise PermissionDenied
    notification = get_object_or_404(selectors.undelivered_notifications(request.user), pk=pk)
    if request.method == "POST":
        try:
            notification_services.resend(notification, by=request.user)
        except ValidationError as refusal:
            messages.error(request, refusal_text(refusal))
        else:
            messages.success(request, _("The notification will be sent again within a minute."))
        return redirect("portal:undelivered_notifications")
    return render(
        request,
        "portal/resend_notification.html",
        {"notification": notification, "sendings": notification.sendings.all()},
    )


def rate_limited(request, exception):
    """Too many requests from one address on a public page (django-ratelimit)."""
    return render(request, "portal/rate_limited.html", status=429)
