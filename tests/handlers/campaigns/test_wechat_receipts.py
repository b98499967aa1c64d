"""Reach is what WeChat confirmed: template receipts per recipient, mass-send receipts per batch
(matched on msg_id, even when the receipt comes first), subscribe-message events. The strict fake
posts the receipts back to the webhook, signed, as WeChat does after a send."""
import io

from openpyxl import load_workbook

from bot.webhook import simulate
from handlers.campaigns.push import report
from models import Delivery, MessageOptIn, PushBatch, WeChatReceipt, db
from tests.push_support import (
    STREET_A,
    accept_in_wechat,
    add_residents,
    add_staff,
    follow,
    opt_in,
    push,
    statuses,
)


def post_receipts(app, client, fake_wechat) -> None:
    """WeChat posts its receipts to our webhook (plain mode, signed with the token)."""
    fake_wechat.configure(webhook_token=app.config["WECHAT_TOKEN"])
    answers = fake_wechat.flush_receipts(lambda query, body: client.post(
        f"/wechat?{query}", data=body, content_type="application/xml"))
    assert answers and all(a.status_code == 200 and a.data == b"success" for a in answers)
    db.session.expire_all()


def street_node(staff, push_id):
    return report.for_pushes(staff, [push_id]).nodes[STREET_A]


def test_template_reach_equals_the_receipts_when_some_are_blocked_or_fail(app, client, fake_wechat):
    street = add_staff("nanling", "street_admin", STREET_A)
    ok, blocker, failing = add_residents(STREET_A, 3, prefix="o-tpl-")
    opt_in([ok, blocker, failing], "template")
    follow(fake_wechat, [ok, failing])
    follow(fake_wechat, [blocker], blocks=True)
    fake_wechat.set_user(failing.openid, system_fails=True)
    sent = push(street, [STREET_A])
    before = street_node(street, sent.id)
    assert (before.sent, before.confirmed, before.accepted) == (3, 0, 3)  # accepted, not confirmed

    post_receipts(app, client, fake_wechat)
    after = street_node(street, sent.id)
    assert (after.targeted, after.sent, after.confirmed, after.accepted) == (3, 1, 1, 0)
    assert dict(after.failed) == {"user_block": 1, "system_failed": 1}
    assert after.confirmed == fake_wechat.deliveries("template")["total"]
    assert "用户拒收（微信回执）" in report.reasons(after.failed)
    # The Excel export staff download says the same.
    sheet = load_workbook(io.BytesIO(report.workbook(report.for_pushes(street, [sent.id]), "t"))).active
    headers = [c.value for c in sheet[1]]
    row = {r[1]: r for r in sheet.iter_rows(min_row=2, values_only=True)}[STREET_A]
    assert (row[headers.index("已发送")], row[headers.index("其中微信已确认")],
            row[headers.index("已受理待确认")], row[headers.index("失败")]) == (1, 1, 0, 2)


def test_a_template_receipt_is_idempotent_and_never_revives_a_failure(app, client, fake_wechat):
    street = add_staff("nanling", "street_admin", STREET_A)
    [blocker] = add_residents(STREET_A, 1, prefix="o-tpl-")
    opt_in([blocker], "template")
    follow(fake_wechat, [blocker], blocks=True)
    sent = push(street, [STREET_A])
    receipt = fake_wechat.pending_receipts()[0]
    post_receipts(app, client, fake_wechat)
    fake_wechat.state.receipts.append(receipt)  # WeChat retries the push
    post_receipts(app, client, fake_wechat)
    assert statuses(sent.id) == {"failed": 1}


