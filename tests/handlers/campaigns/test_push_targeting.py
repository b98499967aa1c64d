"""Targeting stays in the sender's subtree; the city reaches every district; the plan before sending."""
import pytest

from handlers.campaigns.push import PushError, deliver
from handlers.campaigns.push.targeting import check
from models import Delivery, DistrictTag, ResidentTag, db
from tests.conftest import MINI_APP_ID
from tests.push_support import (
    CITY,
    DISTRICT_A,
    DISTRICT_B,
    STREET_A,
    STREET_A2,
    STREET_B,
    add_residents,
    add_staff,
    follow,
    opt_in,
    push,
    run_jobs,
    statuses,
)


def test_a_street_admin_cannot_target_outside_their_street(app, fake_wechat):
    street = add_staff("nanling", "street_admin", STREET_A)
    inside = add_residents(STREET_A, 3)
    outside = add_residents(STREET_A2, 2) + add_residents(STREET_B, 2)
    follow(fake_wechat, inside + outside)
    for codes in ([STREET_A2], [DISTRICT_A], [CITY], [STREET_A, STREET_B], ["22010200"], ["2201%"]):
        with pytest.raises(PushError):
            check(street, codes)
    sent = push(street, [STREET_A])
    db.session.expire_all()
    reached = {d.resident_id for d in db.session.execute(db.select(Delivery).filter_by(push_id=sent.id)).scalars()}
    assert reached == {r.id for r in inside}
    assert {d["openid"] for d in fake_wechat.deliveries()["deliveries"]} == {r.openid for r in inside}


def test_a_city_push_reaches_every_district(app, fake_wechat):
    city = add_staff("city", "city_admin", CITY)
    people = add_residents(STREET_A, 4) + add_residents(STREET_A2, 3) + add_residents(STREET_B, 5)
    follow(fake_wechat, people)
    sent = push(city, [CITY])
    assert statuses(sent.id) == {"sent": 12}
    delivered = fake_wechat.deliveries()
    assert delivered["duplicates"] == 0
    assert {d["openid"] for d in delivered["deliveries"]} == {r.openid for r in people}
    [call] = fake_wechat.calls("/cgi-bin/message/mass/sendall")  # one call: to all followers
    assert call["json"]["filter"]["is_to_all"] is True
    from handlers.campaigns.push import report
    reach = report.for_pushes(city, [sent.id])
    assert (reach.nodes[DISTRICT_A].sent, reach.nodes[DISTRICT_B].sent, reach.nodes[CITY].sent) == (7, 5, 12)


def test_a_whole_district_goes_by_its_tag_kept_in_step_with_areas(app, fake_wechat):
    district = add_staff("nanguan", "district_admin", DISTRICT_A)
    people = add_residents(STREET_A, 60) + add_residents(STREET_A2, 5)
    follow(fake_wechat, people)
    sent = push(district, [DISTRICT_A])
    [tag] = db.session.execute(db.select(DistrictTag)).scalars()
    assert tag.district_code == DISTRICT_A
    assert len(fake_wechat.calls("/cgi-bin/tags/members/batchtagging")) == 2  # 50 openids a call
    [mass] = fake_wechat.calls("/cgi-bin/message/mass/sendall")
    assert mass["json"]["filter"]["tag_id"] == tag.tag_id
    assert statuses(sent.id) == {"sent": 65}
    # One resident moves to another district: the next sync takes the tag off them.
    mover = people[0]
    mover.region_code = STREET_B
    db.session.commit()
    again = push(district, [DISTRICT_A])
    assert len(fake_wechat.calls("/cgi-bin/tags/members/batchuntagging")) == 1
    assert db.session.get(ResidentTag, mover.id) is None
    assert statuses(again.id) == {"sent": 64}
    assert fake_wechat.deliveries(openid=mover.openid)["total"] == 1


def test_the_plan_says_how_many_each_channel_reaches_and_who_is_out_of_reach(app, fake_wechat):
    district = add_staff("nanguan", "district_admin", DISTRICT_A)
    quiet = add_residents(STREET_A, 5)
    active = add_residents(STREET_A, 2, prefix="o-active-", active=True)
    opted = add_residents(STREET_A2, 3, prefix="o-template-")
    gone = add_residents(STREET_A2, 1, prefix="o-gone-", subscribed=False)
    opt_in(opted, "template")
    follow(fake_wechat, quiet + opted)
    follow(fake_wechat, active, active=True)
    draft = push(district, [STREET_A, STREET_A2], run=False)
    summary = deliver.plan(draft).summary()
    assert summary == {"total": 11, "channels": {"mass_list": 5, "custom": 2, "template": 3},
                       "unreachable": {"unsubscribed": 1}}
    deliver.start(draft)
    run_jobs()
    assert statuses(draft.id) == {"sent": 10, "unreachable": 1}
    assert fake_wechat.deliveries()["duplicates"] == 0
    assert {d["openid"] for d in fake_wechat.deliveries("custom")["deliveries"]} == {r.openid for r in active}
    assert gone[0].openid not in {d["openid"] for d in fake_wechat.deliveries()["deliveries"]}


