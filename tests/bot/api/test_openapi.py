"""The OpenAPI document describes the API, and property-based requests against it find no server error."""
import re
from datetime import date, timedelta
from decimal import Decimal
from itertools import count

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import escape
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from bot.api.login import serializer
from models import ServiceRecord, Volunteer, db
from tests.activity_support import (
    STREET_A,
    add_activity,
    add_family,
    add_school,
    add_school_admin,
)
from tests.admin_support import PASSWORD
from tests.conftest import postgres_config, running_app

DOC = "/api/v1/docs/openapi.json"
EXAMPLES = 25  # per operation and backend: a few seconds each
HOSTILE_EXAMPLES = 6  # per operation, backend and kind of hostility: out-of-schema input, form bodies
HUGE_IDS = [2**31, 2**63, 10**30]
FORM_TYPES = ["application/x-www-form-urlencoded", "multipart/form-data"]


@schemathesis.check
def error_body_shape(ctx, response, case):
    """Every error is {"error": {"code", "message"}} (with `fields` for invalid input), in JSON."""
    if response.status_code < 400:
        return None
    assert response.headers.get("content-type", [""])[0].startswith("application/json"), response.headers
    error = response.json()["error"]
    assert isinstance(error["code"], str) and error["code"], error
    assert isinstance(error["message"], str) and error["message"], error
    assert set(error) <= {"code", "message", "fields"}, error
    if "fields" in error:
        assert isinstance(error["fields"], dict), error
    return None


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
    return {"resident": resident, "staff": staff.json["token"], "person": volunteer_token(api_app)}


_logins = count(1)


def login(app) -> str:
    """A new mini-program user's token, through POST /api/v1/login as the mini-program gets it."""
    return app.test_client().post("/api/v1/login", json={"code": f"openapi{next(_logins)}"}).json["token"]


def volunteer_token(app) -> str:
    """A registered volunteer with service hours, for /me and /volunteers/me to answer in full.

    Not the family's resident: PUT /me/area and POST /volunteers would change what the
    activity endpoints see for it.
    """
    token = login(app)
    volunteer = Volunteer(resident_id=serializer().loads(token)["rid"], name="刘一", phone="13812345678", region_code=STREET_A,
                          skills="publicity", availability="weekend", channel="api")
    db.session.add(volunteer)
    db.session.flush()
    db.session.add(ServiceRecord(volunteer_id=volunteer.id, region_code=STREET_A, activity="桶边督导",
                                 served_on=date(2026, 11, 1), hours=Decimal("2.5"), organiser="南岭街道",
                                 recorded_by="street1"))
    db.session.commit()
    return token


def bearer(app, tokens, operation):
    """Which token a generated request carries: DELETE /me gets a new user each time (it ends the token)."""
    if operation.path.startswith("/api/v1/school/"):
        return lambda: tokens["staff"]
    if operation.path == "/api/v1/me" and operation.method.upper() == "DELETE":
        return lambda: login(app)
    if operation.path.startswith(("/api/v1/me", "/api/v1/volunteers")):
        return lambda: tokens["person"]
    return lambda: tokens["resident"]


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


def test_document_has_login_profile_volunteers_and_regions(api_app):
    """The first endpoints of the API are in the document too, with the schemas that validate them."""
    paths = api_app.test_client().get(DOC).json["paths"]
    expected = {"/api/v1/login": {"post"}, "/api/v1/me": {"get", "delete"}, "/api/v1/me/consents": {"post"},
                "/api/v1/me/area": {"put"}, "/api/v1/volunteers/options": {"get"},
                "/api/v1/volunteers": {"post"}, "/api/v1/volunteers/me": {"get"},
                "/api/v1/volunteers/me/service": {"get"}, "/api/v1/regions": {"get"}}
    for path, methods in expected.items():
        assert methods <= set(paths[path]), path
    for path, model in (("/api/v1/login", "LoginIn"), ("/api/v1/volunteers", "VolunteerIn"),
                        ("/api/v1/me/consents", "ConsentIn")):
        operation = paths[path]["post"]
        assert operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/" + model)
        assert "ErrorBody" in operation["responses"]["400"]["content"]["application/json"]["schema"]["$ref"]
    assert paths["/api/v1/me/area"]["put"]["requestBody"]["content"]["application/json"]["schema"][
        "$ref"].endswith("/AreaIn")
    assert paths["/api/v1/me"]["get"]["security"] == [{"resident": []}]
    assert "security" not in paths["/api/v1/regions"]["get"]
    assert {p["name"] for p in paths["/api/v1/regions"]["get"]["parameters"]} == {"parent", "q"}


def api_routes(app) -> set[tuple[str, str]]:
    """(METHOD, OpenAPI path) of every route under /api/v1 but the document's own."""
    found = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.rule.startswith("/api/v1/docs"):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        found |= {(method, path) for method in rule.methods - {"HEAD", "OPTIONS"}}
    return found


def test_every_api_route_is_in_the_document(api_app):
    """A new endpoint without spec.validate fails here: the mini-program would not know it exists."""
    paths = api_app.test_client().get(DOC).json["paths"]
    documented = {(method.upper(), path) for path, operations in paths.items() for method in operations}
    routes = api_routes(api_app)
    assert len(routes) >= 45
    assert routes - documented == set()
    assert {("POST", "/api/v1/quiz"), ("POST", "/api/v1/cells/{cell_id}/{action}"),
            ("GET", "/api/v1/surveys")} <= documented


