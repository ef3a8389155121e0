from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from django_ratelimit.decorators import ratelimit

from raqmana.access.checking import has_permission
from raqmana.kernel.refusals import refusal_text
from raqmana.kernel.uploads import MAX_UPLOAD_BYTES

from . import pki, selectors, services, timestamping
from .constants import PDF_NOT_STORED, UPLOAD_RATE
from .forms import RevokeForm, VerifyCodeForm, VerifyFileForm


def verify_rate(group, request):
    """Read at each request, so that the setting holds as configured (and as a test overrides it)."""
    return settings.RAQMANA_VERIFY_RATE


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
        and has_permission(request.user, "documents.document.revoke", at=document.unit),
        "revoke_form": RevokeForm(),
    }
    return render(request, "documents/document.html", context)


@login_required
def document_pdf(request, pk):
    document = _visible_document(request, pk)
    try:
        pdf = selectors.open_pdf(request.user, document)
    except FileNotFoundError:
        messages.error(request, PDF_NOT_STORED)
        return redirect("documents:document", document.pk)
    return FileResponse(pdf, content_type="application/pdf", filename=f"{document.verification_code}.pdf")


@login_required
@require_POST
def document_revoke(request, pk):
    document = _visible_document(request, pk)
    form = RevokeForm(request.POST)
    if form.is_valid():
        try:
            services.revoke_document(document, by=request.user, reason=form.cleaned_data["reason"])
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, refusal_text(error))
        else:
            messages.success(request, _("The document is revoked; its verification page says so."))
    else:
        messages.error(request, _("Say why the document is revoked."))
    return redirect("documents:document", document.pk)


@ratelimit(key="ip", rate=verify_rate, method=["GET", "POST"], block=True)
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
            if upload.size > MAX_UPLOAD_BYTES:
                raise ValidationError(_("The file is larger than 5 MB: it is not a document issued here."))
            file_check = selectors.check_file(upload.read())
        except ValidationError as error:
            file_form.add_error("pdf", error)
    context = {"code_form": code_form, "file_form": file_form, "file_check": file_check}
    if file_check is not None and file_check.document is not None:
        context.update(_public_view(file_check.document))
    return render(request, "documents/verify_start.html", context)


@ratelimit(key="ip", rate=verify_rate, block=True)
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


def _development_ca_only():
    """The development CA's public services exist only with the development signing backend."""
    if settings.RAQMANA_SIGNING_BACKEND != "development":
        raise Http404


@require_GET
def development_crl(request):
    """The development CA's certificate revocation list, at the address its certificates name."""
    _development_ca_only()
    return HttpResponse(pki.development_crl(), content_type="application/pkix-crl")


@csrf_exempt
@require_POST
def development_tsa(request):
    """The development time-stamping authority over HTTP (RFC 3161 § 3.4): a DER request in, a DER answer out."""
    _development_ca_only()
    if request.content_type != "application/timestamp-query":
        return HttpResponse(status=415)
    return HttpResponse(timestamping.development_tsa_answer(request.body), content_type="application/timestamp-reply")
