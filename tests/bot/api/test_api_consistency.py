"""The same situation gets the same answer on every endpoint: filters, path order, field errors,
phones, deletions and consent, in words for a mini-program screen."""
import re
import typing

import pytest
from pydantic_core.core_schema import ErrorType

from bot.api.login import issue_token
from bot.api.openapi import CHINESE, field_text
from models import Resident, db
from tests.activity_support import (
    STREET_A,
    add_activity,
    add_family,
    add_school,
    add_school_admin,
    bearer,
)
from tests.admin_support import PASSWORD

MALFORMED, UNKNOWN = "abc", "9999"


@pytest.mark.parametrize("path, field", [("/api/v1/regions?parent={}", "parent"),
                                         ("/api/v1/schools?region={}", "region")])
def test_a_region_filter_is_400_when_malformed_and_404_when_it_names_nothing(client, region_tree, path, field):
    malformed = client.get(path.format(MALFORMED))
    assert malformed.status_code == 400
    assert malformed.json["error"]["code"] == "invalid_fields"
    assert "地区代码" in malformed.json["error"]["fields"][field]
    unknown = client.get(path.format(UNKNOWN))
    assert unknown.status_code == 404
    assert unknown.json["error"] == {"code": "unknown_region", "message": "没有这个地区",
                                     "fields": {field: "没有这个地区"}}
    assert client.get(path.format("220102")).status_code == 200


def test_a_too_long_name_filter_is_an_invalid_field_like_any_other(client, region_tree):
    response = client.get("/api/v1/regions?q=" + "南" * 31)
    assert response.status_code == 400
    assert response.json["error"]["code"] == "invalid_fields"
    assert response.json["error"]["fields"] == {"q": "太长了，最多 30 个字"}


def resident_token(openid: str, region_code: str | None = None) -> str:
    resident = Resident(openid=openid, region_code=region_code)
    db.session.add(resident)
    db.session.commit()
    return issue_token(resident)


@pytest.mark.parametrize("method, path, body", [
    ("GET", "/activities/{}/enrolment", None),
    ("DELETE", "/activities/{}/enrolment", None),
    ("POST", "/activities/{}/enrolment", {"child_ids": [1]}),
    ("POST", "/activities/{}/checkin", {"code": "123456"}),
    ("GET", "/activities/{}", None),
    ("GET", "/activities/{}/cover", None),
])
def test_a_missing_activity_is_activity_not_found_before_anything_about_the_caller(client, app, method, path,
                                                                                   body):
    activity = add_activity(add_school())
    no_family = resident_token("o-no-family")  # the activity still comes first
    missing = client.open("/api/v1" + path.format(activity.id + 100), method=method, json=body,
                          headers=bearer(no_family))
    assert missing.status_code == 404 and missing.json["error"]["code"] == "activity_not_found"


def test_an_existing_activity_then_asks_for_a_family_then_an_enrolment(client, app):
    school = add_school()
    activity = add_activity(school, audience="area")
    no_family = client.get(f"/api/v1/activities/{activity.id}/enrolment", 
                           headers=bearer(resident_token("o-x", STREET_A)))  # an area activity is open to it
    assert (no_family.status_code, no_family.json["error"]["code"]) == (404, "no_family")
    _, with_family = add_family(school)
    for method, path, body in (("GET", "/enrolment", None), ("DELETE", "/enrolment", None),
                               ("POST", "/checkin", {"code": "123456"})):
        response = client.open(f"/api/v1/activities/{activity.id}{path}", method=method, json=body,
                               headers=bearer(with_family))
        assert (response.status_code, response.json["error"]["code"]) == (404, "not_enrolled"), path
    no_cover = client.get(f"/api/v1/activities/{activity.id}/cover")
    assert (no_cover.status_code, no_cover.json["error"]["code"]) == (404, "no_cover")


ENGLISH = re.compile(r"[A-Za-z]{2,}[ ,]+[a-z]{2,}")  # "Input should", "Field required", "Value error"


