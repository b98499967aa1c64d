"""Families through the mini-program: consent first, children with four facts, own data only."""
from tests.activity_support import add_school


def test_family_needs_the_guardians_consent_then_keeps_children(mini_program, app):
    school = add_school()
    token = mini_program.login("mum")
    body = {"guardian_name": "王芳", "phone": "13912345678"}
    refused = mini_program.call("PUT", "/family", token, json=body)
    assert refused.status_code == 403 and refused.json["error"]["code"] == "consent_required"

    created = mini_program.call("PUT", "/family", token, json={**body, "consent": True})
    assert created.status_code == 200, created.json
    assert created.json["consent_version"] == "family-2026-1"

    child = mini_program.call("POST", "/family/children", token, json={
        "name": "王小明", "school_id": school.id, "grade": 3, "class_name": "2班"})
    assert child.status_code == 201, child.json
    family = mini_program.call("GET", "/family", token).json
    assert [c["name"] for c in family["children"]] == ["王小明"]
    assert set(family["children"][0]) == {"id", "name", "school_id", "school_name", "grade", "class_name"}


def test_bad_child_input_is_a_json_400_naming_each_field(mini_program, app):
    add_school()
    token = mini_program.login("dad")
    mini_program.call("PUT", "/family", token, json={"guardian_name": "李雷", "phone": "13912345679",
                                                       "consent": True})
    response = mini_program.call("POST", "/family/children", token, json={
        "name": "", "school_id": 999, "grade": 13, "class_name": "a\x00b"})
    assert response.status_code == 400
    error = response.json["error"]
    assert error["code"] == "invalid_fields"
    assert {"name", "grade", "class_name"} <= set(error["fields"])
    unknown = mini_program.call("POST", "/family/children", token, json={
        "name": "李小雷", "school_id": 999, "grade": 2, "class_name": "1班"})
    assert unknown.status_code == 400 and "school_id" in unknown.json["error"]["fields"]


def test_a_guardian_cannot_touch_another_familys_child(mini_program, app):
    school = add_school()
    tokens = []
    for user in ("one", "two"):
        token = mini_program.login(user)
        mini_program.call("PUT", "/family", token, json={"guardian_name": "家长", "phone": "13900000000",
                                                           "consent": True})
        tokens.append(token)
    child = mini_program.call("POST", "/family/children", tokens[0], json={
        "name": "甲", "school_id": school.id, "grade": 1, "class_name": "1班"}).json
    for method in ("PUT", "DELETE"):
        response = mini_program.call(method, f"/family/children/{child['id']}", tokens[1],
                                     json={"name": "乙", "school_id": school.id, "grade": 1, "class_name": "1班"})
        assert response.status_code == 404
    assert mini_program.call("GET", "/family", tokens[1]).json["children"] == []


def test_family_endpoints_need_a_login(client, app):
    assert client.get("/api/v1/family").status_code == 401
    assert client.get("/api/v1/activities").status_code == 401


def test_forgetting_the_guardian_deletes_the_family_and_frees_their_place(mini_program, app, fake_wechat):
    from models import Child, Enrolment, Family, db
    from tests.activity_support import add_activity, add_family, bearer, child_ids

    school = add_school()
    activity = add_activity(school, families=1)
    token = mini_program.login("forgetful")
    mini_program.call("PUT", "/family", token, json={"guardian_name": "赵", "phone": "13900000002",
                                                       "consent": True})
    mini_program.call("POST", "/family/children", token, json={
        "name": "赵小", "school_id": school.id, "grade": 4, "class_name": "1班"})
    children = mini_program.call("GET", "/family", token).json["children"]
    mini_program.call("POST", f"/activities/{activity.id}/enrolment", token,
                      json={"child_ids": [children[0]["id"]]})
    waiting, waiting_token = add_family(school)
    mini_program.client.post(f"/api/v1/activities/{activity.id}/enrolment", headers=bearer(waiting_token),
                             json={"child_ids": child_ids(waiting)})

    assert mini_program.call("DELETE", "/me", token).status_code == 200
    assert db.session.execute(db.select(db.func.count(Child.id))).scalar_one() == 1  # the other family's
    assert db.session.execute(db.select(db.func.count(Family.id))).scalar_one() == 1
    db.session.expire_all()
    statuses = {e.family_id: e.status for e in db.session.execute(db.select(Enrolment)).scalars()}
    assert statuses == {None: "cancelled", waiting.id: "enrolled"}