def test_groups_narrow_the_target_to_volunteers_or_who_asked_about_sorting(app, fake_wechat, wechat):
    from models import InboundMessage
    from tests.admin_support import add_volunteer

    district = add_staff("nanguan", "district_admin", DISTRICT_A)
    approved = add_volunteer("张三", "13800000001", STREET_A, status="approved")
    add_volunteer("李四", "13800000002", STREET_A, status="pending")
    add_volunteer("王五", "13800000003", STREET_B, status="approved")  # outside the district
    others = add_residents(STREET_A, 3)
    target = check(district, [DISTRICT_A], "volunteers")
    assert target.whole_nodes() == []  # a group never goes by the district's tag
    plan = deliver.plan(deliver.create(district, *_content(district), target))
    assert [r.resident_id for r in plan.recipients] == [approved.resident_id]
    db.session.rollback()
    # Residents who asked a sorting question this month (the webhook logs them).
    wechat.ask(others[0].openid, "旧报纸")
    assert db.session.execute(db.select(InboundMessage.answered_by)).scalar() == "answer_question"
    asked = deliver.plan(deliver.create(district, *_content(district), check(district, [STREET_A], "asked_sorting")))
    assert [r.openid for r in asked.recipients] == [others[0].openid]


def _content(staff):
    from tests.push_support import campaign_with_item

    return campaign_with_item(staff)


def test_a_push_at_a_later_time_waits_for_it(app, fake_wechat):
    from datetime import timedelta

    from models.timeutil import utcnow

    street = add_staff("nanling", "street_admin", STREET_A)
    follow(fake_wechat, add_residents(STREET_A, 2))
    campaign, item = _content(street)
    later = deliver.create(street, campaign, item, check(street, [STREET_A]), send_at=utcnow() + timedelta(hours=2))
    db.session.commit()
    deliver.start(later)
    run_jobs()
    assert deliver.progress(later.id)["status"] == "scheduled" and fake_wechat.deliveries()["total"] == 0
    if deliver.jobs.queue("push").is_async:
        from rq.registry import ScheduledJobRegistry

        assert ScheduledJobRegistry(queue=deliver.jobs.queue("push")).get_job_ids() == [f"push-{later.id}-prepare"]
    later.send_at = utcnow() - timedelta(minutes=1)  # the time has come
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["push-due"])
    assert str(later.id) in result.output
    run_jobs()
    assert statuses(later.id) == {"sent": 2}


def test_a_resident_accepts_notices_in_the_mini_program_and_pushes_use_them(app, client, mini_program, fake_wechat):
    from models import Resident

    app.config["WECHAT_MINIAPP_PUSH"] = False  # no message push: the mini-program's call records the grants
    street = add_staff("nanling", "street_admin", STREET_A)
    token = mini_program.login("lily")
    template = app.config["PUSH_MINIAPP_SUBSCRIBE_TEMPLATE_ID"]
    fake_wechat.user_subscribes(MINI_APP_ID, mini_program.openid("lily"), template, template)  # WeChat's side
    assert mini_program.call("POST", "/me/notices", token, json={"kind": "subscribe", "grants": 2}).status_code == 201
    assert mini_program.call("POST", "/me/notices", token, json={"kind": "sms"}).status_code == 400
    assert mini_program.call("GET", "/me/notices", token).json == {"template": False, "subscribe": 2}
    lily = db.session.execute(db.select(Resident).filter_by(openid=mini_program.openid("lily"))).scalar_one()
    lily.region_code = STREET_A
    db.session.commit()
    sent = push(street, [STREET_A])
    assert statuses(sent.id) == {"sent": 1}
    assert fake_wechat.deliveries("subscribe", lily.openid)["total"] == 1
    assert mini_program.call("GET", "/me/notices", token).json["subscribe"] == 1  # one grant, one message
    assert mini_program.call("DELETE", "/me/notices", token).json == {"deleted": ["subscribe_notices"]}
    assert mini_program.call("GET", "/me/notices", token).json == {"template": False, "subscribe": 0}
