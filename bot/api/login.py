"""Mini-program login: POST /api/v1/login exchanges wx.login()'s code for our own session token.

The token is signed with SECRET_KEY (itsdangerous) and expires; it names the resident, so every
personal endpoint serves only the caller's own data. Nothing about it is kept server-side.
"""
import logging
from collections.abc import Callable
from functools import wraps
from typing import Annotated

import requests
from flask import current_app, g, jsonify, request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from pydantic import BaseModel, Field, StringConstraints
from wechatpy.exceptions import WeChatClientException

from bot.api import ApiError, api, json_body, too_many_requests
from bot.api.openapi import LINE, refuse, responses, spec
from handlers.people import residents
from infra.wechat import client as wechat
from models import Resident, db

log = logging.getLogger(__name__)
SALT = "api-session"
# code2session errors that are the caller's fault (a stale or reused code), not WeChat's.
BAD_CODE = {40029: "invalid_code", 40163: "code_used", 41008: "invalid_code"}
# code2session errors of our configuration: wrong or frozen secret, unknown app id, missing ones.
CONFIG_ERRORS = {40125, 40243, 40013, 41002, 41004}


def serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def max_age() -> int:
    return current_app.config["API_TOKEN_MAX_AGE"]


def issue_token(resident: Resident) -> str:
    return serializer().dumps({"rid": resident.id, "oid": resident.openid})


def resident_of_token(token: str) -> Resident:
    claims = token_claims(token)
    resident = db.session.get(Resident, claims.get("rid"))
    # The openid check makes a token die with its resident, even if the id is reused later.
    if resident is None or resident.openid != claims.get("oid"):
        raise ApiError(401, "invalid_token", "登录凭证无效，请重新登录")
    return resident


def token_claims(token: str) -> dict:
    """What the token says, once its signature and age hold; else 401. Checked once per call:
    the gate counts the user and `personal` loads them from the same check."""
    if "checked_token" in g and g.checked_token[0] == token:
        return g.checked_token[1]
    try:
        claims = serializer().loads(token, max_age=max_age())
        if not isinstance(claims, dict):
            raise BadSignature("signed, but not our claims")
    except SignatureExpired:
        raise ApiError(401, "token_expired", "登录已过期，请重新登录")
    except BadSignature:
        raise ApiError(401, "invalid_token", "登录凭证无效，请重新登录")
    g.checked_token = (token, claims)
    return claims


def bearer_token(authorization: str) -> str:
    """The token of an `Authorization: Bearer <token>` header, "" for any other header."""
    scheme, _, token = authorization.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def signed_openid(authorization: str) -> str | None:
    """The openid a bearer token carries when its signature holds (the gate counts its calls
    before `personal` checks the resident it names)."""
    token = bearer_token(authorization)
    if not token:
        return None
    try:
        return token_claims(token).get("oid")
    except ApiError:  # expired or forged: `personal` says which
        return None


def personal(view):
    """For endpoints that touch personal data: a valid token, and g.resident is its owner."""
    @wraps(view)
    def guarded(*args, **kwargs):
        token = bearer_token(request.headers.get("Authorization", ""))
        if not token:
            raise ApiError(401, "login_required", "请先登录（Authorization: Bearer <token>）")
        g.resident = resident_of_token(token)
        if g.over_user_limit:  # counted by the gate (bot/api/gate.py)
            raise too_many_requests()
        return view(*args, **kwargs)

    return guarded


def json_hook(on_error: Callable[[Exception, dict], None] | None = None):
    """spectree's before-hook for a view with a JSON body.

    The body must first be a JSON object (415 json_required, 400 bad_json, as before spectree);
    then a body that does not fit the schema goes to `on_error` (which may raise the endpoint's own
    error) and otherwise gets the API's usual 400 invalid_fields.
    """
    def before(request, response, error, instance, adapter) -> None:
        body = json_body()
        if error is not None:
            if on_error is not None:
                on_error(error, body)
            refuse(error)

    return before


class LoginIn(BaseModel):
    code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128,
                                           pattern=LINE)] = Field(description="wx.login() 返回的 code")


class TokenOut(BaseModel):
    token: str = Field(description="之后请求时放在 Authorization: Bearer <token>")
    expires_in: int = Field(description="有效秒数")


def code_required(error: Exception, body: dict) -> None:
    raise ApiError(400, "code_required", "请提供 wx.login() 返回的 code")


@api.post("/login")
@spec.validate(json=LoginIn, resp=responses({200: TokenOut}, 400, 401, 403, 415, 502, 503),
               before=json_hook(code_required), tags=["login"])
def login(json: LoginIn):
    """Exchange wx.login()'s code for the API token (the resident is created on first login).

    Send the answer's token as Authorization: Bearer … on every personal endpoint; it expires after
    expires_in seconds. 401 for a code WeChat refuses (invalid or used), 403 login_blocked for an account
    WeChat holds back, 502/503 when WeChat's login service fails.
    """
    session = code_to_session(json.code)
    # Keyed by the mini-program's openid (not the Official Account's: another app, another
    # openid); the unionid, when code2session gives it, links the two.
    # (An installation that gives both apps one app id has one openid for both.)
    config = current_app.config
    app = residents.MINIAPP if config["WECHAT_MINIAPP_ID"] != config["WECHAT_APP_ID"] else residents.OFFICIAL
    resident = residents.find_or_create(session["openid"], session.get("unionid"), app=app)
    db.session.commit()
    return jsonify(token=issue_token(resident), expires_in=max_age())


def code_to_session(code: str) -> dict:
    try:
        return wechat.miniapp_client().code_to_session(code)  # no access token needed
    except WeChatClientException as error:
        if error.errcode in BAD_CODE:
            raise ApiError(401, BAD_CODE[error.errcode], "登录码无效或已使用，请重新登录")
        if error.errcode == 40226:  # 「高风险等级用户，小程序登录拦截」: WeChat refuses this user
            raise ApiError(403, "login_blocked", "微信判定当前账号存在风险，暂时无法登录。请在微信中完成安全验证后再试")
        if error.errcode in CONFIG_ERRORS:  # our side is wrong: no retry will help
            log.error("code2session refused our app id or secret: %s", error.errcode)
            raise ApiError(503, "login_misconfigured", "小程序登录配置有误，我们已记录，请联系管理员")
        log.warning("code2session failed: %s", error.errcode)
        raise ApiError(502, "wechat_error", "微信登录暂时不可用，请稍后再试")
    except requests.RequestException as error:
        log.warning("code2session unreachable: %s", error)
        raise ApiError(503, "wechat_unavailable", "微信登录暂时不可用，请稍后再试")
