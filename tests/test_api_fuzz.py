"""Schemathesis drives every API operation with generated input: no 5xx, no schema violation."""

import pytest
import schemathesis
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from niaga.wsgi import application
from tests.factories import officer

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
# Business rules (a taken e-mail, a common password) refuse input the schema alone allows; that
# is a 422 by design, not a defect, so the check that expects schema-valid data to pass is off.
BY_DESIGN = [schemathesis.checks.positive_data_acceptance]


@pytest.fixture(autouse=True)
def _keep_the_test_connection_open():
    """The application is called directly, not through Django's test client, so switch off the
    per-request connection clean-up as the test client does; it would close the connection
    that holds the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def officer_cookie(db):
    client = Client()
    client.force_login(officer())
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


@schema.parametrize()
@hypothesis_settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_api_answers_anything_without_a_server_error(case, officer_cookie):
    case.call_and_validate(headers={"Cookie": officer_cookie}, excluded_checks=BY_DESIGN)


@schema.parametrize()
@hypothesis_settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@pytest.mark.django_db
def test_the_api_answers_strangers_without_a_server_error(case):
    case.call_and_validate(excluded_checks=BY_DESIGN)
