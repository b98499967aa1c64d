"""The OpenAPI document describes the API, and property-based requests against it find no server error."""
from datetime import timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from tests.activity_support import add_activity, add_family, add_school, add_school_admin
from tests.admin_support import PASSWORD
from tests.conftest import postgres_config, running_app

DOC = "/api/v1/docs/openapi.json"
EXAMPLES = 25  # per operation and backend: a few seconds each


@pytest.fixture
def api_app(backend, request, tmp_path, fake_wechat):
    """The app on each backend, with a rate limit high enough for hundreds of generated requests."""
    if backend == "postgres":
        config = postgres_config(request.getfixturevalue("postgres_url"))
    else:
        config = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'wufei.sqlite3'}", "REDIS_URL": ""}
    with running_app({**config, "RATELIMIT_API": "100000/minute"}, fake_wechat) as app:
        yield app


@pytest.fixture
def tokens(api_app):
    """Data for the generated requests to find: a school, its admin, an activity, a family."""
    school = add_school()
    admin = add_school_admin(school)
    add_activity(school, starts_in=timedelta(minutes=30), deadline_before=timedelta(minutes=5))
    _, resident = add_family(school, children=2)
    staff = api_app.test_client().post("/api/v1/staff/login",
                                       json={"username": admin.username, "password": PASSWORD})
    return {"resident": resident, "staff": staff.json["token"]}


def test_document_is_openapi_3_with_every_endpoint_and_shared_error_body(api_app):
    document = api_app.test_client().get(DOC).json
    assert document["openapi"].startswith("3.")
    paths = document["paths"]
    for path in ("/api/v1/sorting", "/api/v1/family", "/api/v1/activities/{activity_id}/enrolment",
                 "/api/v1/school/activities", "/api/v1/activities/{activity_id}/checkin"):
        assert path in paths
    enrol = paths["/api/v1/activities/{activity_id}/enrolment"]["post"]
    assert enrol["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/EnrolIn")
    assert "ErrorBody" in enrol["responses"]["400"]["content"]["application/json"]["schema"]["$ref"]


def test_generated_requests_find_no_server_error(api_app, tokens):
    """Every documented operation, fed schema-shaped and edge-case input by hypothesis."""
    # One hypothesis run per operation here: schemathesis's own pytest parametrisation
    # (schemathesis.pytest.from_fixture) does not work with pytest 9 (it reads node._nodeid).
    schema = schemathesis.openapi.from_wsgi(DOC, api_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    for operation in operations:
        who = "staff" if operation.path.startswith("/api/v1/school/") else "resident"

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def call(case):
            case.call_and_validate(headers={"Authorization": f"Bearer {tokens[who]}"},
                                   checks=[not_a_server_error, response_schema_conformance,
                                           content_type_conformance])

        call()
