"""The mini-program API: login through code2session, tokens, and each user seeing only their own data."""
import time

from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from fake_wechat import unionid_for
from models import Resident, Volunteer, db

APPLICATION = {"name": "刘一", "phone": "13812345678", "region_code": "220102001",
               "skills": ["publicity"], "availability": ["weekend", "flexible"], "consent": True}


def test_login_creates_the_resident_and_gives_a_token(mini_program):
    token = mini_program.login("alice")
    resident = db.session.execute(db.select(Resident).filter_by(
        openid=mini_program.openid("alice"))).scalar_one()
    assert resident.unionid == unionid_for("alice")
    me = mini_program.call("GET", "/me", token)
    assert me.status_code == 200 and me.json == {"area": None, "consents": [], "volunteer_status": None}
    mini_program.login("alice")  # a second login is the same resident
    assert db.session.scalar(db.select(db.func.count()).select_from(Resident)) == 1


def test_bad_codes_are_refused(mini_program, client):
    for body, status, code in (({"code": "invalid-1"}, 401, "invalid_code"), ({}, 400, "code_required"),
                               ({"code": 42}, 400, "code_required")):
        response = client.post("/api/v1/login", json=body)
        assert (response.status_code, response.json["error"]["code"]) == (status, code)
    client.post("/api/v1/login", json={"code": "bob#once"})
    reused = client.post("/api/v1/login", json={"code": "bob#once"})  # wx.login() codes work once
    assert (reused.status_code, reused.json["error"]["code"]) == (401, "code_used")


def test_personal_endpoints_refuse_missing_forged_and_expired_tokens(mini_program, app):
    token = mini_program.login("carol")
    forged = URLSafeTimedSerializer("not-our-secret", salt="api-session").dumps({"rid": 1, "oid": "x"})

    class Old(TimestampSigner):
        def get_timestamp(self):
            return int(time.time()) - 3 * 3600

    stale = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="api-session", signer=Old).dumps(
        URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="api-session").loads(token))
    for path, method in (("/me", "GET"), ("/me/area", "PUT"), ("/volunteers", "POST"),
                         ("/volunteers/me", "GET"), ("/volunteers/me/service", "GET"), ("/me", "DELETE")):
        for bad, code in ((None, "login_required"), (forged, "invalid_token"),
                          (token[:-2] + "xx", "invalid_token"), (stale, "token_expired")):
            response = mini_program.call(method, path, bad, json={})
            assert response.status_code == 401, (path, bad)
            assert response.json["error"]["code"] == code
    assert mini_program.call("GET", "/me", token).status_code == 200


def test_bad_json_gets_a_clear_error(mini_program, region_tree):
    token = mini_program.login("dave")
    headers = {"Authorization": f"Bearer {token}"}
    not_json = mini_program.client.post("/api/v1/volunteers", data="name=x", headers=headers,
                                        content_type="application/x-www-form-urlencoded")
    assert (not_json.status_code, not_json.json["error"]["code"]) == (415, "json_required")
    broken = mini_program.client.post("/api/v1/volunteers", data="{name:", headers=headers,
                                      content_type="application/json")
    assert (broken.status_code, broken.json["error"]["code"]) == (400, "bad_json")
    a_list = mini_program.call("POST", "/volunteers", token, json=[1, 2])
    assert a_list.json["error"]["code"] == "bad_json"


def test_volunteer_registration_validates_every_field(mini_program, region_tree):
    token = mini_program.login("erin")
    no_consent = mini_program.call("POST", "/volunteers", token, json={**APPLICATION, "consent": False})
    assert (no_consent.status_code, no_consent.json["error"]["code"]) == (403, "consent_required")
    bad = {"name": "1", "phone": "1381234", "region_code": "220102", "skills": ["flying"],
           "availability": "weekend", "consent": True}
    response = mini_program.call("POST", "/volunteers", token, json=bad)
    assert response.status_code == 400 and response.json["error"]["code"] == "invalid_fields"
    assert set(response.json["error"]["fields"]) == {"name", "phone", "region_code", "skills", "availability"}
    assert db.session.scalar(db.select(db.func.count()).select_from(Volunteer)) == 0


