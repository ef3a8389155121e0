from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from raqmana.access.audiences import belongs_to, open_to
from raqmana.access.checking import assignments_of, has_permission
from raqmana.access.scoping import visible_to
from raqmana.accounts import selectors as account_selectors
from raqmana.audit.selectors import shown_events
from raqmana.civil_status import selectors as civil_status_selectors
from raqmana.civil_status.permissions import ESTABLISHMENT_MEMBERS
from raqmana.kernel.navigation import ANYONE
from raqmana.kernel.personal_pages import not_kept, personal_page
from raqmana.kernel.reference_data import anonymous_page, conditional
from raqmana.kernel.refusals import refusal_text
from raqmana.notifications import services as notification_services
from raqmana.territories import selectors as territory_selectors
from raqmana.territories.models import Territory

from . import selectors


def favicon(request):
    """Browsers ask /favicon.ico of pages without a <link rel="icon"> (a PDF, the API): the site's icon."""
    return redirect(static("portal/favicon.svg"))


COPIES_PER_PAGE = 25
NOTIFICATIONS_PER_PAGE = 25
PRE_DECLARATIONS_ON_HOME = 5  # the latest; the rest on the pre-declarations page


@open_to(ANYONE)
@anonymous_page("territories")
@personal_page("territories")
def home(request):
    user = request.user
    context = territory_selectors.directory_counts()
    if user.is_authenticated:
        representations, invitations = account_selectors.representations_and_invitations(user)
        context.update(
            representations=representations,
            invitations=invitations,
            roles=assignments_of(user),
            works_locally=has_permission(user, "portal.workspace.view"),
            is_supervisor=has_permission(user, "portal.supervision.view"),
            files_pre_declarations=belongs_to(user, ESTABLISHMENT_MEMBERS),
        )
        if context["files_pre_declarations"]:
            not_kept(request)  # what the establishment's other members file shows at once
            context["pre_declarations_filed"] = civil_status_selectors.pre_declarations_filed_for(user)[
                :PRE_DECLARATIONS_ON_HOME
            ]
    return render(request, "portal/home.html", context)


@open_to(ANYONE)
@conditional("territories", per_visitor=True)
@anonymous_page("territories")
def office_finder(request):
    query = request.GET.get("q", "")
    offices = territory_selectors.find_offices(query)
    template = "portal/_office_results.html" if request.htmx else "portal/office_finder.html"
    return render(request, template, {"query": query, "offices": offices})


def commune_suggestions(request):
    """HTMX: communes whose name starts like what was typed in the field named by `commune-field`."""
    communes = territory_selectors.find_communes(request.GET.get(request.GET.get("commune-field", "commune"), ""))
    return render(request, "portal/_commune_options.html", {"communes": communes})


@open_to("portal.workspace.view")
def workspace(request):
    at_a_counter = has_permission(request.user, "civil_status_documents.copy_elsewhere.read")
    copies = None
    if at_a_counter and request.GET.get("shown") == "copies_elsewhere":
        # The feed keeps the last events only: the copies issued elsewhere are listed in full, page by page.
        copies = Paginator(selectors.copies_issued_elsewhere(request.user), COPIES_PER_PAGE)
        copies = copies.get_page(request.GET.get("page"))
        copies.object_list = shown_events(copies.object_list)
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


@open_to("portal.supervision.view")
def supervision(request, code=None):
    user = request.user
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


@open_to("portal.notification.resend")
def undelivered_notifications(request):
    """The notifications of the user's offices that did not reach their recipient: given up, or still failing."""
    page = Paginator(selectors.undelivered_notifications(request.user), NOTIFICATIONS_PER_PAGE)
    return render(
        request,
        "portal/undelivered_notifications.html",
        {"notifications": page.get_page(request.GET.get("page")), "now": timezone.now()},
    )


@open_to("portal.notification.resend")
@require_http_methods(["GET", "POST"])
def resend_notification(request, pk):
    """GET asks to confirm, showing each attempt; POST starts a new round of attempts."""
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
