"""Delivery as RQ jobs that take ids and are safe to run twice, or on two workers at once.

- `prepare` writes each recipient once (Delivery is unique per push and resident) and cuts them
  into batches; one job per (push, batch), its RQ id naming both.
- A batch is worked by one worker at a time (a lock in Redis that a killed worker's lets go of
  after PUSH_LOCK_TTL). Re-running a batch sends to its pending recipients only.
- Mass sends carry clientmsgid "wufei-<push>-<batch>": WeChat answers a repeat with the first
  msg_id (45065) and sends nothing twice. Template messages carry client_msg_id likewise.
- Customer-service and subscribe messages have no such key: before each call the recipient is
  claimed in Redis and the outcome written there right after. A claim without an outcome means a
  worker died during that call; the recipient is recorded "unconfirmed" and never sent again
  (at most once: a resident never gets a campaign message twice).
- Transient errors (system busy, quotas) raise so RQ retries with backoff; permanent ones are
  recorded and not retried; after the last retry the rest of the batch is recorded failed.
"""
import logging
import time
import uuid
from datetime import datetime, timedelta, timezone

from flask import current_app
from rq import Retry, get_current_job
from sqlalchemy import func, update

from handlers.campaigns import authoring as campaigns
from handlers.campaigns.push import PushError, channels, links, messages, receipts, tags
from handlers.campaigns.push.batches import cut
from handlers.campaigns.push.channels import MASS
from handlers.campaigns.push.targeting import Target
from handlers.people import windows
from handlers.people.residents import MINIAPP
from handlers.staff import scope
from infra import jobs, state
from infra import throttle as ratelimit
from infra.metrics import PUSH_OUTCOMES
from infra.wechat.send import Sender, SendError
from models import (
    Campaign,
    ContentItem,
    Delivery,
    MessageOptIn,
    Push,
    PushBatch,
    Resident,
    db,
)
from models.timeutil import utcnow

log = logging.getLogger(__name__)
# Transient WeChat errors clear up within minutes; a daily quota by the next day at the latest.
RETRY = Retry(max=5, interval=[5, 30, 120, 600, 1800])
FLUSH_EVERY = 100
CHECK_EVERY = 50


class TransientDeliveryError(RuntimeError):
    """WeChat asked us to come back later; RQ retries the batch job with backoff."""


# --- staff's side ------------------------------------------------------------------------------

def create(staff, campaign: Campaign, item: ContentItem, target: Target,
           send_at: datetime | None = None) -> Push:
    if item.id not in {i.id for i in campaigns.items_for(campaign)}:
        raise PushError("内容不属于这个活动")
    if not scope.in_scope(staff, campaign.region_code):
        raise PushError("请先采用上级活动，再向本辖区推送")
    push = Push(campaign_id=campaign.id, item_id=item.id, region_code=staff.region_code,
                target=target.to_json(), send_at=send_at, created_by=staff.username)
    db.session.add(push)
    db.session.flush()
    return push


def plan(push: Push) -> channels.Plan:
    return channels.plan(Target.from_json(push.target), push.region_code)


def start(push: Push) -> None:
    """Send now, or at push.send_at; the caller commits nothing more: this commits."""
    if push.status != "draft":
        raise PushError("这条推送已经发出或已取消")
    push.status = "scheduled"
    db.session.commit()
    job_id = f"push-{push.id}-prepare"
    if push.send_at and push.send_at > utcnow() and jobs.queue("push").is_async:
        # RQ reads a naive datetime as local time; ours are naive UTC.
        jobs.queue("push").enqueue_at(push.send_at.replace(tzinfo=timezone.utc), prepare,
                                      push.id, job_id=job_id, retry=RETRY)
    elif not push.send_at or push.send_at <= utcnow():
        jobs.enqueue(prepare, push.id, queue_name="push", job_id=job_id, retry=RETRY)
    # Embedded default with a future time: `flask --app bot push-due` starts it when due.


def start_due() -> list[int]:
    """Scheduled pushes whose time has come (for the embedded default, which has no scheduler)."""
    due = db.session.execute(db.select(Push.id).where(
        Push.status == "scheduled", (Push.send_at.is_(None)) | (Push.send_at <= utcnow()))).scalars().all()
    for push_id in due:
        jobs.enqueue(prepare, push_id, queue_name="push", job_id=f"push-{push_id}-prepare-due", retry=RETRY)
    return list(due)


