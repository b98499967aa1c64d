"""The plan staff see before sending names, per recipient, the channel the worker then uses."""
from collections import Counter

from handlers.campaigns.push import deliver
from models import Delivery, db
from tests.push_support import (
    CITY,
    DISTRICT_A,
    STREET_A,
    STREET_A2,
    add_residents,
    add_staff,
    follow,
    opt_in,
    push,
    run_jobs,
)


def sent_channels(push_id: int) -> dict:
    db.session.expire_all()
    return dict(Counter(channel for channel, in db.session.execute(
        db.select(Delivery.channel).where(Delivery.push_id == push_id, Delivery.channel != "none"))))


def planned_then_sent(staff, codes) -> tuple[dict, dict]:
    draft = push(staff, codes, run=False)
    shown = deliver.plan(draft).summary()["channels"]
    deliver.start(draft)
    run_jobs()
    return shown, sent_channels(draft.id)


def test_a_city_push_to_a_district_is_planned_as_the_tag_mass_send_it_becomes(app, fake_wechat):
    city = add_staff("city", "city_admin", CITY)
    talkers = add_residents(STREET_A, 3, active=True)  # their customer-service windows are open
    follow(fake_wechat, talkers, active=True)
    shown, sent = planned_then_sent(city, [DISTRICT_A])
    assert shown == sent == {"mass_tag": 3}


def test_a_street_push_never_goes_by_its_districts_tag(app, fake_wechat):
    city = add_staff("city", "city_admin", CITY)
    people = add_residents(STREET_A, 2) + add_residents(STREET_A2, 2)
    follow(fake_wechat, people)
    planned_then_sent(city, [DISTRICT_A])  # the district's tag exists and its residents carry it
    shown, sent = planned_then_sent(city, [STREET_A])
    assert shown == sent == {"mass_list": 2}


def test_plan_and_send_agree_across_channels(app, fake_wechat):
    district = add_staff("nanguan", "district_admin", DISTRICT_A)
    talkers = add_residents(STREET_A, 2, prefix="o-talk-", active=True)
    quiet = add_residents(STREET_A2, 3, prefix="o-quiet-")
    opted = add_residents(STREET_A2, 1, prefix="o-opted-")
    opt_in(opted, "template")
    follow(fake_wechat, quiet + opted)
    follow(fake_wechat, talkers, active=True)
    shown, sent = planned_then_sent(district, [STREET_A, STREET_A2])
    assert shown == sent == {"custom": 2, "template": 1, "mass_list": 3}


def test_the_console_shows_the_plan_the_worker_sends_by(app, client, fake_wechat):
    from tests.admin_support import Console

    city = add_staff("city", "city_admin", CITY)
    follow(fake_wechat, add_residents(STREET_A, 3, active=True), active=True)
    draft = push(city, [DISTRICT_A], run=False)
    plan = Console(client, "city").get(f"/admin/pushes/{draft.id}").text.split('<table id="plan">')[1]
    assert "<td>按区县标签群发</td><td class=\"num\">3</td>" in plan and "客服消息" not in plan.split("</table>")[0]


def test_after_wechat_refuses_a_tag_the_plan_names_the_fallback(app, fake_wechat):
    from fake_wechat.state import FIRST_TAG_ID

    fake_wechat.state.tags.update({FIRST_TAG_ID + n: f"其他标签{n}" for n in range(100)})  # the account's 100 used
    city = add_staff("city", "city_admin", CITY)
    follow(fake_wechat, add_residents(STREET_A, 3))
    planned_then_sent(city, [DISTRICT_A])  # WeChat refuses the district a tag: the worker falls back
    shown, sent = planned_then_sent(city, [DISTRICT_A])
    assert shown == sent == {"mass_list": 3}
