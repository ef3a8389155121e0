from ninja import NinjaAPI
from ninja.errors import ValidationError

from raqmana.accounts.api import router as accounts_router
from raqmana.civil_status.api import router as civil_status_router
from raqmana.core.api_errors import describe_invalid_input
from raqmana.documents.api import router as documents_router
from raqmana.territories.api import router as territories_router

api = NinjaAPI(title="Raqmana API", version="1", urls_namespace="api")
api.add_router("/territories/", territories_router)
api.add_router("/accounts/", accounts_router)
api.add_router("/civil-status/", civil_status_router)
api.add_router("/documents/", documents_router)


@api.exception_handler(ValidationError)
def invalid_input(request, error):
    """422 naming each field with a translated message, in the same shape as the services' refusals."""
    return api.create_response(request, {"detail": describe_invalid_input(error.errors)}, status=422)
