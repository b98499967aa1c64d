"""WeChat's delivery receipts: what it confirmed, per recipient or per mass-send batch.

- TEMPLATESENDJOBFINISH: one per template message, MsgID = the msgid template/send answered;
  Status "success", "failed:user block" (the user refuses the account's messages) or
  "failed: system failed". Any other status is a failure too, kept as WeChat wrote it.
  https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Template_Message_Interface.html
- MASSSENDJOBFINISH: one per mass send, MsgID = the msg_id sendall/send answered; Status
  "send success" / "send fail" / "err(N)" (a review refusal: nothing was sent), TotalCount,
  FilterCount (left after WeChat's filtering: the 4-a-month limit, users who refuse), SentCount,
  ErrorCount. https://developers.weixin.qq.com/doc/service/guide/product/message/Batch_Sends.html
- subscribe_msg_popup_event / _change_event (accept or reject a template: kept here, acted on in
  handlers/subscriptions.py) and subscribe_msg_sent_event (a bizsend's result: ErrorCode 0 is success; no msgid comes back from
  bizsend, so it is matched on the openid's latest unconfirmed subscribe delivery).
  https://developers.weixin.qq.com/doc/service/guide/product/subscription_messages/push.html

Every receipt is kept (WeChatReceipt). One that arrives before its send's msg_id is saved (the
receipt can overtake our commit) stays unmatched until the batch or delivery is saved, when
`match_batch` / `match_deliveries` apply it. None of these events opens a customer-service window
or creates a resident (see handlers/inbox.py).
"""
import json
from datetime import timedelta

from sqlalchemy import func, update

from handlers.router import Message, router
from infra import jobs
from infra.wechat.send import Sender, SendError
from models import Delivery, PushBatch, Resident, WeChatReceipt, db
from models.timeutil import utcnow

MASS_SUCCESS = {"sendsuccess"}


def normalise(status: str) -> str:
    """'send success' and 'sendsuccess' alike; 'failed:user block' → 'failed:userblock'."""
    return "".join(status.lower().split())


def template_failure(status: str) -> str | None:
    """None for success, else the error recorded on the delivery (≤ 24 characters)."""
    plain = normalise(status)
    if plain == "success":
        return None
    if "userblock" in plain:
        return "user_block"
    if "systemfailed" in plain:
        return "system_failed"
    return (plain or "receipt_failed")[:24]


def mass_failed(status: str) -> bool:
    plain = normalise(status)
    return plain not in MASS_SUCCESS and (plain in ("sendfail", "deleted") or plain.startswith("err("))


@router.on_event("templatesendjobfinish")
def template_receipt(message: Message) -> None:
    msg_id, status = message.details.get("MsgID", ""), message.details.get("Status", "")
    receipt = _keep("template", msg_id, message.openid, status, {})
    _apply_template(receipt)
    return None


@router.on_event("masssendjobfinish")
def mass_receipt(message: Message) -> None:
    counts = {key: _int(message.details.get(key)) for key in
              ("TotalCount", "FilterCount", "SentCount", "ErrorCount")}
    receipt = _keep("mass", message.details.get("MsgID", ""), message.openid,
                    message.details.get("Status", ""), counts)
    batch = db.session.execute(db.select(PushBatch).filter_by(msg_id=receipt.msg_id)).scalars().first()
    if batch is not None:
        _apply_mass(batch, receipt)
    return None


def keep_choice(openid: str, status: str, entry: dict) -> None:
    """A subscribe pop-up or settings choice, kept as a receipt (handlers/subscriptions.py acts on it)."""
    _keep("subscribe", "", openid, status, entry, matched=True)


@router.on_event("subscribe_msg_sent_event")
def subscribe_sent(message: Message) -> None:
    for entry in message.details.get("entries", []):
        receipt = _keep("subscribe", entry.get("MsgID", ""), message.openid,
                        entry.get("ErrorStatus", ""), entry)
        unconfirmed = (db.select(Delivery).join(Resident, Resident.id == Delivery.resident_id)
                       .where(Resident.openid == message.openid, Delivery.channel == "subscribe",
                              Delivery.status == "sent", Delivery.confirmed_at.is_(None)))
        # The mini-program's send answers a msgid the event names; bizsend's answers none.
        delivery = (db.session.execute(unconfirmed.where(Delivery.msg_id == receipt.msg_id)).scalars().first()
                    if receipt.msg_id else None) or db.session.execute(
            unconfirmed.order_by(Delivery.sent_at.desc())).scalars().first()
        if delivery is None:
            continue
        code = entry.get("ErrorCode", "0")
        if code == "0":
            delivery.confirmed_at = utcnow()
        else:
            delivery.status, delivery.error = "failed", code[:24]
        receipt.matched = True
    return None


# a receipt that never came: ask WeChat (mass/get)

# WeChat posts MASSSENDJOBFINISH when the job ends; with its API mass-send protection an admin has
# 30 minutes to confirm a send to everyone (api_massmsgget doc). Past that a missing receipt is lost.
SETTLE_AFTER = timedelta(minutes=40)
# mass/get's msg_status: SEND_SUCCESS, SENDING, SEND_FAIL, DELETE. It gives no counts.
# https://developers.weixin.qq.com/doc/service/api/notify/message/api_massmsgget.html
QUERIED = {"SEND_SUCCESS": "send success", "SEND_FAIL": "send fail", "DELETE": "deleted"}


