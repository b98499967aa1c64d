"""The Official Account's webhook (/wechat): GET verifies the server, POST answers messages; and
the mini-program's message push (/wechat/miniapp), which WeChat signs with the mini-program's own
token (XML or JSON, any message mode) and from which only subscribe-message events are taken."""
import logging
import time

from flask import Blueprint, Response, abort, current_app, request
from sqlalchemy.exc import SQLAlchemyError
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException

from bot.webhook import gate, retries
from bot.webhook import inbound as wechat
from bot.webhook.late import send_late_answer
from content import texts
from handlers import load_routes
from handlers.inbox import answer_without_database, receive, shared_reads
from handlers.people import ledger
from handlers.router import Message
from infra import jobs, state
from infra.metrics import ANSWER_SECONDS, MESSAGES
from models import db

log = logging.getLogger(__name__)
webhook = Blueprint("webhook", __name__)


@webhook.get("/wechat")
def verify_server():
    return echo(wechat.gateway())


def echo(gateway: wechat.Gateway) -> Response:
    # An old signed triple must not make this origin reflect whatever echostr it carries.
    refuse_unless_signed(gateway)
    response = Response(request.args.get("echostr", ""), mimetype="text/plain")
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@webhook.post("/wechat")
def answer_message():
    config, args, gateway = current_app.config, request.args, wechat.gateway()
    timestamp, nonce = args.get("timestamp", ""), args.get("nonce", "")
    request.max_content_length = config["WECHAT_MAX_BODY"]
    refuse_unless_signed(gateway)
    encrypted = args.get("encrypt_type") == "aes"  # safe mode, or compatible mode
    refuse_plaintext_unless_allowed(encrypted)
    body = request.get_data()  # 413 past the cap
    try:
        plain = gateway.decrypt(body, args.get("msg_signature", ""), timestamp, nonce) if encrypted else body
        message, raw = wechat.read_message(plain)
    except InvalidSignatureException:
        abort(403, "bad msg_signature")
    except (wechat.BadMessage, InvalidAppIdException) as error:
        log.info("unreadable webhook body: %s", error)
        abort(400, "not a WeChat message")
    verdict = pass_gate(message, body, shared_reads(message.openid))
    MESSAGES.labels(message.event or message.kind).inc()
    with ANSWER_SECONDS.time():
        text = answer(message, verdict, config["WECHAT_REPLY_BUDGET"])
    reply = wechat.render_reply(text, raw)
    if encrypted and text:
        reply = gateway.crypto().encrypt_message(reply, nonce)
    return Response(reply, mimetype="application/xml" if text else "text/plain")


def answer(message: Message, verdict: gate.Verdict, budget: float) -> str | None:
    if verdict.kind == "retry":
        if verdict.answer is None:  # the first call still works on it
            return retries.wait_for_answer(message.retry_key, budget)
        return verdict.answer or None
    guarded = verdict.kind != "unguarded"

    def handle() -> str | None:
        records: list[ledger.Record] = []
        with state.prefetched(verdict.prefetched), state.closing() as writes:
            reply = texts.text("too_fast") if verdict.kind == "too_fast" else receive_or_recall(
                message, records if guarded else None)
            if guarded:
                retries.keep(message.retry_key, reply, records, writes)
        return reply

    def send_late(text: str) -> None:
        jobs.enqueue(send_late_answer, message.openid, text, message.retry_key)

    try:
        return retries.within_budget(handle, budget, send_late)
    except Exception:
        if guarded:
            retries.forget_claim(message.retry_key)
        # A reply, not a 500: WeChat would show the user "该公众号暂时无法提供服务".
        log.exception("handler failed for %s", message.kind)
        return texts.text("error")


def receive_or_recall(message: Message, behind: list[ledger.Record] | None) -> str | None:
    """The answer, kept; or, while the database is unreachable, what memory can still say."""
    try:
        return receive(message, load_routes(), behind)
    except SQLAlchemyError as error:
        log.warning("database unavailable, answering from memory: %s", error)
        db.session.remove()
        return answer_without_database(message)


def refuse_unless_signed(gateway: wechat.Gateway) -> None:
    """403 unless WeChat signed this call's token, timestamp and nonce, and recently."""
    args = request.args
    if not gateway.signature_ok(args.get("signature", ""), args.get("timestamp", ""), args.get("nonce", "")):
        abort(403, "bad signature")
    if not fresh(args.get("timestamp", ""), current_app.config["WECHAT_MAX_AGE"]):
        abort(403, "stale timestamp")


def refuse_plaintext_unless_allowed(encrypted: bool) -> None:
    """WECHAT_REQUIRE_SAFE_MODE: a body WeChat did not encrypt is refused (both push URLs)."""
    if not encrypted and current_app.config["WECHAT_REQUIRE_SAFE_MODE"]:
        abort(403, "plaintext refused: safe mode is required")


def pass_gate(message: Message, body: bytes, reads: list[str]) -> gate.Verdict:
    """The gate's verdict on a readable message; 403 for a reused signed URL, 429 past the IP's limit."""
    args = request.args
    verdict = gate.check(args.get("timestamp", ""), args.get("nonce", ""), body, request.remote_addr or "",
                         message.openid, message.retry_key, reads)
    if verdict.kind == "reused":
        abort(403, "signed URL reused with another body")
    if verdict.kind == "too_many":
        abort(429)
    return verdict


# The mini-program's message push: its server settings name this URL, its own token and
# EncodingAESKey, any message mode and either data format (inbound.read_push). Subscribe-message
# events are all it carries for us (customer-service messages in the mini-program are not
# used): anything else is acknowledged and ignored.
# https://developers.weixin.qq.com/miniprogram/dev/framework/server-ability/message-push.html
MINIAPP_EVENTS = {"subscribe_msg_popup_event", "subscribe_msg_change_event", "subscribe_msg_sent_event"}


@webhook.get("/wechat/miniapp")
def verify_miniapp_server():
    return echo(wechat.miniapp_gateway())


@webhook.post("/wechat/miniapp")
def miniapp_push():
    request.max_content_length = current_app.config["WECHAT_MAX_BODY"]
    args, gateway = request.args, wechat.miniapp_gateway()
    refuse_unless_signed(gateway)
    encrypted = args.get("encrypt_type") == "aes"
    refuse_plaintext_unless_allowed(encrypted)
    body = request.get_data()
    try:
        message = wechat.read_push(gateway, body, encrypted, args.get("msg_signature", ""),
                                   args.get("timestamp", ""), args.get("nonce", ""))
    except InvalidSignatureException:
        abort(403, "bad msg_signature")
    except (wechat.BadMessage, InvalidAppIdException) as error:
        log.info("unreadable mini-program push: %s", error)
        abort(400, "not a WeChat message")
    verdict = pass_gate(message, body, [])
    if message.event in MINIAPP_EVENTS and verdict.kind != "retry":
        MESSAGES.labels(message.event).inc()
        receive(message, load_routes())  # logged once (a retry is not acted on twice)
    return Response("success", mimetype="text/plain")


def fresh(timestamp: str, max_age: int) -> bool:
    """WeChat signs the time of the call; an old one is a replay."""
    try:
        return abs(time.time() - int(timestamp)) <= max_age
    except ValueError:
        return False