def cancel(push: Push, username: str) -> int:
    """Stop a push: recipients not yet reached are recorded cancelled. Returns how many."""
    if push.status in ("done", "cancelled"):
        return 0
    push.status, push.cancelled_by, push.finished_at = "cancelled", username, utcnow()
    stopped = db.session.execute(update(Delivery).where(
        Delivery.push_id == push.id, Delivery.status == "pending").values(status="cancelled")).rowcount
    db.session.commit()
    state.store().set(f"push:{push.id}:cancelled", "1", ex=7 * 86400)  # running jobs stop soon
    return stopped


def resume(push_id: int) -> int:
    """Enqueue again every batch with pending recipients (after a worker died); returns how many."""
    push = db.session.get(Push, push_id)
    if push is None or push.status in ("done", "cancelled", "draft"):
        return 0
    push.generation += 1
    db.session.commit()
    if push.status == "scheduled":
        jobs.enqueue(prepare, push.id, queue_name="push", retry=RETRY,
                     job_id=f"push-{push.id}-prepare-g{push.generation}")
        return 1
    numbers = db.session.execute(db.select(Delivery.batch_no).where(
        Delivery.push_id == push_id, Delivery.status == "pending").distinct()).scalars().all()
    for number in sorted(numbers):
        _enqueue_batch(push, number)
    return len(numbers)


def progress(push_id: int) -> dict:
    push = db.session.get(Push, push_id)
    counts = dict(db.session.execute(db.select(Delivery.status, func.count()).where(
        Delivery.push_id == push_id).group_by(Delivery.status)).all())
    total = sum(counts.values())
    pending = counts.get("pending", 0)
    return {"id": push_id, "status": push.status if push else "missing", "targeted": total,
            "done": total - pending, "pending": pending, "counts": counts,
            "percent": round(100 * (total - pending) / total, 1) if total else (
                100.0 if push and push.status in ("done", "cancelled") else 0.0)}


# --- jobs --------------------------------------------------------------------------------------

def prepare(push_id: int) -> str:
    """Write the push's recipients and batches once, then enqueue one job per batch."""
    push = db.session.get(Push, push_id)
    if push is None or push.status != "scheduled":
        return "skipped"
    target = Target.from_json(push.target)
    districts = [c for c in target.whole_nodes() if scope.level(c) == "district"]
    if districts:
        tags.sync(districts)  # commits as it goes
    push = db.session.get(Push, push_id, with_for_update=True)
    if push.status != "scheduled":
        db.session.rollback()
        return "skipped"
    chosen = channels.plan(target, push.region_code)
    batches = cut(chosen.recipients, push.region_code)
    rows = []
    for number, (channel, region, tag_id, members) in enumerate(batches, start=1):
        db.session.add(PushBatch(push_id=push.id, number=number, channel=channel,
                                 region_code=region, tag_id=tag_id, size=len(members)))
        rows += [{"push_id": push.id, "resident_id": r.resident_id, "region_code": r.region_code,
                  "channel": channel, "batch_no": number, "status": "pending", "error": ""}
                 for r in members]
    rows += [{"push_id": push.id, "resident_id": r.resident_id, "region_code": r.region_code,
              "channel": "none", "batch_no": 0, "status": "unreachable", "error": r.reason}
             for r in chosen.recipients if r.channel == "none"]
    for start_at in range(0, len(rows), 5000):
        db.session.execute(db.insert(Delivery), rows[start_at:start_at + 5000])
    push.status, push.started_at = "sending", utcnow()
    push.targeted, push.batches = len(rows), len(batches)
    db.session.commit()
    for number in range(1, len(batches) + 1):
        _enqueue_batch(push, number)
    _maybe_finish(push.id)
    return f"{len(rows)} recipients in {len(batches)} batches"


def _enqueue_batch(push: Push, number: int) -> None:
    jobs.enqueue(deliver_batch, push.id, number, queue_name="push", retry=RETRY,
                 job_id=f"push-{push.id}-g{push.generation}-b{number}")


class BatchLock:
    """One worker per batch; a killed worker's lock expires after `ttl` seconds."""

    def __init__(self, push_id: int, number: int, ttl: int):
        self.store, self.ttl = state.store(), ttl
        self.key, self.token = f"push:{push_id}:b{number}:lock", uuid.uuid4().hex

    def acquire(self, wait: float) -> bool:
        deadline = time.monotonic() + wait
        while not self.store.set(self.key, self.token, nx=True, ex=self.ttl):
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.2)
        return True

    def refresh(self) -> bool:
        if self.store.get(self.key) != self.token:
            return False
        self.store.expire(self.key, self.ttl)
        return True

    def release(self) -> None:
        if self.store.get(self.key) == self.token:
            self.store.delete(self.key)


