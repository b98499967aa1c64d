"""Tracked links: /r/<token> counts the click and redirects to the article.

A one-by-one message carries a token of its delivery (the click is the resident's); a mass send
carries one token per batch, so its clicks count for the batch's street or district.
"""
import base64
import hashlib
import hmac

from flask import current_app

from models import ContentItem, Delivery, LinkClick, Push, PushBatch, db


def _sign(payload: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return base64.urlsafe_b64encode(hmac.new(key, payload.encode(), hashlib.sha256).digest()[:9]).decode()


def token_for_delivery(delivery_id: int) -> str:
    return f"d{delivery_id}.{_sign(f'd{delivery_id}')}"


def token_for_batch(push_id: int, number: int) -> str:
    payload = f"b{push_id}-{number}"
    return f"{payload}.{_sign(payload)}"


def url(token: str) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL'].rstrip('/')}/r/{token}"


def follow(token: str) -> str | None:
    """Record a click on `token`; returns where to send the reader, or None for a bad token."""
    payload, _, signature = (token or "").partition(".")
    if not payload or not hmac.compare_digest(signature, _sign(payload)):
        return None
    delivery_id, push_id, region = None, None, ""
    if payload.startswith("d") and payload[1:].isdigit():
        delivery = db.session.get(Delivery, int(payload[1:]))
        if delivery is None:
            return None
        delivery_id, push_id, region = delivery.id, delivery.push_id, delivery.region_code
    elif payload.startswith("b") and payload[1:].replace("-", "").isdigit():
        push_id, number = (int(part) for part in payload[1:].split("-", 1))
        batch = db.session.execute(db.select(PushBatch).filter_by(push_id=push_id, number=number)).scalar()
        if batch is None:
            return None
        region = batch.region_code
    else:
        return None
    push = db.session.get(Push, push_id)
    item = db.session.get(ContentItem, push.item_id) if push else None
    if item is None or not item.url:
        return None
    db.session.add(LinkClick(push_id=push_id, delivery_id=delivery_id, region_code=region))
    db.session.commit()
    return item.url