def test_mass_reach_equals_the_batch_receipt(app, client, fake_wechat):
    street = add_staff("nanling", "street_admin", STREET_A)
    people = add_residents(STREET_A, 4, prefix="o-mass-")
    follow(fake_wechat, people[:3])
    follow(fake_wechat, people[3:], blocks=True)
    sent = push(street, [STREET_A])
    assert street_node(street, sent.id).accepted == 4
    post_receipts(app, client, fake_wechat)
    [batch] = db.session.execute(db.select(PushBatch).filter_by(push_id=sent.id)).scalars()
    [job] = fake_wechat.mass_jobs()
    assert (batch.msg_id, batch.sent_count, batch.error_count) == (str(job["msg_id"]), 3, 1)
    node = street_node(street, sent.id)
    assert (node.sent, node.confirmed, node.accepted) == (3, 3, 0)
    assert dict(node.failed) == {"mass_error": 1}
    assert node.confirmed == job["SentCount"] == fake_wechat.deliveries("mass")["total"]


def test_a_mass_send_refused_at_review_counts_nobody(app, client, fake_wechat):
    street = add_staff("nanling", "street_admin", STREET_A)
    people = add_residents(STREET_A, 3, prefix="o-mass-")
    follow(fake_wechat, people)
    fake_wechat.configure(mass_review="err(30003)")
    sent = push(street, [STREET_A])
    [job] = fake_wechat.mass_jobs()
    from infra.wechat.client import client as wechat_client

    assert wechat_client().message.get_mass(job["msg_id"])["msg_status"] == "SEND_FAIL"  # mass/get agrees
    post_receipts(app, client, fake_wechat)
    node = street_node(street, sent.id)
    assert (node.sent, node.confirmed) == (0, 0)
    assert dict(node.failed) == {"err(30003)": 3}
    # Nobody used one of their 4 mass messages this month.
    assert statuses(push(street, [STREET_A]).id) == {"sent": 3}


def test_a_receipt_that_comes_before_its_batch_is_saved_is_not_lost(app, client, fake_wechat, wechat):
    street = add_staff("nanling", "street_admin", STREET_A)
    people = add_residents(STREET_A, 3, prefix="o-mass-")
    follow(fake_wechat, people)
    msg_id = fake_wechat.next_msg_id()  # the id WeChat will give the coming send
    early = simulate.message_xml("mphelper", "event", {
        "Event": "MASSSENDJOBFINISH", "MsgID": msg_id, "Status": "send success", "TotalCount": 3,
        "FilterCount": 3, "SentCount": 2, "ErrorCount": 1})
    assert wechat.reply(early) is None
    waiting = db.session.execute(db.select(WeChatReceipt).filter_by(kind="mass")).scalar_one()
    assert not waiting.matched
    sent = push(street, [STREET_A])
    node = street_node(street, sent.id)
    assert (node.confirmed, dict(node.failed)) == (2, {"mass_error": 1})
    db.session.refresh(waiting)
    assert waiting.matched


def test_subscribe_events_change_the_opt_in_and_confirm_the_send(app, client, fake_wechat, wechat):
    street = add_staff("nanling", "street_admin", STREET_A)
    [fan] = add_residents(STREET_A, 1, prefix="o-sub-")
    follow(fake_wechat, [fan])
    template = app.config["PUSH_SUBSCRIBE_TEMPLATE_ID"]
    accept_in_wechat(app, fake_wechat, fan.openid, template, miniapp=False)  # the pop-up, to the webhook
    assert db.session.get(MessageOptIn, (fan.id, "subscribe")).remaining == 1
    sent = push(street, [STREET_A])
    [delivery] = db.session.execute(db.select(Delivery).filter_by(push_id=sent.id)).scalars()
    assert delivery.channel == "subscribe"
    post_receipts(app, client, fake_wechat)  # subscribe_msg_sent_event, ErrorCode 0
    node = street_node(street, sent.id)
    assert (node.sent, node.confirmed) == (1, 1)
    change = simulate.message_xml(fan.openid, "event", {"Event": "subscribe_msg_change_event"})
    change = change.replace("</xml>", f"<SubscribeMsgChangeEvent><List><TemplateId>{template}</TemplateId>"
                            "<SubscribeStatusString>reject</SubscribeStatusString></List>"
                            "</SubscribeMsgChangeEvent></xml>")
    opt_in([fan], "subscribe")
    wechat.post(change)
    db.session.expire_all()
    assert db.session.get(MessageOptIn, (fan.id, "subscribe")).remaining == 0
