"""The fake's Flask app: one route per registered WeChat endpoint, plus the /_fake/ switches."""
import json
import time
from functools import partial

from flask import Flask, Response, request

from fake_wechat.control import control
from fake_wechat.endpoints import ENDPOINTS, Call, Endpoint, check_app
from fake_wechat.state import FakeState, Fault, MediaFile, WeChatError


def create_fake_wechat(app_id_secrets: dict[str, str] | None = None, *, max_calls: int = 100_000,
                       miniapp_ids: tuple[str, ...] = (), settings: dict | None = None) -> Flask:
    """The fake's Flask app; app_id_secrets None accepts any app id and secret; miniapp_ids are
    the apps that are mini-programs (their tokens and openids kept apart from the others').

    max_calls bounds the call log (oldest dropped), so a long fan-out cannot exhaust memory.
    """
    app = Flask(__name__)
    state = FakeState(app_id_secrets, max_calls, miniapp_ids, settings)
    app.extensions["fake_wechat"] = state
    for ep in ENDPOINTS.values():
        # Both methods are routed so a wrong one gets WeChat's 43001/43002 rather than a 405.
        app.add_url_rule(ep.path, endpoint=ep.path, view_func=partial(serve_endpoint, state, ep),
                         methods=["GET", "POST"])
    app.register_blueprint(control)
    return app


def serve_endpoint(state: FakeState, ep: Endpoint) -> Response:
    """Apply any fault, answer the call, and record it."""
    started = time.time()
    params = request.args.to_dict()
    body, body_error = read_upload() if request.files else read_body()
    touser = body.get("touser") if isinstance(body.get("touser"), str) else None
    fault = state.take_fault(ep.path, touser)
    if fault and fault.delay:
        time.sleep(fault.delay)  # outside the lock: other calls go on meanwhile
    with state.lock:
        app_id, status, payload = answer(state, ep, Call("", params, body), body_error, fault)
        # The log keeps no secret, and no token (app_id names the caller; 100k tokens cost memory).
        logged = {k: "***" if k == "secret" else v for k, v in params.items() if k != "access_token"}
        state.record({"endpoint": ep.path, "method": request.method, "params": logged,
                      "json": loggable(body), "time": started, "app_id": app_id, "status": status,
                      "errcode": payload.get("errcode", 0) if isinstance(payload, dict) else None})
    if payload is None:
        return Response("Internal Server Error" if status >= 500 else "", status=status)
    if isinstance(payload, MediaFile):  # a file, as WeChat serves media (not JSON)
        return Response(payload.data, status=status, mimetype=payload.content_type)
    return Response(json.dumps(payload, ensure_ascii=False), status=status, mimetype="application/json")


def read_body() -> tuple[dict, WeChatError | None]:
    """The JSON body (wechatpy posts it without a content type); empty for GET."""
    raw = request.get_data()
    if request.method == "GET":
        return {}, None
    if not raw.strip():
        return {}, WeChatError(44002)
    try:
        body = json.loads(raw)
    except ValueError:
        return {}, WeChatError(47001)
    return (body, None) if isinstance(body, dict) else ({}, WeChatError(47001))


def read_upload() -> tuple[dict, WeChatError | None]:
    """media/upload's file, posted as form data under "media" (as wechatpy and curl -F do)."""
    upload = request.files.get("media")
    if upload is None:
        return {}, WeChatError(41005)
    return {"media": MediaFile("", upload.read(), upload.mimetype or "application/octet-stream")}, None


def loggable(body: dict) -> dict | None:
    """The call log's copy of a body: an uploaded file by its size, not its bytes."""
    if isinstance(body.get("media"), MediaFile):
        return {"media": f"{len(body['media'].data)} bytes, {body['media'].content_type}"}
    return body or None


def answer(state: FakeState, ep: Endpoint, call: Call, body_error: WeChatError | None,
           fault: Fault | None) -> tuple[str, int, dict | MediaFile | None]:
    """(app id, HTTP status, JSON payload, a file, or None for a bare HTTP error)."""
    try:
        if request.method not in ep.methods:
            raise WeChatError(43002 if "POST" in ep.methods else 43001,
                              f"require {ep.methods[0]} method")
        if ep.needs_token:
            call.app_id = state.app_of_token(call.params.get("access_token"))
            check_app(state, ep.path, call.app_id, call)
        else:
            call.app_id = call.params.get("appid", "")
        if fault and fault.status:
            return call.app_id, fault.status, None
        if fault and fault.errcode is not None:
            raise WeChatError(fault.errcode, fault.errmsg)
        if body_error:
            raise body_error
        return call.app_id, 200, ep.handler(state, call)
    except WeChatError as error:
        return call.app_id, 200, error.body()

