"""Schemathesis against the API's own OpenAPI schema, signed in as an office agent: whatever it sends, no answer
is a 500 (the one exception handler turns every refusal into 4xx)."""

import contextlib

import pytest
from django.conf import settings
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def connections_kept_open():
    """Called straight, the WSGI application closes the database connection when a request ends (as Django's own
    test client prevents): the test's transaction would go with it on PostgreSQL."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def signed_in_cookie(verified_client, agent):
    client = verified_client(agent)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def test_no_operation_answers_500(signed_in_cookie, birth_act):
    import schemathesis
    from schemathesis.core.failures import FailureGroup

    from raqmana.wsgi import application

    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
    failures, statuses = [], {}

    def fuzz(operation):
        @given(case=operation.as_strategy(headers={"Cookie": signed_in_cookie}))
        @hypothesis_settings(
            max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None, derandomize=True
        )
        def run(case):
            response = case.call()
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            if response.status_code >= 500:
                failures.append(f"{operation.label}: {response.status_code} {case.path_parameters} {case.query}")

        with contextlib.suppress(FailureGroup):
            run()

    for result in schema.get_all_operations():
        fuzz(result.ok())
    print("answers by status:", dict(sorted(statuses.items())))
    assert sum(statuses.values()) > 100 and statuses.get(200, 0) + statuses.get(201, 0) > 0
    assert not failures, failures[:10]
