from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from models import db
from models.statuses import Channel, DeliveryStatus, PushStatus, one_of
from models.timeutil import utcnow


class Push(db.Model):
    """Sending one content item to a target inside the sender's subtree, once, at a time."""

    __tablename__ = "push"
    __table_args__ = (CheckConstraint(one_of("status", PushStatus), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("content_item.id"))
    # The sender's node: a push never reaches outside it.
    region_code: Mapped[str] = mapped_column(String(20), index=True)
    # JSON: {"codes": [...], "group": null | "volunteers" | "school" | "asked_sorting", "school_id": n}
    target: Mapped[str] = mapped_column(Text)
    send_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(10), default=PushStatus.DRAFT, index=True)
    targeted: Mapped[int] = mapped_column(default=0)  # recipients written when sending started
    batches: Mapped[int] = mapped_column(default=0)
    # Bumped by every resume, so the re-enqueued batch jobs get fresh RQ job ids.
    generation: Mapped[int] = mapped_column(default=0)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    cancelled_by: Mapped[str | None] = mapped_column(String(64))


class PushBatch(db.Model):
    """A slice of a push's recipients on one channel: one RQ job id, one WeChat clientmsgid."""

    __tablename__ = "push_batch"
    __table_args__ = (UniqueConstraint("push_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    push_id: Mapped[int] = mapped_column(ForeignKey("push.id", ondelete="CASCADE"))
    number: Mapped[int]
    channel: Mapped[str] = mapped_column(String(10))
    # The node the batch's tracked link is attributed to (a street for mass lists, a district tag).
    region_code: Mapped[str] = mapped_column(String(20), default="")
    tag_id: Mapped[int | None]
    size: Mapped[int] = mapped_column(default=0)
    msg_id: Mapped[str | None] = mapped_column(String(32))  # WeChat's answer to a mass send
    done: Mapped[bool] = mapped_column(default=False)
    # WeChat's MASSSENDJOBFINISH receipt for msg_id: its Status ("send success", "err(30003)" …)
    # and counts. None: accepted, not yet confirmed.
    receipt_status: Mapped[str | None] = mapped_column(String(40))
    total_count: Mapped[int | None]
    filter_count: Mapped[int | None]
    sent_count: Mapped[int | None]
    error_count: Mapped[int | None]
    receipt_at: Mapped[datetime | None]


class Delivery(db.Model):
    """One recipient of one push: the idempotency key of delivery, and its recorded outcome."""

    __tablename__ = "delivery"
    __table_args__ = (
        # However often a job runs or a worker dies, a resident is a push's recipient once.
        UniqueConstraint("push_id", "resident_id"),
        CheckConstraint(one_of("status", DeliveryStatus), name="status"),
        CheckConstraint(one_of("channel", Channel), name="channel"),
        Index("ix_delivery_push_batch", "push_id", "batch_no", "status"),
        Index("ix_delivery_resident_sent", "resident_id", "sent_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    push_id: Mapped[int] = mapped_column(ForeignKey("push.id", ondelete="CASCADE"))
    # SET NULL: a resident who is forgotten leaves an anonymous outcome in the area's figures.
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("resident.id", ondelete="SET NULL"))
    # Copied when the push starts, so figures roll up the tree as they were at sending time.
    region_code: Mapped[str] = mapped_column(String(20), default="", index=True)
    channel: Mapped[str] = mapped_column(String(10))
    batch_no: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(12), default=DeliveryStatus.PENDING)
    # A WeChat errcode ("43004") or why the resident is out of reach ("monthly_limit" …).
    error: Mapped[str] = mapped_column(String(24), default="")
    sent_at: Mapped[datetime | None]
    # WeChat's msgid of a template (or subscribe) message, matched by its delivery receipt.
    msg_id: Mapped[str | None] = mapped_column(String(32), index=True)
    # When WeChat confirmed delivery (TEMPLATESENDJOBFINISH success, subscribe_msg_sent_event
    # ErrorCode 0, a mass batch's receipt). A receipt that reports failure turns the status to
    # "failed" instead. "sent" without it: accepted by WeChat, not yet confirmed.
    confirmed_at: Mapped[datetime | None]


class LinkClick(db.Model):
    """A click on a push's tracked link (/r/<token>): per recipient, or per batch for mass sends."""

    __tablename__ = "link_click"

    id: Mapped[int] = mapped_column(primary_key=True)
    push_id: Mapped[int] = mapped_column(ForeignKey("push.id", ondelete="CASCADE"), index=True)
    delivery_id: Mapped[int | None] = mapped_column(ForeignKey("delivery.id", ondelete="SET NULL"))
    region_code: Mapped[str] = mapped_column(String(20), default="")
    clicked_at: Mapped[datetime] = mapped_column(default=utcnow)


class DistrictTag(db.Model):
    """The WeChat user tag of one district (at most 100 tags per account), for tag mass sends."""

    __tablename__ = "district_tag"

    district_code: Mapped[str] = mapped_column(String(20), primary_key=True)
    tag_id: Mapped[int] = mapped_column(unique=True)
    name: Mapped[str] = mapped_column(String(30))
    synced_at: Mapped[datetime | None]


class ResidentTag(db.Model):
    """The district tag a resident carries in WeChat, as last synced."""

    __tablename__ = "resident_tag"

    resident_id: Mapped[int] = mapped_column(
        ForeignKey("resident.id", ondelete="CASCADE"), primary_key=True)
    district_code: Mapped[str] = mapped_column(String(20), index=True)
    tagged_at: Mapped[datetime] = mapped_column(default=utcnow)


class MessageOptIn(db.Model):
    """A resident's opt-in to template or subscribe messages (subscribe: one message per grant)."""

    __tablename__ = "message_opt_in"
    __table_args__ = (CheckConstraint("kind IN ('template', 'subscribe')", name="kind"),
                      CheckConstraint("remaining >= 0", name="remaining"))

    resident_id: Mapped[int] = mapped_column(
        ForeignKey("resident.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    remaining: Mapped[int] = mapped_column(default=1)
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)


class WeChatReceipt(db.Model):
    """A delivery receipt WeChat posted to the webhook, kept whether or not it matched a send yet.

    A receipt can arrive before the send's msg_id is saved (WeChat answers the call and posts
    the receipt at nearly the same time): it waits here, unmatched, until the batch is saved.
    """

    __tablename__ = "wechat_receipt"
    __table_args__ = (Index("ix_wechat_receipt_kind_msg", "kind", "msg_id", "matched"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))  # template | mass | subscribe
    msg_id: Mapped[str] = mapped_column(String(32), default="")
    openid: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(40), default="")
    # JSON: the counts of a mass receipt, the template id and error code of a subscribe receipt.
    detail: Mapped[str] = mapped_column(Text, default="{}")
    matched: Mapped[bool] = mapped_column(default=False)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class QrCode(db.Model):
    """A permanent parametric QR code staff made for posters: its scene names what it is for."""

    __tablename__ = "qr_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    # "area-<region code>", "campaign-<id>", "school-<id>" or "activity-<id>": WeChat sends it
    # back with the follow or scan.
    scene: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(60))
    region_code: Mapped[str] = mapped_column(String(20), index=True)  # the creating staff's node
    ticket: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(300))  # the QR content the image encodes
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class QrScan(db.Model):
    """One follow or scan through a parametric QR code, counted per code (no one's identity)."""

    __tablename__ = "qr_scan"
    __table_args__ = (CheckConstraint("event IN ('follow', 'scan')", name="event"),
                      Index("ix_qr_scan_scene_event", "scene", "event"))

    id: Mapped[int] = mapped_column(primary_key=True)
    scene: Mapped[str] = mapped_column(String(64))
    event: Mapped[str] = mapped_column(String(10))  # follow: a new follower; scan: a follower
    at: Mapped[datetime] = mapped_column(default=utcnow)
