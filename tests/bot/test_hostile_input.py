"""Input no client should send, answered as a refusal (4xx), never as a server error."""
import io
import re

import pytest

from tests.admin_support import CITY, Console, add_staff

HUGE_IDS = [2**31, 2**63, 10**30]


def id_rules(app, prefix: str):
    """(rule, methods) of every route under `prefix` that takes an integer id."""
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(prefix) and "<int:" in rule.rule:
            yield rule.rule, sorted(rule.methods - {"HEAD", "OPTIONS"})


def with_id(rule: str, number: int) -> str:
    return re.sub(r"<int:[a-z_]+>", str(number), rule)


@pytest.mark.parametrize("number", HUGE_IDS)
def test_ids_beyond_the_databases_integers_are_not_found(app, client, mini_program, number):
    token = mini_program.login("resident-huge")
    console = Console(client, add_staff("city", "city_admin", CITY).username)
    csrf = console.token("/admin/dashboard")
    checked = 0
    for rule, methods in id_rules(app, "/api/v1/"):
        for method in methods:
            response = mini_program.call(method, with_id(rule, number)[len("/api/v1"):], token, json={})
            assert response.status_code == 404, (method, rule, response.status_code)
            checked += 1
    for rule, methods in id_rules(app, "/admin/"):
        for method in methods:
            response = client.open(with_id(rule, number), method=method, data={"csrf_token": csrf})
            assert response.status_code == 404, (method, rule, response.status_code)
            checked += 1
    assert checked > 40


def json_endpoints(app):
    """(method, path) of every API endpoint whose body the OpenAPI document says is JSON."""
    document = app.test_client().get("/api/v1/docs/openapi.json").json
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if "application/json" in operation.get("requestBody", {}).get("content", {}):
                yield method.upper(), re.sub(r"\{[a-z_]+\}", "1", path)


def form_body(kind: str) -> dict:
    if kind == "form":
        return {"data": {"code": "x", "username": "a", "password": "b"}}
    return {"data": {"code": "x", "file": (io.BytesIO(b"%PDF-"), "a.pdf")},
            "content_type": "multipart/form-data"}


@pytest.mark.parametrize("kind", ["form", "multipart"])
def test_form_and_multipart_bodies_to_json_endpoints_get_415(app, client, mini_program, kind):
    from tests.activity_support import add_school, add_school_admin

    resident = mini_program.login("resident-forms")
    staff = client.post("/api/v1/staff/login", json={"username": add_school_admin(add_school()).username,
                                                     "password": "Changchun-2201x"}).json["token"]
    endpoints = list(json_endpoints(app))
    assert len(endpoints) >= 14
    for method, path in endpoints:
        token = staff if path.startswith("/api/v1/school/") else resident
        response = client.open(path, method=method, headers={"Authorization": f"Bearer {token}"},
                               **form_body(kind))
        assert response.status_code == 415, (method, path, response.status_code)
        assert response.json["error"]["code"] == "json_required"


@pytest.mark.parametrize("hours", ["NaN", "-nan", "sNaN", "Infinity"])
def test_service_hours_that_are_no_number_are_refused(app, hours):
    from datetime import date

    from handlers.volunteers import roster, service
    from tests.admin_support import STREET_A, add_volunteer

    volunteer = add_volunteer("张三", "13800000009", STREET_A, status="approved")
    staff = add_staff("city", "city_admin", CITY)
    with pytest.raises(roster.RosterError, match="格式不正确"):
        roster.record_service(staff, volunteer, "桶边督导", "2026-01-10", hours, "南关区城管局")
    with pytest.raises(service.ServiceError):
        service.record(volunteer.id, "桶边督导", date(2026, 1, 10), hours, "南关区城管局", "staff")


def test_a_mention_longer_than_the_unrecognised_column_keeps_the_message_log(wechat, caplog):
    from models import InboundMessage, db

    mention = "xyzzy" * 50  # one unknown "item" of 250 letters
    with caplog.at_level("WARNING"):
        assert wechat.ask("o-long-mention", mention)
    assert db.session.scalar(db.select(db.func.count()).select_from(InboundMessage)) == 1
    assert "database unavailable" not in caplog.text


API_LISTS = ["/regions", "/sorting", "/activities", "/schools", "/places", "/enrolments", "/reports", "/cells",
             "/surveys", "/me/notices"]
CONSOLE_LISTS = ["/admin/residents", "/admin/volunteers", "/admin/audit", "/admin/places", "/admin/queries",
                 "/admin/cells", "/admin/reports", "/admin/activities", "/admin/staff", "/admin/campaigns",
                 "/admin/surveys", "/admin/schools", "/admin/targets", "/admin/communities",
                 "/admin/residents/export.xlsx", "/admin/volunteers/export.xlsx"]
JUNK_QUERIES = [f"page={2**31}", f"page={2**63}", f"page={10**30}", "page=-7", "page=abc",
                "q=" + "废电池" * 20000, "q=%00", f"q={10**30}"]


def test_huge_pages_and_searches_on_list_routes_are_answered(app, client, mini_program):
    token = mini_program.login("resident-pages")
    for path in API_LISTS:
        for query in JUNK_QUERIES:
            response = mini_program.call("GET", f"{path}?{query}", token)
            assert response.status_code < 500, (path, query[:20], response.status_code)
            if response.status_code >= 400:
                assert set(response.json["error"]) >= {"code", "message"}, (path, query[:20])
    Console(client, add_staff("city", "city_admin", CITY).username)
    for path in CONSOLE_LISTS:
        for query in JUNK_QUERIES:
            response = client.get(f"{path}?{query}")
            assert response.status_code in (200, 400), (path, query[:20], response.status_code)
    last = client.get(f"/admin/volunteers?page={2**63}")
    assert last.status_code == 200 and "志愿者" in last.text


@pytest.mark.parametrize("body", ["[" * 100_000 + "]" * 100_000, '{"a":' * 50_000 + "1" + "}" * 50_000])
def test_json_nested_too_deeply_is_refused_clearly(app, client, mini_program, body):
    token = mini_program.login("resident-nested")
    for method, path in (("POST", "/login"), ("PUT", "/me/area"), ("POST", "/volunteers"), ("PUT", "/family"),
                         ("POST", "/cells"), ("POST", "/quiz")):
        response = mini_program.call(method, path, token, data=body, content_type="application/json")
        assert response.status_code == 400, (path, response.status_code)
        assert response.json["error"]["code"] == "bad_json"
        assert "JSON" in response.json["error"]["message"]