def deliver_batch(push_id: int, number: int) -> str:
    """Send one batch to its pending recipients and record every outcome."""
    batch = db.session.execute(db.select(PushBatch).filter_by(push_id=push_id, number=number)).scalar()
    push = db.session.get(Push, push_id)
    if batch is None or push is None or batch.done:
        return "nothing to do"
    ttl = current_app.config["PUSH_LOCK_TTL"]
    lock = BatchLock(push_id, number, ttl)
    if not lock.acquire(wait=ttl + 1):
        return "busy: another worker has this batch"
    try:
        db.session.refresh(push)
        db.session.refresh(batch)
        if batch.done:
            return "nothing to do"
        if push.status == "cancelled":
            outcome = "cancelled"
        elif batch.channel in MASS:
            outcome = _send_mass(push, batch)
        else:
            outcome = _send_personal(push, batch, lock)
    finally:
        lock.release()
    _maybe_finish(push_id)
    return outcome


def _pending(batch: PushBatch) -> list[tuple[int, str | None, int | None]]:
    return db.session.execute(
        db.select(Delivery.id, Resident.openid, Delivery.resident_id)
        .outerjoin(Resident, Resident.id == Delivery.resident_id)
        .where(Delivery.push_id == batch.push_id, Delivery.batch_no == batch.number,
               Delivery.status == "pending").order_by(Delivery.id)).all()


def _content(push: Push) -> tuple[ContentItem, str]:
    item = db.session.get(ContentItem, push.item_id)
    return item, db.session.get(Campaign, push.campaign_id).title


def _send_mass(push: Push, batch: PushBatch) -> str:
    pending = _pending(batch)
    if not pending:
        batch.done = True
        db.session.commit()
        return "nothing pending"
    wait = ratelimit.take_mass_slot(current_app.config["PUSH_MASS_PER_MINUTE"])
    if wait:
        return _defer(push.id, batch.number, wait)
    item, _ = _content(push)
    message = messages.mass(item, links.url(links.token_for_batch(push.id, batch.number)))
    client_msg_id = f"wufei-{push.id}-{batch.number}"
    ids = [d for d, _, _ in pending]
    api = Sender()
    try:
        if batch.channel == "mass_list":
            openids = [o for _, o, _ in pending if o]
            msg_id = _patiently(lambda: api.mass_by_openids(openids, message, client_msg_id), True)
        else:
            msg_id = _patiently(lambda: api.mass_by_tag(batch.tag_id, message, client_msg_id), True)
    except SendError as error:
        if error.kind == "permanent":
            _record(ids, "failed", error.code)
            batch.done = True
            db.session.commit()
            return f"failed {error.code}"
        return _give_up_or_retry(batch, ids, error)  # repeats are safe: same clientmsgid
    _record(ids, "sent")
    batch.msg_id, batch.done = msg_id, True
    receipts.match_batch(batch)  # WeChat's receipt may have come before this commit
    db.session.commit()
    receipts.schedule_settlement(batch)  # in case the receipt never comes
    return f"mass sent to {len(ids)}"


def _defer(push_id: int, number: int, wait: float) -> str:
    """No mass-send slot this minute: the batch comes back when one frees up."""
    queue = jobs.queue("push")
    if not queue.is_async:
        time.sleep(wait)
        return deliver_batch_again(push_id, number)
    queue.enqueue_in(timedelta(seconds=wait + 0.5), deliver_batch, push_id, number, retry=RETRY,
                     job_id=f"push-{push_id}-b{number}-at{int(time.time() + wait)}")
    return f"deferred {wait:.0f}s (60 mass calls a minute)"


def deliver_batch_again(push_id: int, number: int) -> str:
    db.session.commit()
    return _send_mass(db.session.get(Push, push_id), db.session.execute(
        db.select(PushBatch).filter_by(push_id=push_id, number=number)).scalar())


