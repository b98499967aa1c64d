"""Switches for tests and demos: faults, delays, users, limits, and what the fake has seen.

Each operation is a plain function on the state, used both by the JSON API under /_fake/ and by
FakeWeChatServer's methods in the test process.
"""
import hashlib
import secrets
import time
from collections.abc import Callable
from urllib.parse import urlencode
from urllib.request import Request, urlopen

from flask import Blueprint, current_app, jsonify, request

from fake_wechat.endpoints import ENDPOINTS
from fake_wechat.state import FakeState, Fault, receipt_xml

control = Blueprint("fake_control", __name__, url_prefix="/_fake")


def normalise_endpoint(endpoint: str | None) -> str | None:
    """'cgi-bin/token' and '/cgi-bin/token' name the same endpoint."""
    if endpoint in (None, "", "*"):
        return endpoint or None
    return "/" + endpoint.lstrip("/")


def add_fault(state: FakeState, endpoint: str, errcode: int | None = None, **options) -> Fault:
    """Make an endpoint fail or wait; refuses unknown endpoints so a typo cannot pass silently."""
    endpoint = normalise_endpoint(endpoint) or "*"
    if endpoint != "*" and endpoint not in ENDPOINTS:
        raise ValueError(f"unknown endpoint {endpoint}; known: {sorted(ENDPOINTS)}")
    fault = Fault(endpoint, errcode, **options)
    if fault.times is not None and fault.times < 1:
        raise ValueError("times must be at least 1 (or null for every call)")
    with state.lock:
        state.faults.append(fault)
    return fault


def list_calls(state: FakeState, endpoint: str | None = None) -> list[dict]:
    endpoint = normalise_endpoint(endpoint)
    with state.lock:
        return [dict(c) for c in state.calls if endpoint is None or c["endpoint"] == endpoint]


def configure(state: FakeState, **settings) -> dict:
    unknown = set(settings) - set(state.config)
    if unknown:
        raise ValueError(f"unknown settings {sorted(unknown)}; known: {sorted(state.config)}")
    with state.lock:
        state.config.update(settings)
        return dict(state.config)


def set_users(state: FakeState, openids: list[str], **flags) -> None:
    """Per-user switches: active (48-h window), subscribed (follows), blocks, system_fails; '*' = everyone."""
    with state.lock:
        for openid in openids:
            state.set_user(openid, **flags)


def user_acts(state: FakeState, openid: str, kind: str = "message") -> None:
    """What WeChat learns when a user writes ('message') or follows, scans, clicks ('interaction')."""
    with state.lock:
        state.open_window(openid, kind)


def deliveries(state: FakeState, channel: str | None = None, openid: str | None = None) -> dict:
    """Messages that reached users, by channel and openid; duplicates = pairs delivered twice or more."""
    with state.lock:
        rows = [{"channel": c, "openid": o, "count": n} for (c, o), n in state.deliveries.items()
                if channel in (None, c) and openid in (None, o)]
    return {"total": sum(r["count"] for r in rows),
            "duplicates": sum(r["count"] > 1 for r in rows), "deliveries": rows}


def mass_jobs(state: FakeState) -> list[dict]:
    """Mass sends with the counts of WeChat's MASSSENDJOBFINISH event."""
    with state.lock:
        return [dict(job) for job in state.mass_jobs.values()]


def signed_query(token: str) -> str:
    """The query string WeChat signs a push with: sha1 of token, timestamp and nonce, sorted."""
    timestamp, nonce = str(int(time.time())), secrets.token_hex(8)
    signature = hashlib.sha1("".join(sorted([token, timestamp, nonce])).encode()).hexdigest()
    return urlencode({"signature": signature, "timestamp": timestamp, "nonce": nonce})


def flush_receipts(state: FakeState, post: Callable[[str, bytes], object] | None = None,
                   miniapp: bool = False) -> list:
    """Post the receipts WeChat owes (template, mass, subscribe results) to the webhook, signed,
    in plain mode; post(query, body) does the posting (a test client), or the configured
    webhook_url is called over HTTP. miniapp: the mini-program's receipts, to its message push
    (miniapp_webhook_url, signed with miniapp_webhook_token). Returns what each post answered."""
    with state.lock:
        if miniapp:
            pending, state.miniapp_receipts = state.miniapp_receipts, []
        else:
            pending, state.receipts = state.receipts, []
    return post_pushes(state, pending, miniapp, post)


def post_pushes(state: FakeState, pushes: list[str], miniapp: bool,
                post: Callable[[str, bytes], object] | None) -> list:
    """Post event XML, signed as WeChat signs it, to the webhook or the mini-program's push."""
    prefix = "miniapp_" if miniapp else ""
    with state.lock:
        token, url = state.config[f"{prefix}webhook_token"], state.config[f"{prefix}webhook_url"]
    answers = []
    for xml in pushes:
        query = signed_query(token)
        if post is not None:
            answers.append(post(query, xml.encode()))
        elif url:
            request = Request(f"{url}?{query}", data=xml.encode(), method="POST",
                              headers={"Content-Type": "application/xml"})
            with urlopen(request, timeout=10) as answer:
                answers.append(answer.status)
    return answers