def schedule_settlement(batch: PushBatch, again: bool = False) -> None:
    """After a mass send: settle the batch by asking WeChat if no receipt has come by then.
    Without a scheduler (the embedded default) `flask --app bot settle-mass` does it."""
    queue = jobs.queue()
    if queue.is_async:  # a later look (again) gets an id of its own: the first job is still running
        queue.enqueue_in(SETTLE_AFTER, settle_mass, batch.id,
                         job_id=None if again else f"settle-mass-{batch.id}")


def unsettled(now=None) -> list[int]:
    """Mass batches sent more than SETTLE_AFTER ago with neither receipt nor settlement."""
    cutoff = (now or utcnow()) - SETTLE_AFTER
    return list(db.session.execute(
        db.select(PushBatch.id).join(Delivery, (Delivery.push_id == PushBatch.push_id)
                                     & (Delivery.batch_no == PushBatch.number))
        .where(PushBatch.msg_id.is_not(None), PushBatch.msg_id != "", PushBatch.receipt_at.is_(None))
        .group_by(PushBatch.id).having(func.max(Delivery.sent_at) <= cutoff)).scalars())


def settle_mass(batch_id: int) -> str:
    """Job: a mass batch whose MASSSENDJOBFINISH never came is settled by WeChat's mass/get:
    SEND_SUCCESS confirms its deliveries (no counts: none is corrected), SEND_FAIL and DELETE fail
    them, SENDING waits for another try. Safe to run twice: a settled batch is left alone."""
    batch = db.session.get(PushBatch, batch_id)
    if batch is None or not batch.msg_id or batch.receipt_at is not None:
        return "settled"
    try:
        status = Sender().mass_status(batch.msg_id)
    except SendError as error:
        if error.kind == "permanent":  # 40059: WeChat does not know this msg_id
            return error.code
        raise  # RQ retries
    if status not in QUERIED:  # SENDING: look again later
        schedule_settlement(batch, again=True)
        return status.lower() or "unknown"
    receipt = _keep("mass", batch.msg_id, "", QUERIED[status], {"queried": status})
    _apply_mass(batch, receipt)
    db.session.commit()
    return QUERIED[status]


# matching receipts that came before their send was saved


def match_batch(batch: PushBatch) -> None:
    """After a mass batch's msg_id is saved: apply a receipt that was waiting for it."""
    receipt = db.session.execute(db.select(WeChatReceipt).filter_by(
        kind="mass", msg_id=batch.msg_id, matched=False).order_by(WeChatReceipt.id.desc())).scalars().first()
    if receipt is not None:
        _apply_mass(batch, receipt)


def match_deliveries(msg_ids: list[str]) -> None:
    """After template msgids are saved on their deliveries: apply receipts waiting for them."""
    for start in range(0, len(msg_ids), 500):
        for receipt in db.session.execute(db.select(WeChatReceipt).where(
                WeChatReceipt.kind == "template", WeChatReceipt.matched.is_(False),
                WeChatReceipt.msg_id.in_(msg_ids[start:start + 500]))).scalars():
            _apply_template(receipt)


def _keep(kind: str, msg_id: str, openid: str, status: str, detail: dict,
          matched: bool = False) -> WeChatReceipt:
    # The openid is kept only for someone we know: a receipt for a forgotten resident keeps none.
    known = db.session.execute(db.select(Resident.id).filter_by(openid=openid)).first() is not None
    receipt = WeChatReceipt(kind=kind, msg_id=str(msg_id)[:32], openid=openid if known else None,
                            status=status[:40],
                            detail=json.dumps(detail, ensure_ascii=False), matched=matched)
    db.session.add(receipt)
    db.session.flush()
    return receipt


def _apply_template(receipt: WeChatReceipt) -> None:
    delivery = db.session.execute(db.select(Delivery).filter_by(
        msg_id=receipt.msg_id, channel="template")).scalars().first()
    if delivery is None or not receipt.msg_id:
        return
    failure = template_failure(receipt.status)
    if failure is None:
        delivery.confirmed_at = delivery.confirmed_at or receipt.received_at
    elif delivery.status in ("sent", "unconfirmed"):
        delivery.status, delivery.error, delivery.confirmed_at = "failed", failure, None
    receipt.matched = True


def _apply_mass(batch: PushBatch, receipt: WeChatReceipt) -> None:
    counts = json.loads(receipt.detail or "{}")
    batch.receipt_status, batch.receipt_at = receipt.status, receipt.received_at
    batch.total_count, batch.filter_count = counts.get("TotalCount"), counts.get("FilterCount")
    batch.sent_count, batch.error_count = counts.get("SentCount"), counts.get("ErrorCount")
    rows = (Delivery.push_id == batch.push_id, Delivery.batch_no == batch.number,
            Delivery.status == "sent")
    if mass_failed(receipt.status):  # refused at review: nobody got it, no monthly slot used
        db.session.execute(update(Delivery).where(*rows).values(
            status="failed", error=normalise(receipt.status)[:24], confirmed_at=None))
    else:  # who of the batch WeChat filtered is not said: the report corrects by the counts
        db.session.execute(update(Delivery).where(*rows).values(confirmed_at=receipt.received_at))
    receipt.matched = True


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
