"""A mass send whose MASSSENDJOBFINISH never arrives is settled by asking WeChat (mass/get):
confirmed when it says SEND_SUCCESS, failed when SEND_FAIL, left alone while SENDING; a late
receipt or a second run changes nothing."""
from datetime import timedelta

from bot.cli.push import settle_mass as settle_command
from handlers.campaigns.push import receipts, report
from infra import jobs
from models import PushBatch, db
from models.timeutil import utcnow
from tests.push_support import STREET_A, add_residents, add_staff, follow, push


def lost_receipts(fake_wechat) -> None:
    """WeChat never posts them."""
    with fake_wechat.state.lock:
        fake_wechat.state.receipts.clear()


def batch_of(push_id: int) -> PushBatch:
    db.session.expire_all()
    return db.session.execute(db.select(PushBatch).filter_by(push_id=push_id)).scalar_one()


def later() -> object:
    return utcnow() + receipts.SETTLE_AFTER + timedelta(minutes=1)


def test_a_lost_receipt_is_settled_by_mass_get(app, fake_wechat):
    street = add_staff("nanling", "street_admin", STREET_A)
    follow(fake_wechat, add_residents(STREET_A, 3, prefix="o-mass-"))
    sent = push(street, [STREET_A])
    lost_receipts(fake_wechat)
    batch = batch_of(sent.id)
    assert receipts.unsettled() == []  # too early: the receipt may still come
    assert receipts.unsettled(later()) == [batch.id]
    node = report.for_pushes(street, [sent.id]).nodes[STREET_A]
    assert (node.sent, node.confirmed, node.accepted) == (3, 0, 3)

    assert receipts.settle_mass(batch.id) == "send success"
    [call] = fake_wechat.calls("/cgi-bin/message/mass/get")
    assert call["json"] == {"msg_id": batch.msg_id} and call["errcode"] == 0
    node = report.for_pushes(street, [sent.id]).nodes[STREET_A]
    assert (node.sent, node.confirmed, node.accepted) == (3, 3, 0)
    assert receipts.settle_mass(batch.id) == "settled" and receipts.unsettled(later()) == []
    assert len(fake_wechat.calls("/cgi-bin/message/mass/get")) == 1


def test_a_send_wechat_failed_is_counted_as_failed(app, fake_wechat):
    street = add_staff("nanling", "street_admin", STREET_A)
    follow(fake_wechat, add_residents(STREET_A, 2, prefix="o-mass-"))
    fake_wechat.configure(mass_review="err(20001)")
    sent = push(street, [STREET_A])
    lost_receipts(fake_wechat)
    result = app.test_cli_runner().invoke(settle_command, catch_exceptions=False)
    assert result.output == ""  # nothing is old enough yet
    assert receipts.settle_mass(batch_of(sent.id).id) == "send fail"
    node = report.for_pushes(street, [sent.id]).nodes[STREET_A]
    assert (node.sent, node.confirmed, dict(node.failed)) == (0, 0, {"sendfail": 2})


def test_a_send_still_going_waits_and_an_unknown_msg_id_is_left_unsettled(app, fake_wechat):
    street = add_staff("nanling", "street_admin", STREET_A)
    follow(fake_wechat, add_residents(STREET_A, 2, prefix="o-mass-"))
    sent = push(street, [STREET_A])
    lost_receipts(fake_wechat)
    batch = batch_of(sent.id)
    with fake_wechat.state.lock:
        fake_wechat.state.mass_jobs[int(batch.msg_id)]["msg_status"] = "SENDING"
    assert receipts.settle_mass(batch.id) == "sending"
    assert batch_of(sent.id).receipt_at is None
    if app.config["REDIS_URL"]:  # with a scheduler, another look is planned
        scheduled = [jobs.queue().fetch_job(i) for i in jobs.queue().scheduled_job_registry.get_job_ids()]
        assert sum(j.func_name.endswith("receipts.settle_mass") and j.args == (batch.id,) for j in scheduled) == 2
    fake_wechat.reset()  # WeChat no longer knows the msg_id
    assert receipts.settle_mass(batch.id) == "40059"
    assert batch_of(sent.id).receipt_at is None