def test_every_operation_has_a_real_summary_and_documented_errors(api_app):
    """No `view_name <GET>` placeholders: each summary is the view's docstring's first line, and its
    description the paragraph below."""
    paths = api_app.test_client().get(DOC).json["paths"]
    for path, operations in paths.items():
        for method, operation in operations.items():
            summary = operation.get("summary", "")
            assert summary and "\n" not in summary, (method, path)
            assert not re.search(r"<(GET|POST|PUT|PATCH|DELETE)>", summary), (method, path, summary)
            assert operation.get("description"), (method, path)  # a second paragraph in the docstring
            assert any(status.startswith("2") for status in operation["responses"]), (method, path)
            if operation.get("security") or "requestBody" in operation or operation.get("parameters"):
                assert any(status.startswith(("4", "5")) for status in operation["responses"]), (method, path)
    evidence = paths["/api/v1/cells/{cell_id}/evidence"]["post"]["requestBody"]["content"]
    assert set(evidence) == {"multipart/form-data"}
    answers = paths["/api/v1/quiz/{attempt_id}/answers"]["post"]
    assert answers["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/QuizAnswerIn")


def test_generated_requests_find_no_server_error(api_app, tokens):
    """Every documented operation, fed schema-shaped and edge-case input by hypothesis."""
    # One hypothesis run per operation here: schemathesis's own pytest parametrisation
    # (schemathesis.pytest.from_fixture) does not work with pytest 9 (it reads node._nodeid).
    schema = schemathesis.openapi.from_wsgi(DOC, api_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 29
    assert {("POST", "/api/v1/login"), ("DELETE", "/api/v1/me"), ("PUT", "/api/v1/me/area"),
            ("POST", "/api/v1/volunteers"), ("GET", "/api/v1/regions")} <= {
        (operation.method.upper(), operation.path) for operation in operations}
    for operation in operations:
        token = bearer(api_app, tokens, operation)

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def call(case):
            case.call_and_validate(headers={"Authorization": f"Bearer {token()}"},
                                   checks=[not_a_server_error, response_schema_conformance,
                                           content_type_conformance, error_body_shape])

        call()


def hostile_cases(operation):
    """Input outside the document (wrong types, missing fields), huge ids in the path, and a JSON
    body sent form-encoded or as multipart instead."""
    strategies = []
    if operation.body or operation.query or operation.path_parameters:  # else nothing to get wrong
        strategies.append(operation.as_strategy(schemathesis.GenerationMode.NEGATIVE))
    ids = [p.name for p in operation.path_parameters if p.definition.get("schema", {}).get("type") == "integer"]
    if ids:
        strategies.append(st.sampled_from(HUGE_IDS).flatmap(
            lambda number: operation.as_strategy(path_parameters=dict.fromkeys(ids, number))))
    if operation.body and any(body.media_type == "application/json" for body in operation.body):
        strategies.append(st.tuples(operation.as_strategy(), st.sampled_from(FORM_TYPES)).map(as_form))
    return st.one_of(strategies) if strategies else None


def as_form(drawn):
    case, media_type = drawn
    if not isinstance(case.body, dict):
        case.body = {"value": str(case.body)}
    case.body = {key: str(value) for key, value in case.body.items()}
    case.media_type = media_type
    return case


def test_hostile_requests_find_no_server_error_and_every_error_has_the_api_shape(api_app, tokens):
    """Out-of-schema input, ids beyond the databases' integers and form or multipart bodies where
    JSON is due, to every documented operation: refusals in the API's error shape, no 5xx."""
    schema = schemathesis.openapi.from_wsgi(DOC, api_app)
    tried = 0
    for operation in (result.ok() for result in schema.get_all_operations()):
        token, cases = bearer(api_app, tokens, operation), hostile_cases(operation)
        if cases is None:
            continue
        tried += 1

        @given(case=cases)
        @settings(max_examples=HOSTILE_EXAMPLES * 3, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def call(case):
            case.call_and_validate(headers={"Authorization": f"Bearer {token()}"},
                                   checks=[not_a_server_error, error_body_shape])

        call()
    assert tried >= 35


def test_reference_page_shows_every_operation_from_the_document(api_app):
    """GET /api/v1/docs: one HTML page for people, made from the same document, no script."""
    client = api_app.test_client()
    paths = client.get(DOC).json["paths"]
    page = client.get("/api/v1/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    html = page.get_data(as_text=True)
    assert "<script" not in html and "http://" not in html and "https://" not in html
    for path, operations in paths.items():
        for method, operation in operations.items():
            assert f"<code>{method.upper()} {path}</code>" in html
            assert str(escape(operation["summary"])) in html
    answers = html.split("<code>POST /api/v1/quiz/{attempt_id}/answers</code>")[1].split("</section>")[0]
    for shown in ("<code>position</code>", "<code>choice</code>", "<code>integer</code>", "QuizAnswerOut",
                  "ErrorBody", "<code>404</code>", "<code>resident</code>"):
        assert shown in answers
    assert 'id="schema-CellDetail"' in html