def _send_personal(push: Push, batch: PushBatch, lock: BatchLock) -> str:
    store = state.store()
    attempts_key = f"push:{push.id}:b{batch.number}:attempts"
    _reconcile(store, attempts_key, batch.channel)
    pending = _pending(batch)
    item, campaign_title = _content(push)
    api = Sender()
    config = current_app.config
    # Each app's openids are sent to through that app's own client and token.
    mini_ids = set(db.session.execute(db.select(Delivery.id).join(Resident, Resident.id == Delivery.resident_id)
                                      .where(Delivery.push_id == push.id, Delivery.batch_no == batch.number,
                                             Resident.app == MINIAPP)).scalars())
    mini_api = Sender("miniapp") if mini_ids else None
    outcomes: dict[int, str] = {}
    sent = 0
    for index, (delivery_id, openid, resident_id) in enumerate(pending):
        if index % CHECK_EVERY == 0 and (store.get(f"push:{push.id}:cancelled") or not lock.refresh()):
            break
        if not openid:  # forgotten since the push started
            outcomes[delivery_id] = "f:forgotten"
            continue
        store.hset(attempts_key, delivery_id, "claimed")
        try:
            msg_id = _patiently(lambda: _send_one(mini_api if delivery_id in mini_ids else api,
                                                  batch.channel, openid, delivery_id, push, item,
                                                  campaign_title, config, delivery_id in mini_ids),
                                idempotent=batch.channel == "template")
            outcome = f"sent:{msg_id}" if msg_id else "sent"
            sent += 1
        except SendError as error:
            if error.kind == "permanent":
                outcome = f"f:{error.code}"
            elif error.kind == "unknown" and batch.channel != "template":
                outcome = f"u:{error.code}"  # it may have arrived: never send it twice
            else:
                store.hdel(attempts_key, delivery_id)
                _flush(store, attempts_key, outcomes)
                rest = [d for d, _, _ in pending[index:]]
                return _give_up_or_retry(batch, rest, error)
        outcomes[delivery_id] = outcome
        store.hset(attempts_key, delivery_id, outcome)
        if len(outcomes) >= FLUSH_EVERY:
            _flush(store, attempts_key, outcomes)
    _flush(store, attempts_key, outcomes)
    if not db.session.scalar(db.select(func.count()).select_from(Delivery).where(
            Delivery.push_id == push.id, Delivery.batch_no == batch.number, Delivery.status == "pending")):
        batch.done = True
        db.session.commit()
    return f"{batch.channel}: {sent} sent"


def _patiently(call, idempotent: bool, pauses=(0.2, 1.0)):
    """The call, tried again after short pauses on a transient error (a blip of "system busy");
    longer waits are RQ's retries. A call with an unknown outcome is repeated only when idempotent."""
    for pause in (*pauses, None):
        try:
            return call()
        except SendError as error:
            retry = error.kind == "transient" or (error.kind == "unknown" and idempotent)
            if not retry or pause is None:  # a quota error is not retried here: no use now
                raise
            time.sleep(pause)


def _send_one(api: Sender, channel: str, openid: str, delivery_id: int, push: Push,
              item: ContentItem, campaign_title: str, config, miniapp: bool = False) -> str:
    """WeChat's msgid of the message ('' when it gives none), for matching its receipt."""
    link = links.url(links.token_for_delivery(delivery_id)) if item.url else ""
    if channel == "custom":
        api.custom(openid, messages.custom(item, link))
        return ""
    if channel == "template":
        return api.template(openid, config["PUSH_TEMPLATE_ID"], messages.template_data(item, campaign_title),
                            link, client_msg_id=f"wufei-{push.id}-{delivery_id}")
    if miniapp:  # the mini-program's subscribe message, to its own openid
        return api.wxa_subscribe(openid, config["PUSH_MINIAPP_SUBSCRIBE_TEMPLATE_ID"],
                                 messages.subscribe_data(item, campaign_title),
                                 item.page_path or "pages/index/index")
    return api.subscribe(openid, config["PUSH_SUBSCRIBE_TEMPLATE_ID"],
                         messages.subscribe_data(item, campaign_title), item.page_path or "pages/index/index")


def _reconcile(store, attempts_key: str, channel: str) -> None:
    """Outcomes a killed worker wrote to Redis but not yet to the database."""
    found = store.hgetall(attempts_key)
    if not found:
        return
    outcomes = {}
    for delivery_id, value in found.items():
        if value == "claimed":
            if channel == "template":  # client_msg_id makes sending it again harmless
                store.hdel(attempts_key, delivery_id)
                continue
            value = "u:worker_died"
        outcomes[int(delivery_id)] = value
    _flush(store, attempts_key, outcomes)


