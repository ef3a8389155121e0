from django.conf import settings
from django.http.request import RawPostDataException
from django.utils.csp import CSP
from django.utils.translation import gettext as _
from django.views.decorators.csp import csp_override
from ninja import NinjaAPI, Swagger
from ninja.errors import HttpError, ValidationError

from raqmana.accounts.api import router as accounts_router
from raqmana.civil_status.api import router as civil_status_router
from raqmana.civil_status_documents.api import router as civil_status_documents_router
from raqmana.complaints.api import router as complaints_router
from raqmana.documents.api import router as documents_router
from raqmana.kernel.api_errors import INPUT_ERRORS, REFUSED, describe_invalid_input, refusal
from raqmana.kernel.errors import unexpected_error_answer
from raqmana.mail_registry.api import router as mail_registry_router
from raqmana.procedures.api import router as procedures_router
from raqmana.territories.api import router as territories_router

api = NinjaAPI(
    title="Raqmana API",
    version="1",
    urls_namespace="api",
    # No online validator badge: it would send the schema's address to swagger.io, outside the CSP.
    docs=Swagger(settings={"validatorUrl": None}),
    # Swagger UI's stylesheet draws its icons as data: images.
    docs_decorator=csp_override(settings.SECURE_CSP | {"img-src": [CSP.SELF, "data:"]}),
)
api.add_router("/territories/", territories_router)
api.add_router("/accounts/", accounts_router)
api.add_router("/civil-status/", civil_status_router)
api.add_router("/documents/", documents_router)
# Civil status documents are issued and ordered under the same address as every document is verified.
api.add_router("/documents/", civil_status_documents_router)
api.add_router("/procedures/", procedures_router)
api.add_router("/complaints/", complaints_router)
api.add_router("/mail/", mail_registry_router)


def refused_by_a_service(request, error):
    """A service's or a selector's refusal, the same for every endpoint (kernel.api_errors.refusal)."""
    status, message = refusal(error)
    return api.create_response(request, {"detail": message}, status=status)


for refusal_type in REFUSED:
    api.add_exception_handler(refusal_type, refused_by_a_service)


@api.exception_handler(ValidationError)
def invalid_input(request, error):
    """422 naming each field with a translated message, in the same shape as the services' refusals."""
    return api.create_response(request, {"detail": describe_invalid_input(error.errors)}, status=422)


@api.exception_handler(HttpError)
def refused(request, error):
    """Ninja's own refusal of a body it cannot parse as JSON is said in the person's language too."""
    unparsable = error.status_code == 400 and isinstance(error.__cause__, (ValueError, RecursionError))
    message = INPUT_ERRORS["json_invalid"] if unparsable else str(error)
    return api.create_response(request, {"detail": str(message)}, status=error.status_code)


@api.exception_handler(RawPostDataException)
def form_instead_of_json(request, error):
    """A form sent to an operation that takes JSON: it was read as a form on its way (bad input and CSRF checks)."""
    return api.create_response(
        request, {"detail": _("This operation takes its body as JSON (Content-Type: application/json).")}, status=415
    )


@api.exception_handler(Exception)
def unexpected(request, error):
    """Any other exception (a bug, a database that timed out or went away): 500 with a translated sentence and a
    reference to quote, the details in the log (kernel.errors); never the exception's own text."""
    return unexpected_error_answer(request, error)