@pytest.mark.parametrize("kind", typing.get_args(ErrorType))
def test_every_kind_of_field_error_reads_in_chinese(kind):
    text = field_text({"type": kind, "msg": "Input should be a valid thing", "loc": ("x",),
                       "ctx": {"expected": "'a' or 'b'", "max_length": 3, "min_length": 1, "gt": 0, "lt": 9,
                               "ge": 0, "le": 9, "error": "Value error, bad"}})
    assert CHINESE.search(text) and not ENGLISH.search(text), text


def test_an_enum_field_lists_its_choices_in_chinese(mini_program):
    token = mini_program.login("enum")
    response = mini_program.call("POST", "/me/notices", token, json={"kind": "sms"})
    assert response.status_code == 400
    assert response.json["error"]["fields"] == {"kind": "只能是以下之一：template、subscribe"}
    purpose = mini_program.call("POST", "/me/consents", token, json={"purpose": "ads"})
    assert purpose.json["error"]["fields"] == {"purpose": "只能是以下之一：area、volunteer"}


def wrong_requests(document: dict):
    """Every documented operation with each query parameter and body field of the wrong type."""
    for path, operations in document["paths"].items():
        url = re.sub(r"\{[^}]+\}", "1", path)
        for method, operation in operations.items():
            query = {p["name"]: "abc" for p in operation.get("parameters", []) if p["in"] == "query"}
            schema = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            if schema is not None:
                properties = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]].get(
                    "properties", {})
                yield method, url, query, {name: {"wrong": [1]} for name in properties}
                yield method, url, query, {}
            elif query:
                yield method, url, query, None


def test_no_field_error_of_any_endpoint_shows_pydantic_english(client, app, mini_program):
    school = add_school()
    staff = client.post("/api/v1/staff/login", json={"username": add_school_admin(school).username,
                                                     "password": PASSWORD}).json["token"]
    resident = mini_program.login("sweep")
    seen = 0
    for method, url, query, body in wrong_requests(client.get("/api/v1/docs/openapi.json").json):
        token = staff if "/school/" in url else resident
        response = client.open(url, method=method.upper(), query_string=query, json=body, headers=bearer(token))
        assert response.status_code < 500, (method, url, response.json)
        assert not CHAT_COMMAND.search(response.get_data(as_text=True)), (method, url, response.json)
        fields = (response.json or {}).get("error", {}).get("fields") or {}
        for field, text in fields.items():
            seen += 1
            assert re.fullmatch(r"[a-z_]+", field), (url, field)  # the request's own field, as sent
            assert isinstance(text, list) or (CHINESE.search(text) and not ENGLISH.search(text)), (url, field, text)
    assert seen > 50


PHONE_TEXT = "请填写11位手机号，例如 13812345678"


def test_every_phone_the_api_takes_is_checked_once_with_one_message(mini_program, app):
    add_school()  # the region nodes the bodies name
    token = mini_program.login("phones")
    bodies = {
        "/volunteers": ("POST", "phone", {"name": "刘一", "region_code": STREET_A, "skills": ["publicity"],
                                         "availability": ["weekend"], "consent": True}),
        "/family": ("PUT", "phone", {"guardian_name": "刘一", "consent": True}),
        "/cells": ("POST", "contact_phone", {"unit_name": "南岭小学", "type": "school", "region_code": STREET_A,
                                            "contact_name": "王老师", "commitment": True}),
    }
    for path, (method, field, body) in bodies.items():
        for wrong in ("1381234", "0431-88888888", "23812345678"):
            response = mini_program.call(method, path, token, json={**body, field: wrong})
            assert response.status_code == 400, (path, response.json)
            assert response.json["error"]["code"] == "invalid_fields"
            assert response.json["error"]["fields"][field] == PHONE_TEXT
    family = mini_program.call("PUT", "/family", token, json={**bodies["/family"][2], "phone": "+86 138-1234-5678"})
    assert family.status_code == 200 and family.json["phone"] == "13812345678"


