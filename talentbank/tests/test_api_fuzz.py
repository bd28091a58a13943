"""Schema-driven fuzzing of every API operation, reads and writes, with the token of a coordinator and
of school staff (not a superuser: scope is part of what is fuzzed) over the demo bank: no 5xx, and
every response matches the published OpenAPI schema."""

import os

import pytest
import schemathesis
from django.contrib.auth.models import Group
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import response_schema_conformance

from accounts.tokens import issue_token
from participants.roles import COORDINATOR, SCHOOL_STAFF
from participants.tests.factories import MembershipFactory, OrganisationFactory, ParticipantFactory, ProgrammeFactory
from talentbank.wsgi import application

# Schemathesis's coverage phase (boundary values of every field, hundreds of requests per operation)
# takes about 40 s for one write operation: the suite runs the examples and fuzzing phases, and
# API_FUZZ_COVERAGE=1 adds it for a thorough run. Bad parameters have their own property test
# (test_bad_parameters.py).
COVERAGE = os.environ.get("API_FUZZ_COVERAGE") == "1"
schema = schemathesis.openapi.from_wsgi(
    "/api/v1/schema/?format=json",
    application,
    config=SchemathesisConfig.from_dict({"phases": {"coverage": {"enabled": COVERAGE}}}),
)


@pytest.fixture
def keep_test_connection():
    """Calls go straight to the WSGI app; like Django's test client, keep the test's database
    connection (and its transaction) open across requests."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def small_bank(django_user_model):
    """A coordinator's programme and a school with staff, a few people in it. (The demo bank would
    be loaded again for every operation: schemathesis's items do not share module fixtures.)"""
    school = OrganisationFactory()
    programme = ProgrammeFactory(region=school.region)
    coordinator = django_user_model.objects.create_user("fuzz-koordinator")
    coordinator.groups.add(Group.objects.get(name=COORDINATOR))
    programme.coordinators.add(coordinator)
    staff = django_user_model.objects.create_user("fuzz-shkola")
    staff.groups.add(Group.objects.get(name=SCHOOL_STAFF))
    school.staff.add(staff)
    for _ in range(3):
        MembershipFactory(programme=programme, participant=ParticipantFactory(organisation=school))
    return {"coordinator": coordinator, "school-staff": staff}


@pytest.fixture(params=["coordinator", "school-staff"])
def token(request, db, django_user_model, keep_test_connection):
    return issue_token(small_bank(django_user_model)[request.param])[1]


@schema.parametrize()
@hypothesis_settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_operation_fails_or_breaks_its_schema(case, token):
    response = case.call(headers={"Authorization": f"Token {token}"})
    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