def user_subscribes(state: FakeState, app_id: str, openid: str, template_ids: list[str],
                    status: str = "accept", post: Callable[[str, bytes], object] | None = None) -> list:
    """The user answers an app's subscribe pop-up (wx.requestSubscribeMessage, or the Official
    Account's subscribe button): 'accept' grants one message per template, 'reject' grants none.
    WeChat then posts subscribe_msg_popup_event, signed, to that app's own push URL (a
    mini-program's message push, or the Official Account's webhook); post(query, body) as in
    flush_receipts. Returns what the post answered ([] when no URL is configured).
    https://developers.weixin.qq.com/miniprogram/dev/framework/open-ability/subscribe-message.html"""
    if status not in ("accept", "reject") or not template_ids:
        raise ValueError("status is 'accept' or 'reject', with at least one template id")
    with state.lock:
        miniapp = app_id in state.config["miniapp_ids"]
        if status == "accept":
            for template_id in template_ids:
                state.subscribe_grants[(app_id, openid, template_id)] += 1
        original = state.config["miniapp_original_id" if miniapp else "original_id"]
    entries = [{"TemplateId": t, "SubscribeStatusString": status, "PopupScene": 0} for t in template_ids]
    event = receipt_xml(original, openid, "subscribe_msg_popup_event",
                        {"SubscribeMsgPopupEvent": {"List": entries}})
    return post_pushes(state, [event], miniapp, post)


def add_media(state: FakeState, app_id: str, data: bytes, content_type: str = "image/jpeg") -> str:
    """A temporary media file in an app, as a user's image message leaves one: its MediaId."""
    return state.keep_media(app_id, data, content_type)


def subscribe_grants(state: FakeState, app_id: str, openid: str, template_id: str) -> int:
    """How many messages of this template the user still accepts from the app."""
    with state.lock:
        return state.subscribe_grants[(app_id, openid, template_id)]


def pending_receipts(state: FakeState, miniapp: bool = False) -> list[str]:
    with state.lock:
        return list(state.miniapp_receipts if miniapp else state.receipts)


def expire_tokens(state: FakeState) -> None:
    with state.lock:
        state.expire_tokens()


# the JSON API


def state() -> FakeState:
    return current_app.extensions["fake_wechat"]


def bad_request(error: Exception):
    return jsonify(error=str(error)), 400


@control.post("/faults")
def post_fault():
    try:
        return jsonify(fault=add_fault(state(), **(request.get_json(force=True) or {})).to_dict()), 201
    except (TypeError, ValueError) as error:
        return bad_request(error)


@control.get("/faults")
def get_faults():
    with state().lock:
        return jsonify(faults=[f.to_dict() for f in state().faults])


@control.delete("/faults")
def delete_faults():
    with state().lock:
        state().faults.clear()
    return jsonify(ok=True)


@control.get("/calls")
def get_calls():
    return jsonify(calls=list_calls(state(), request.args.get("endpoint")))


@control.post("/reset")
def post_reset():
    state().reset()
    return jsonify(ok=True)


@control.get("/config")
def get_config():
    return jsonify(config=configure(state()))


@control.post("/config")
def post_config():
    try:
        return jsonify(config=configure(state(), **(request.get_json(force=True) or {})))
    except (TypeError, ValueError) as error:
        return bad_request(error)


@control.post("/users")
def post_users():
    """Body: {"openid": "..."} or {"openids": [...]}, plus the flags to set."""
    fields = dict(request.get_json(force=True) or {})
    openids = fields.pop("openids", None) or [fields.pop("openid", None)]
    try:
        if None in openids:
            raise ValueError("give openid or openids")
        set_users(state(), openids, **fields)
    except (TypeError, ValueError) as error:
        return bad_request(error)
    return jsonify(ok=True)


@control.post("/acts")
def post_acts():
    """Body: {"openid": "...", "kind": "message" | "interaction"}: opens a customer-service window."""
    fields = request.get_json(force=True) or {}
    try:
        user_acts(state(), fields["openid"], fields.get("kind", "message"))
    except (KeyError, ValueError) as error:
        return bad_request(error)
    return jsonify(ok=True)


@control.post("/subscribe")
def post_subscribe():
    """Body: {"app_id", "openid", "template_ids": [...], "status": "accept" | "reject"}: the user
    answers the app's subscribe pop-up; the event goes to the app's configured push URL."""
    fields = request.get_json(force=True) or {}
    try:
        posted = user_subscribes(state(), fields["app_id"], fields["openid"], list(fields["template_ids"]),
                                 fields.get("status", "accept"))
    except (KeyError, TypeError, ValueError) as error:
        return bad_request(error)
    return jsonify(posted=posted)


@control.post("/media")
def post_media():
    """Body: the file's bytes; ?app_id=...&content_type=image/jpeg. Answers {"media_id": ...}."""
    app_id = request.args.get("app_id", "")
    if not app_id:
        return bad_request(ValueError("give app_id"))
    return jsonify(media_id=add_media(state(), app_id, request.get_data(),
                                      request.args.get("content_type", "image/jpeg"))), 201


@control.get("/deliveries")
def get_deliveries():
    return jsonify(deliveries(state(), request.args.get("channel"), request.args.get("openid")))


@control.get("/mass")
def get_mass_jobs():
    return jsonify(jobs=mass_jobs(state()))


@control.post("/receipts/flush")
def post_flush_receipts():
    """Post the pending receipts to config webhook_url (signed with webhook_token); with
    ?app=miniapp the mini-program's to miniapp_webhook_url."""
    return jsonify(posted=flush_receipts(state(), miniapp=request.args.get("app") == "miniapp"))


@control.post("/tokens/expire")
def post_expire_tokens():
    expire_tokens(state())
    return jsonify(ok=True)