def test_volunteer_registration_once_and_only_own_data(mini_program, region_tree):
    frank, grace = mini_program.login("frank"), mini_program.login("grace")
    created = mini_program.call("POST", "/volunteers", frank, json=APPLICATION)
    assert created.status_code == 201 and created.json["status"] == "pending"
    assert created.json["region_name"] == "南关区南岭街道"
    again = mini_program.call("POST", "/volunteers", frank, json=APPLICATION)
    assert (again.status_code, again.json["error"]["code"]) == (409, "already_registered")
    assert mini_program.call("GET", "/volunteers/me", frank).json["name"] == "刘一"
    other = mini_program.call("GET", "/volunteers/me", grace)  # grace sees hers (none), never frank's
    assert (other.status_code, other.json["error"]["code"]) == (404, "not_a_volunteer")
    assert "刘一" not in other.get_data(as_text=True)
    assert mini_program.call("GET", "/me", grace).json["volunteer_status"] is None
    service = mini_program.call("GET", "/volunteers/me/service", frank).json
    assert service == {"total_hours": 0.0, "records": []}


def test_a_rejected_volunteer_sees_why_in_the_mini_program(mini_program, region_tree):
    from handlers.volunteers import records as volunteers

    token = mini_program.login("ivan")
    created = mini_program.call("POST", "/volunteers", token, json=APPLICATION)
    assert created.json["review_reason"] is None
    volunteers.review(created.json["id"], approve=False, by="street", reason="手机号无法接通，请核对后重新登记")
    db.session.commit()
    mine = mini_program.call("GET", "/volunteers/me", token).json
    assert (mine["status"], mine["review_reason"]) == ("rejected", "手机号无法接通，请核对后重新登记")
    volunteers.review(created.json["id"], approve=True, by="street")
    db.session.commit()
    assert mini_program.call("GET", "/volunteers/me", token).json["review_reason"] is None


def test_area_needs_consent_then_binds_and_the_chat_sees_it(mini_program, region_tree, wechat):
    token = mini_program.login("heidi")
    refused = mini_program.call("PUT", "/me/area", token, json={"region_code": "220102001"})
    assert (refused.status_code, refused.json["error"]["code"]) == (403, "consent_required")
    district = mini_program.call("PUT", "/me/area", token, json={"region_code": "220102", "consent": True})
    assert district.json["error"]["fields"]["region_code"]  # a district is too coarse
    bound = mini_program.call("PUT", "/me/area", token, json={"region_code": "220104004"})
    assert bound.status_code == 200 and bound.json["area"]["name"] == "朝阳区永昌街道"
    assert [c["purpose"] for c in bound.json["consents"]] == ["area"]
    # The same person in the Official Account (one app id in the demo): the chat shows the area.
    assert "朝阳区永昌街道" in wechat.ask(mini_program.openid("heidi"), "我的小区")


def test_region_picker_lists_children_and_finds_by_name(client, region_tree):
    top = client.get("/api/v1/regions").json
    assert top["parent"]["name"] == "长春市" and len(top["regions"]) == 15
    streets = client.get("/api/v1/regions?parent=220102").json["regions"]
    assert streets[0] == {"code": "220102001", "name": "南岭街道", "level": 3, "path": "南关区南岭街道"}
    found = client.get("/api/v1/regions?q=汽开区").json["regions"]
    assert [r["code"] for r in found] == ["220174"]
    assert client.get("/api/v1/regions?parent=9999").status_code == 404


def test_deleting_my_data_through_the_api_ends_the_token(mini_program, region_tree):
    token = mini_program.login("ivan")
    mini_program.call("POST", "/volunteers", token, json=APPLICATION)
    removed = mini_program.call("DELETE", "/me", token)
    assert removed.status_code == 200 and "volunteer" in removed.json["deleted"]
    after = mini_program.call("GET", "/me", token)
    assert (after.status_code, after.json["error"]["code"]) == (401, "invalid_token")
    assert db.session.scalar(db.select(db.func.count()).select_from(Volunteer)) == 0
