"""WeChat's delivery receipts: what it confirmed, per recipient or per mass-send batch.

- TEMPLATESENDJOBFINISH: one per template message, MsgID = the msgid template/send answered;
  Status "success", "failed:user block" (the user refuses the account's messages) or
  "failed: system failed". Any other status is a failure too, kept as WeChat wrote it.
  https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Template_Message_Interface.html
- MASSSENDJOBFINISH: one per mass send, MsgID = the msg_id sendall/send answered; Status
  "send success" / "send fail" / "err(N)" (a review refusal: nothing was sent), TotalCount,
  FilterCount (left after WeChat's filtering: the 4-a-month limit, users who refuse), SentCount,
  ErrorCount. https://developers.weixin.qq.com/doc/service/guide/product/message/Batch_Sends.html
- subscribe_msg_popup_event / _change_event (accept or reject a template) and
  subscribe_msg_sent_event (a bizsend's result: ErrorCode 0 is success; no msgid comes back from
  bizsend, so it is matched on the openid's latest unconfirmed subscribe delivery).
  https://developers.weixin.qq.com/doc/service/guide/product/subscription_messages/push.html

Every receipt is kept (WeChatReceipt). One that arrives before its send's msg_id is saved (the
receipt can overtake our commit) stays unmatched until the batch or delivery is saved, when
`match_batch` / `match_deliveries` apply it. None of these events opens a customer-service window
or creates a resident (see handlers/inbox.py).
"""
import json

from sqlalchemy import update

from handlers.campaigns.push import channels
from handlers.router import Message, router
from models import Delivery, MessageOptIn, PushBatch, Resident, WeChatReceipt, db
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
    return plain not in MASS_SUCCESS and (plain == "sendfail" or plain.startswith("err("))


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


@router.on_event("subscribe_msg_popup_event", "subscribe_msg_change_event")
def subscribe_choice(message: Message) -> None:
    """The user accepted or rejected subscribe messages: the push planner's opt-in follows."""
    resident = db.session.execute(db.select(Resident).filter_by(openid=message.openid)).scalar()
    for entry in message.details.get("entries", []):
        status = entry.get("SubscribeStatusString", "")
        _keep("subscribe", "", message.openid, status, entry, matched=True)
        if resident is None:  # a receipt never creates (or brings back) a resident
            continue
        if status.startswith("accept"):
            channels.opt_in(resident.id, "subscribe")
        elif status == "reject":
            db.session.execute(update(MessageOptIn).where(
                MessageOptIn.resident_id == resident.id, MessageOptIn.kind == "subscribe")
                .values(remaining=0))
    return None


@router.on_event("subscribe_msg_sent_event")
def subscribe_sent(message: Message) -> None:
    for entry in message.details.get("entries", []):
        receipt = _keep("subscribe", entry.get("MsgID", ""), message.openid,
                        entry.get("ErrorStatus", ""), entry)
        delivery = db.session.execute(
            db.select(Delivery).join(Resident, Resident.id == Delivery.resident_id)
            .where(Resident.openid == message.openid, Delivery.channel == "subscribe",
                   Delivery.status == "sent", Delivery.confirmed_at.is_(None))
            .order_by(Delivery.sent_at.desc())).scalars().first()
        if delivery is None:
            continue
        code = entry.get("ErrorCode", "0")
        if code == "0":
            delivery.confirmed_at = utcnow()
        else:
            delivery.status, delivery.error = "failed", code[:24]
        receipt.matched = True
    return None


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