def _flush(store, attempts_key: str, outcomes: dict[int, str]) -> None:
    """Write outcomes to the database, then forget them in Redis."""
    if not outcomes:
        return
    grouped: dict[str, list[int]] = {}
    msg_ids: dict[int, str] = {}
    for delivery_id, value in outcomes.items():
        if value.startswith("sent:"):  # "sent:<msgid>": WeChat's id, matched by its receipt
            value, msg_ids[delivery_id] = "sent", value.removeprefix("sent:")
        grouped.setdefault(value, []).append(delivery_id)
    for value, ids in grouped.items():
        if value == "sent":
            _record(ids, "sent")
        else:
            kind, _, code = value.partition(":")
            _record(ids, "failed" if kind == "f" else "unconfirmed", code)
    sent_ids = grouped.get("sent", [])
    # A customer-service message that went out (or may have) uses one of its window's messages.
    spent = sent_ids + [i for value, ids in grouped.items() if value.startswith("u:") for i in ids]
    if spent:
        windows.spend(list(db.session.execute(db.select(Delivery.resident_id).where(
            Delivery.id.in_(spent), Delivery.channel == "custom",
            Delivery.resident_id.is_not(None))).scalars()))
    if msg_ids:
        db.session.execute(update(Delivery), [{"id": i, "msg_id": m[:32]} for i, m in msg_ids.items()])
        receipts.match_deliveries(list(msg_ids.values()))
    refused = grouped.get("f:43101", [])  # 43101: the user has no subscription (left): refused
    if refused:
        channels.refused_subscribe(list(db.session.execute(db.select(Delivery.resident_id).where(
            Delivery.id.in_(refused), Delivery.resident_id.is_not(None))).scalars()))
    if sent_ids:  # a subscribe grant is good for one message
        db.session.execute(update(MessageOptIn).where(
            MessageOptIn.kind == "subscribe", MessageOptIn.remaining > 0,
            MessageOptIn.resident_id.in_(db.select(Delivery.resident_id).where(
                Delivery.id.in_(sent_ids), Delivery.channel == "subscribe"))
        ).values(remaining=MessageOptIn.remaining - 1))
    db.session.commit()
    store.hdel(attempts_key, *outcomes.keys())
    outcomes.clear()


def _record(ids: list[int], status: str, error: str = "") -> None:
    # A send that went out wins over a cancel that came in meanwhile.
    allowed = ("pending", "cancelled") if status == "sent" else ("pending",)
    values = {"status": status, "error": error}
    if status in ("sent", "unconfirmed"):  # unconfirmed: when it may have gone out
        values["sent_at"] = utcnow()
    for start_at in range(0, len(ids), 1000):
        changed = db.session.execute(update(Delivery).where(
            Delivery.id.in_(ids[start_at:start_at + 1000]), Delivery.status.in_(allowed)).values(**values))
        PUSH_OUTCOMES.labels(status).inc(changed.rowcount)


def next_quota_reset(now: datetime | None = None) -> datetime:
    """WeChat's daily quotas reset at 00:00 Beijing time (UTC+8); naive UTC like utcnow()."""
    beijing = (now or utcnow()) + timedelta(hours=8)
    midnight = beijing.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    return midnight - timedelta(hours=8)


def _give_up_or_retry(batch: PushBatch, rest: list[int], error: SendError) -> str:
    """Raise for RQ to retry later; after the last retry, record the rest as failed.

    A daily quota used up (45009) is not retried on RQ's backoff, which would only hammer
    WeChat with calls refused until midnight: the batch comes back just after the reset.
    """
    if error.kind == "quota" and jobs.queue("push").is_async:
        reset = next_quota_reset() + timedelta(minutes=1)
        db.session.commit()
        jobs.queue("push").enqueue_at(
            reset.replace(tzinfo=timezone.utc), deliver_batch, batch.push_id, batch.number,
            retry=RETRY, job_id=f"push-{batch.push_id}-b{batch.number}-quota-{reset:%Y%m%d}")
        log.info("WeChat quota %s used up: batch %s waits for %s UTC", error.code, batch.number, reset)
        return f"waiting for the quota reset ({error.code})"
    job = get_current_job()
    if job is not None and (job.retries_left or 0) > 0:
        db.session.commit()
        raise TransientDeliveryError(f"WeChat {error.code}: batch {batch.number} retried later")
    _record(rest, "failed", error.code)
    batch.done = True
    db.session.commit()
    return f"gave up: {error.code}"


def _maybe_finish(push_id: int) -> None:
    pending = db.session.scalar(db.select(func.count()).select_from(Delivery).where(
        Delivery.push_id == push_id, Delivery.status == "pending"))
    if not pending:
        db.session.execute(update(Push).where(Push.id == push_id, Push.status == "sending")
                           .values(status="done", finished_at=utcnow()))
        db.session.commit()
