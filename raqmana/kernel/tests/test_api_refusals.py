import pytest
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404
from django.utils import translation

from raqmana.kernel.api_errors import refusal
from raqmana.kernel.bad_input import BadInput


def test_each_refusal_has_its_status_and_message():
    with translation.override("en"):
        assert refusal(PermissionDenied("Only the officer signs.")) == (403, "Only the officer signs.")
        assert refusal(PermissionDenied()) == (403, "You may not do this.")
        assert refusal(ObjectDoesNotExist()) == (404, "Not Found")
        assert refusal(Http404()) == (404, "Not Found")
        assert refusal(BadInput("Too large.", status=413)) == (413, "Too large.")
        assert refusal(ValidationError("Say why.")) == (422, "Say why.")
        assert refusal(ValidationError({"reason": "Say why.", "__all__": "Not now."})) == (
            422,
            "reason: Say why.; Not now.",
        )


def test_a_service_field_is_named_as_the_api_names_it():
    import raqmana.api  # noqa: F401  (the apps' API modules declare their names)

    assert refusal(ValidationError({"birth_act": "No such act."})) == (422, "deceased_idcs: No such act.")


@pytest.mark.django_db
def test_the_schema_documents_the_refusals(client):
    schema = client.get("/api/openapi.json").json()
    responses = schema["paths"]["/api/civil-status/acts"]["post"]["responses"]
    assert {"201", "403", "404", "422"} <= set(responses)
    assert responses["403"]["content"]["application/json"]["schema"]["$ref"].endswith("/Refusal")
