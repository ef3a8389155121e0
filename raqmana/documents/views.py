from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from raqmana.accounts.constants import Role
from raqmana.civil_status.services import roles_at_office

from . import selectors, services
from .constants import COUNTER_ROLES
from .forms import ActLookupForm, IssueForm, RevokeForm, VerifyCodeForm, VerifyFileForm

ISSUING_READ_REASON = gettext_lazy("Extract or copy requested")
# Verification is public: enough for a person or a desk checking documents, not for enumerating codes.
VERIFY_RATE = "30/m"
UPLOAD_RATE = "10/m"


def _counter_offices(user):
    return [
        assignment.office
        for assignment in user.role_assignments.active().select_related("office")
        if assignment.role in COUNTER_ROLES and assignment.office_id
    ]


@login_required
def counter(request):
    """The counter: find the act the requester names, anywhere in the register, and issue the document."""
    offices = _counter_offices(request.user)
    if not offices:
        raise PermissionDenied
    office = next(
        (o for o in offices if str(o.pk) == request.POST.get("office", request.GET.get("office"))), offices[0]
    )
    lookup = ActLookupForm(request.GET or None)
    act, form = None, None
    if lookup.is_valid():
        try:
            act = selectors.act_for_issuance(
                request.user, office, lookup.cleaned_data["reference"], reason=ISSUING_READ_REASON
            )
        except ValidationError as error:
            lookup.add_error("reference", error)
        else:
            if act is None:
                lookup.add_error("reference", _("No signed act has this IDCS or reference."))
    if act is not None:
        form = IssueForm(request.POST or None, act_kind=act.kind)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            requester = {
                "name": data["requester_name"],
                "document": data["requester_document"],
                "relation": data["requester_relation"],
                "mandate": data["mandate_reference"],
            }
            try:
                document = services.issue_at_counter(
                    act, data["kind"], office=office, by=request.user, requester=requester, purpose=data["purpose"]
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The document is issued and sealed."))
                return redirect("documents:document", document.pk)
    context = {"offices": offices, "office": office, "lookup": lookup, "act": act, "form": form}
    return render(request, "documents/counter.html", context)


def _visible_document(request, pk):
    return get_object_or_404(selectors.documents_visible_to(request.user), pk=pk)


@login_required
def document_detail(request, pk):
    document = _visible_document(request, pk)
    status, since = selectors.status_of(document)
    context = {
        "document": document,
        "status": status,
        "since": since,
        "may_revoke": not document.revoked_at
        and Role.CIVIL_STATUS_OFFICER in roles_at_office(request.user, document.office),
        "revoke_form": RevokeForm(),
    }
    return render(request, "documents/document.html", context)


@login_required
def document_pdf(request, pk):
    document = _visible_document(request, pk)
    return FileResponse(
        selectors.open_pdf(request.user, document),
        content_type="application/pdf",
        filename=f"{document.verification_code}.pdf",
    )


@login_required
@require_POST
def document_revoke(request, pk):
    document = _visible_document(request, pk)
    form = RevokeForm(request.POST)
    if form.is_valid():
        try:
            services.revoke_document(document, by=request.user, reason=form.cleaned_data["reason"])
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, _("The document is revoked; its verification page says so."))
    else:
        messages.error(request, _("Say why the document is revoked."))
    return redirect("documents:document", document.pk)


@ratelimit(key="ip", rate=VERIFY_RATE, method=["GET", "POST"], block=True)
@ratelimit(key="ip", rate=UPLOAD_RATE, method="POST", block=True)
def verify_start(request):
    """Anyone checks a document: by the code printed on it, or by uploading the PDF (byte for byte)."""
    code_form = VerifyCodeForm(request.GET or None)
    file_form = VerifyFileForm(request.POST or None, request.FILES or None)
    if code_form.is_valid():
        document = selectors.document_by_code(code_form.cleaned_data["code"])
        if document is not None:
            return redirect("documents:verify", document.verification_code)
        code_form.add_error("code", _("No document has this verification code."))
    file_check = None
    if request.method == "POST" and file_form.is_valid():
        upload = file_form.cleaned_data["pdf"]
        try:
            if upload.size > selectors.MAX_UPLOAD_BYTES:
                raise ValidationError(_("The file is larger than 5 MB: it is not a document issued here."))
            file_check = selectors.check_file(upload.read())
        except ValidationError as error:
            file_form.add_error("pdf", error)
    context = {"code_form": code_form, "file_form": file_form, "file_check": file_check}
    if file_check is not None and file_check.document is not None:
        context.update(_public_view(file_check.document))
    return render(request, "documents/verify_start.html", context)


@ratelimit(key="ip", rate=VERIFY_RATE, block=True)
def verify(request, code):
    document = selectors.document_by_code(code)
    if document is None:
        raise Http404
    return render(request, "documents/verify.html", _public_view(document))


def _public_view(document):
    """What the verification page may show: the document's own content and its status, nothing more."""
    status, since = selectors.status_of(document)
    return {
        "document": document,
        "status": status,
        "since": since,
        "code": services.format_code(document.verification_code),
    }
