"""Factories for the push tests: staff on the tree, residents in areas, content to send."""
from datetime import timedelta

from handlers.campaigns import authoring as campaigns
from handlers.campaigns.push import channels, deliver
from handlers.campaigns.push.targeting import check
from models import Resident, db
from models.timeutil import utcnow
from tests.admin_support import (  # noqa: F401
    CITY,
    DISTRICT_A,
    DISTRICT_B,
    STREET_A,
    STREET_A2,
    STREET_B,
    add_staff,
    seed_regions,
)


def add_residents(region_code: str, n: int, prefix: str | None = None, active: bool = False,
                  subscribed: bool = True) -> list[Resident]:
    seed_regions()
    prefix = prefix or f"o-{region_code}-"
    last = utcnow() - timedelta(hours=1) if active else utcnow() - timedelta(days=10)
    people = [Resident(openid=f"{prefix}{i}", region_code=region_code, subscribed=subscribed,
                       last_message_at=last, window_kind="message", window_opened_at=last)
              for i in range(n)]
    db.session.add_all(people)
    db.session.commit()
    return people


def follow(fake_wechat, residents, **flags) -> None:
    """Make the fake know them as followers (WeChat knows every follower; the fake learns them)."""
    fake_wechat.set_user(*[r.openid for r in residents], **({"active": False} | flags))


def campaign_with_item(staff, kind: str = "news", title: str = "无废城市宣传月"):
    campaign = campaigns.create(staff, title, "全市垃圾分类宣传")
    item = campaigns.add_item(staff, campaign, kind, "垃圾分类，从我做起", body="一起做好垃圾分类",
                              url="https://example.org/article/1")
    db.session.commit()
    return campaign, item


def push(staff, codes, campaign=None, item=None, group=None, run: bool = True):
    """Create a push from the staff member to `codes` and start it (inline without Redis)."""
    if campaign is None:
        campaign, item = campaign_with_item(staff)
    target = check(staff, codes, group)
    sent = deliver.create(staff, campaign, item, target)
    db.session.commit()
    if run:
        deliver.start(sent)
        run_jobs()
    return sent


def run_jobs() -> None:
    """With Redis, run the queued jobs in this process as a worker would (burst); inline: done."""
    from flask import current_app

    from infra import jobs

    queue = jobs.queue("push")
    if queue.is_async:
        worker = jobs.AppWorker([queue, jobs.queue("default")], connection=queue.connection)
        worker.app = current_app._get_current_object()
        worker.work(burst=True, logging_level="WARNING")
    db.session.expire_all()


def opt_in(residents, kind: str, grants: int = 1) -> None:
    for r in residents:
        channels.opt_in(r.id, kind, grants)
    db.session.commit()


def statuses(push_id: int) -> dict:
    db.session.expire_all()  # what other processes wrote, not what this session remembers
    return deliver.progress(push_id)["counts"]


def accept_in_wechat(app, fake_wechat, openid: str, *templates: str, miniapp: bool = True,
                     status: str = "accept") -> None:
    """The user answers an app's subscribe pop-up in WeChat (the fake): WeChat keeps one grant
    per accepted template and posts the signed subscribe_msg_popup_event to that app's own URL
    (the mini-program's message push, or the Official Account's webhook), here this app."""
    config, client = app.config, app.test_client()
    fake_wechat.configure(webhook_token=config["WECHAT_TOKEN"],
                          miniapp_webhook_token=config["WECHAT_MINIAPP_TOKEN"])
    path = "/wechat/miniapp" if miniapp else "/wechat"
    answers = fake_wechat.user_subscribes(
        config["WECHAT_MINIAPP_ID" if miniapp else "WECHAT_APP_ID"], openid, *templates, status=status,
        post=lambda query, body: client.post(f"{path}?{query}", data=body, content_type="application/xml"))
    assert [a.status_code for a in answers] == [200]
