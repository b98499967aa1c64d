"""Enrolment: places, the waiting list in order, promotion with a notice, deadline, no family twice."""
from datetime import timedelta

from tests.activity_support import (
    DISTRICT_B,
    STREET_B,
    accepts_notice,
    add_activity,
    add_family,
    add_school,
    bearer,
    child_ids,
    mini_openid,
)


def enrol(client, activity, family, token, **extra):
    return client.post(f"/api/v1/activities/{activity.id}/enrolment", headers=bearer(token),
                       json={"child_ids": child_ids(family), "adults": 1, **extra})


def test_places_then_waiting_list_then_no_family_twice(client, app):
    school = add_school()
    activity = add_activity(school, families=2)
    families = [add_family(school) for _ in range(4)]
    statuses = [enrol(client, activity, f, t).json for f, t in families]
    assert [s["status"] for s in statuses] == ["enrolled", "enrolled", "waitlisted", "waitlisted"]
    assert [s["position"] for s in statuses] == [None, None, 1, 2]
    again = enrol(client, activity, *families[0])
    assert again.status_code == 409 and again.json["error"]["code"] == "already_enrolled"


def test_people_capacity_counts_children_and_adults(client, app):
    school = add_school()
    activity = add_activity(school, families=10, people=5)
    big, big_token = add_family(school, children=2)
    assert enrol(client, activity, big, big_token, adults=2).json["status"] == "enrolled"  # 4 people
    small, small_token = add_family(school)
    assert enrol(client, activity, small, small_token).json["status"] == "waitlisted"  # 4 + 2 > 5
    huge, huge_token = add_family(school, children=3)
    too_many = enrol(client, activity, huge, huge_token, adults=3)
    assert too_many.status_code == 400 and too_many.json["error"]["code"] == "too_many_people"


def test_cancellation_promotes_the_first_waiting_family_and_notifies_it(client, app, fake_wechat):
    school = add_school()
    activity = add_activity(school, families=1)
    first, first_token = add_family(school)
    second, second_token = add_family(school, user="second")
    third, third_token = add_family(school, user="third")
    enrol(client, activity, first, first_token)
    for user in ("second", "third"):
        accepts_notice(app, fake_wechat, user, "promotion")
    enrol(client, activity, second, second_token, wants_promotion_notice=True)
    enrol(client, activity, third, third_token, wants_promotion_notice=True)

    cancelled = client.delete(f"/api/v1/activities/{activity.id}/enrolment", headers=bearer(first_token))
    assert cancelled.status_code == 200 and cancelled.json["status"] == "cancelled"
    mine = client.get(f"/api/v1/activities/{activity.id}/enrolment", headers=bearer(second_token)).json
    assert mine["status"] == "enrolled"
    assert client.get(f"/api/v1/activities/{activity.id}/enrolment",
                      headers=bearer(third_token)).json["position"] == 1
    if not app.config["REDIS_URL"]:  # inline jobs; with Redis the worker test below delivers them
        assert fake_wechat.deliveries("subscribe", mini_openid("second"))["total"] == 1
        assert fake_wechat.deliveries("subscribe", mini_openid("third"))["total"] == 0


def test_enrolling_again_after_cancelling_goes_to_the_back(client, app):
    school = add_school()
    activity = add_activity(school, families=1)
    a, a_token = add_family(school)
    b, b_token = add_family(school)
    enrol(client, activity, a, a_token)
    enrol(client, activity, b, b_token)
    client.delete(f"/api/v1/activities/{activity.id}/enrolment", headers=bearer(a_token))
    back = enrol(client, activity, a, a_token)
    assert back.status_code == 201 and back.json["status"] == "waitlisted" and back.json["position"] == 1


def test_deadline_is_enforced(client, app):
    school = add_school()
    closed = add_activity(school, starts_in=timedelta(hours=5), deadline_before=timedelta(hours=6))
    family, token = add_family(school)
    response = enrol(client, closed, family, token)
    assert response.status_code == 409 and response.json["error"]["code"] == "deadline_passed"


def test_families_see_own_school_and_open_area_activities_only(client, app):
    school = add_school()
    other = add_school("新发小学", STREET_B)
    own = add_activity(school, title="本校活动")
    add_activity(other, title="别校本校活动")
    open_other_district = add_activity(other, title="宽城区公开活动", audience="area")
    family, token = add_family(school)
    titles = {a["title"] for a in client.get("/api/v1/activities", headers=bearer(token)).json["activities"]}
    assert titles == {"本校活动"}
    hidden = client.get(f"/api/v1/activities/{open_other_district.id}", headers=bearer(token))
    assert hidden.status_code == 404
    neighbour, neighbour_token = add_family(school, region_code=DISTRICT_B)
    titles = {a["title"] for a in client.get("/api/v1/activities", headers=bearer(neighbour_token)).json["activities"]}
    assert titles == {"本校活动", "宽城区公开活动"}
    assert client.get(f"/api/v1/activities/{own.id}", headers=bearer(token)).json["enrolment"] is None


def test_enrolment_rejects_bad_input_and_other_families_children(client, app):
    school = add_school()
    activity = add_activity(school)
    family, token = add_family(school)
    other, _ = add_family(school)
    bad = client.post(f"/api/v1/activities/{activity.id}/enrolment", headers=bearer(token),
                      json={"child_ids": [], "adults": 0})
    assert bad.status_code == 400 and {"child_ids", "adults"} <= set(bad.json["error"]["fields"])
    foreign = client.post(f"/api/v1/activities/{activity.id}/enrolment", headers=bearer(token),
                          json={"child_ids": child_ids(other)})
    assert foreign.status_code == 400 and "child_ids" in foreign.json["error"]["fields"]
    not_json = client.post(f"/api/v1/activities/{activity.id}/enrolment", headers=bearer(token),
                           data="child_ids=1")
    assert not_json.status_code == 400 and not_json.json["error"]["code"] == "invalid_fields"