def test_every_deletion_answers_what_went_as_codes(mini_program, app):
    school = add_school()
    token = mini_program.login("deleter")
    guardian = {"guardian_name": "刘一", "phone": "13812345678", "consent": True}
    child = {"name": "小明", "school_id": school.id, "grade": 3, "class_name": "2班"}
    mini_program.call("PUT", "/family", token, json=guardian)
    child_id = mini_program.call("POST", "/family/children", token, json=child).json["id"]
    assert mini_program.call("DELETE", f"/family/children/{child_id}", token).json == {"deleted": ["child"]}
    assert mini_program.call("DELETE", "/family", token).json == {"deleted": ["family"]}
    mini_program.call("POST", "/me/notices", token, json={"kind": "template"})
    assert mini_program.call("DELETE", "/me/notices", token).json == {"deleted": ["template_notices"]}
    assert mini_program.call("DELETE", "/me/notices", token).json == {"deleted": []}
    mini_program.call("PUT", "/family", token, json=guardian)
    mini_program.call("PUT", "/me/area", token, json={"region_code": STREET_A, "consent": True})
    everything = mini_program.call("DELETE", "/me", token).json
    assert set(everything) == {"deleted"}
    assert {"family", "area", "consents", "resident"} <= set(everything["deleted"])
    assert len(everything["deleted"]) == len(set(everything["deleted"]))


def test_the_document_gives_every_deletion_one_answer(client, app):
    document = client.get("/api/v1/docs/openapi.json").json
    for path, operations in document["paths"].items():
        if "delete" not in operations or path.endswith("/enrolment"):  # cancelling keeps the enrolment
            continue
        schema = operations["delete"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        model = document["components"]["schemas"][schema.rsplit("/", 1)[1]]
        assert "deleted" in model["properties"], path
        assert "family" in model["properties"]["deleted"]["description"]


CHAT_COMMAND = re.compile(r"(回复|发送|发)“")  # a chat instruction: the mini-program has nothing to reply to


def test_consent_and_volunteer_texts_of_the_api_speak_of_the_screen_not_the_chat(mini_program, app):
    add_school()
    token = mini_program.login("screen")
    texts = [mini_program.call("GET", "/volunteers/options").json["consent"]]
    area = mini_program.call("PUT", "/me/area", token, json={"region_code": STREET_A})
    assert (area.status_code, area.json["error"]["code"]) == (403, "consent_required")
    application = {"name": "刘一", "phone": "13812345678", "region_code": STREET_A, "skills": ["publicity"],
                   "availability": ["weekend"], "consent": False}
    refused = mini_program.call("POST", "/volunteers", token, json=application)
    assert (refused.status_code, refused.json["error"]["code"]) == (403, "consent_required")
    none = mini_program.call("GET", "/volunteers/me", token)
    assert none.json["error"]["code"] == "not_a_volunteer"
    mini_program.call("POST", "/volunteers", token, json={**application, "consent": True})
    again = mini_program.call("POST", "/volunteers", token, json={**application, "consent": True})
    assert again.json["error"]["code"] == "already_registered"
    texts += [r.json["error"]["message"] for r in (area, refused, none, again)]
    for text in texts:
        assert not CHAT_COMMAND.search(text), text
    assert "点“同意”" in area.json["error"]["message"] and "点“同意”" in texts[0]
    assert "删除我的信息" not in "".join(texts)


def test_the_document_states_the_error_rules(client, app):
    detail = client.get("/api/v1/docs/openapi.json").json["components"]["schemas"]["ErrorDetail"]["properties"]
    rules = detail["code"]["description"]
    for code in ("invalid_fields", "unknown_region", "activity_not_found", "no_family", "not_enrolled",
                 "consent_required"):
        assert code in rules
    assert "点“同意”" in rules and "fields" in detail
