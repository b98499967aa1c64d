"""The WeChat endpoints the product calls, each registered by path with @endpoint.

A handler takes the state and the call and returns the success JSON, or raises WeChatError.
Handlers run under the state's lock, so they may read and write the state freely.
"""
import base64
import hashlib
import re
import time
from dataclasses import dataclass, field
from typing import Callable

from fake_wechat.state import (
    CLIENTMSGID_TTL,
    FIRST_TAG_ID,
    TEMPLATE_CLIENT_ID_TTL,
    FakeState,
    MediaFile,
    WeChatError,
    app_prefix,
    openid_for,
    receipt_xml,
    unionid_for,
    user_of_code,
)

OK = {"errcode": 0, "errmsg": "ok"}
OPENID_RE = re.compile(r"^[\w-]{1,64}$")
CODE_RE = re.compile(r"^[\w-]{1,64}(#[\w-]{0,64})?$")


@dataclass
class Call:
    """One request as a handler sees it: the app behind the token, query params and JSON body."""

    app_id: str
    params: dict
    body: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Endpoint:
    path: str
    methods: tuple[str, ...]
    handler: Callable[[FakeState, Call], dict]
    needs_token: bool


ENDPOINTS: dict[str, Endpoint] = {}


def endpoint(path: str, methods: tuple[str, ...] = ("POST",), needs_token: bool = True):
    """Register a handler for a WeChat path."""
    def register(handler):
        ENDPOINTS[path] = Endpoint(path, methods, handler, needs_token)
        return handler
    return register


# APIs of the mini-program; every other token-taking API here is the Official Account's.
MINIAPP_ONLY = {"/cgi-bin/message/subscribe/send"}


def check_app(state: FakeState, path: str, app_id: str, call: Call) -> None:
    """When mini-programs are named in the config (the default of the tests and of `make run`):
    a token works only for its own app's APIs (48001), and an openid only in its own app (40003
    「不合法的 OpenID……或是否是其他公众号的 OpenID」,
    https://developers.weixin.qq.com/doc/oplatform/Return_codes/Return_code_descriptions_new.html).
    A mini-program's openids are those the fake issued for it (they carry its prefix); the
    Official Account refuses any mini-program's."""
    minis = state.config["miniapp_ids"]
    if not minis:
        return
    if (path in MINIAPP_ONLY) != (app_id in minis):
        raise WeChatError(48001, "api unauthorized")
    openids = [o for o in openids_of(call) if isinstance(o, str)]
    if app_id in minis:
        wrong = any(not o.startswith(app_prefix(app_id)) for o in openids)
    else:
        wrong = any(o.startswith(app_prefix(mini)) for o in openids for mini in minis)
    if wrong:
        raise WeChatError(40003)


def openids_of(call: Call) -> list:
    """Every openid a call names: touser (one or a list), openid, openid_list."""
    found = []
    for value in (call.body.get("touser"), call.body.get("openid"), call.body.get("openid_list"),
                  call.params.get("openid")):
        found.extend(value if isinstance(value, list) else [value] if value else [])
    return found


def require_openid(openid) -> str:
    if not openid:
        raise WeChatError(41009)
    if not isinstance(openid, str) or not OPENID_RE.match(openid):
        raise WeChatError(40003)
    return openid


def require_follower(state: FakeState, openid) -> str:
    """A valid openid of a user who follows the account (43004 once they unfollowed)."""
    require_openid(openid)
    if not state.flag(openid, "subscribed"):
        raise WeChatError(43004)
    return openid


# access token and mini-program login


@endpoint("/cgi-bin/token", methods=("GET",), needs_token=False)
def token(state: FakeState, call: Call) -> dict:
    if call.params.get("grant_type") != "client_credential":
        raise WeChatError(40002)
    app_id = call.params.get("appid", "")
    state.check_secret(app_id, call.params.get("secret", ""))
    value, ttl = state.issue_token(app_id)
    return {"access_token": value, "expires_in": ttl}


@endpoint("/sns/jscode2session", methods=("GET",), needs_token=False)
def jscode2session(state: FakeState, call: Call) -> dict:
    """Mini-program login; answers without errcode on success, like WeChat."""
    app_id, code = call.params.get("appid", ""), call.params.get("js_code", "")
    state.check_secret(app_id, call.params.get("secret", ""))
    if call.params.get("grant_type") != "authorization_code":
        raise WeChatError(40002)
    if not code:
        raise WeChatError(41008)
    if not CODE_RE.match(code) or code.startswith("invalid"):
        raise WeChatError(40029)
    if (app_id, code) in state.used_codes:  # a wx.login() code is good for one exchange only
        raise WeChatError(40163)
    state.used_codes.add((app_id, code))
    user = user_of_code(code)
    session = {"openid": openid_for(user, app_id), "session_key": _session_key(code)}
    state.login_users.add(user)
    if state.config["unionid"]:
        session["unionid"] = unionid_for(user)
    return session


def _session_key(code: str) -> str:
    return base64.b64encode(hashlib.md5(f"session:{code}".encode()).digest()).decode()


# customer-service messages

CUSTOM_TYPES = {"text", "image", "voice", "video", "music", "news", "mpnews", "mpnewsarticle",
                "msgmenu", "wxcard", "miniprogrampage", "link"}


@endpoint("/cgi-bin/message/custom/send")
def custom_send(state: FakeState, call: Call) -> dict:
    openid = require_follower(state, call.body.get("touser"))
    check_custom_content(call.body)
    # Only inside a window the user opened, and within its count (see state.DEFAULT_CONFIG).
    window = state.window(openid)
    if window is None:
        raise WeChatError(45015)
    if window[2] >= state.config[f"{window[0]}_window"][0]:
        raise WeChatError(45047)
    window[2] += 1
    state.deliver("custom", openid)
    return dict(OK)


def check_custom_content(body: dict) -> None:
    kind = body.get("msgtype")
    if kind not in CUSTOM_TYPES or not isinstance(body.get(kind), dict):
        raise WeChatError(40008)
    content = body[kind]
    if kind == "text":
        if not content.get("content"):
            raise WeChatError(44004)
        if len(content["content"].encode()) > 2048:
            raise WeChatError(45002)
    elif kind == "news":
        if not content.get("articles"):
            raise WeChatError(44003)
        if len(content["articles"]) > 1:  # since 2018-10 a customer-service news holds one article
            raise WeChatError(45008)
    elif kind == "miniprogrampage" and not (content.get("appid") and content.get("pagepath")):
        raise WeChatError(47003)


# tags: at most 100 per account, 20 per user, 50 openids per batch call


@endpoint("/cgi-bin/tags/create")
def tags_create(state: FakeState, call: Call) -> dict:
    name = check_tag_name(state, call.body)
    if sum(tag_id >= FIRST_TAG_ID for tag_id in state.tags) >= 100:
        raise WeChatError(45056)
    tag_id, state.next_tag_id = state.next_tag_id, state.next_tag_id + 1
    state.tags[tag_id] = name
    return {"tag": {"id": tag_id, "name": name}}


@endpoint("/cgi-bin/tags/get", methods=("GET",))
def tags_get(state: FakeState, call: Call) -> dict:
    return {"tags": [{"id": tag_id, "name": name, "count": len(tag_members(state, tag_id))}
                     for tag_id, name in sorted(state.tags.items())]}


@endpoint("/cgi-bin/tags/update")
def tags_update(state: FakeState, call: Call) -> dict:
    tag_id = user_tag_id(state, call.body.get("tag", {}).get("id"))
    state.tags[tag_id] = check_tag_name(state, call.body, except_id=tag_id)
    return dict(OK)


@endpoint("/cgi-bin/tags/delete")
def tags_delete(state: FakeState, call: Call) -> dict:
    tag_id = user_tag_id(state, call.body.get("tag", {}).get("id"))
    if len(tag_members(state, tag_id)) > 100_000:  # bigger tags must be emptied first
        raise WeChatError(45057)
    del state.tags[tag_id]
    for tags in state.user_tags.values():
        tags.discard(tag_id)
    return dict(OK)


@endpoint("/cgi-bin/tags/members/batchtagging")
def tags_batch_tag(state: FakeState, call: Call) -> dict:
    tag_id, openids = batch_args(state, call.body)
    if any(len(state.user_tags.get(o, set()) | {tag_id}) > 20 for o in openids):
        raise WeChatError(45059)
    for openid in openids:
        state.user_tags.setdefault(openid, set()).add(tag_id)
        state.followers.add(openid)
    return dict(OK)


@endpoint("/cgi-bin/tags/members/batchuntagging")
def tags_batch_untag(state: FakeState, call: Call) -> dict:
    tag_id, openids = batch_args(state, call.body)
    for openid in openids:
        state.user_tags.get(openid, set()).discard(tag_id)
    return dict(OK)


@endpoint("/cgi-bin/tags/getidlist")
def tags_of_user(state: FakeState, call: Call) -> dict:
    openid = require_openid(call.body.get("openid"))
    return {"tagid_list": sorted(state.user_tags.get(openid, ()))}


@endpoint("/cgi-bin/user/tag/get")
def users_of_tag(state: FakeState, call: Call) -> dict:
    """Followers with a tag, 10000 a page after next_openid."""
    tag_id = known_tag_id(state, call.body.get("tagid"))
    after = call.body.get("next_openid") or ""
    page = [o for o in sorted(tag_members(state, tag_id)) if o > after][:10_000]
    if not page:
        return {"count": 0, "next_openid": ""}
    return {"count": len(page), "data": {"openid": page}, "next_openid": page[-1]}


def check_tag_name(state: FakeState, body: dict, except_id: int | None = None) -> str:
    name = (body.get("tag") or {}).get("name") or ""
    if len(name) > 30:
        raise WeChatError(45158)
    if not name.strip() or any(n == name for i, n in state.tags.items() if i != except_id):
        raise WeChatError(45157)  # names must be unique in the account
    return name


def known_tag_id(state: FakeState, tag_id) -> int:
    if not isinstance(tag_id, int) or tag_id not in state.tags:
        raise WeChatError(45159)
    return tag_id


def user_tag_id(state: FakeState, tag_id) -> int:
    if known_tag_id(state, tag_id) < FIRST_TAG_ID:  # ids 0, 1, 2 are WeChat's own
        raise WeChatError(45058)
    return tag_id


def batch_args(state: FakeState, body: dict) -> tuple[int, list[str]]:
    tag_id = known_tag_id(state, body.get("tagid"))
    openids = body.get("openid_list") or []
    if not isinstance(openids, list) or not 0 < len(openids) <= 50:
        raise WeChatError(40032)
    return tag_id, [require_openid(o) for o in openids]


def tag_members(state: FakeState, tag_id: int) -> list[str]:
    return [o for o, tags in state.user_tags.items() if tag_id in tags]


# mass send: by tag or by openid list, deduplicated by clientmsgid


@endpoint("/cgi-bin/message/mass/sendall")
def mass_sendall(state: FakeState, call: Call) -> dict:
    filter_ = call.body.get("filter") or {}
    if filter_.get("is_to_all"):
        recipients = sorted(state.followers)
    else:  # wechatpy still names the tag group_id, the current API tag_id
        tag_id = filter_.get("tag_id", filter_.get("group_id"))
        recipients = sorted(tag_members(state, known_tag_id(state, tag_id)))
    return mass_job(state, call, recipients)


@endpoint("/cgi-bin/message/mass/send")
def mass_send(state: FakeState, call: Call) -> dict:
    recipients = call.body.get("touser")
    if not isinstance(recipients, list) or len(recipients) < 2:
        raise WeChatError(40130)
    if len(recipients) > 10_000:
        raise WeChatError(40032)
    return mass_job(state, call, recipients)


@endpoint("/cgi-bin/message/mass/preview")
def mass_preview(state: FakeState, call: Call) -> dict:
    openid = require_follower(state, call.body.get("touser"))
    check_mass_content(call.body, state)
    state.deliver("preview", openid)
    return {"errcode": 0, "errmsg": "preview success", "msg_id": state.next_id()}


@endpoint("/cgi-bin/message/mass/get")
def mass_get(state: FakeState, call: Call) -> dict:
    """The batch's status: SEND_SUCCESS, SENDING, SEND_FAIL or DELETE; 40059 for an unknown msg_id.
    https://developers.weixin.qq.com/doc/service/api/notify/message/api_massmsgget.html"""
    job = state.mass_jobs.get(_int(call.body.get("msg_id")))
    if job is None or job["app_id"] != call.app_id:
        raise WeChatError(40059)
    return {"msg_id": job["msg_id"], "msg_status": job["msg_status"]}  # the real outcome


def mass_job(state: FakeState, call: Call, recipients: list) -> dict:
    check_mass_content(call.body, state)
    client_msg_id = call.body.get("clientmsgid")
    check_client_msg_id(state, call.app_id, client_msg_id)
    take_mass_slot(state)
    review = state.config["mass_review"]
    kept = [] if review else [o for o in recipients if can_receive_mass(state, o)]
    failed = [o for o in kept if state.flag(o, "blocks") or state.flag(o, "system_fails")]
    sent = [o for o in kept if o not in failed]
    for openid in sent:
        state.mass_counts[openid] += 1
        state.deliver("mass", openid)
    msg_id = state.next_id()
    # FilterCount: left after WeChat's filtering; SentCount + ErrorCount ≈ FilterCount.
    job = {"msg_id": msg_id, "msg_status": "SEND_FAIL" if review else "SEND_SUCCESS",
           "clientmsgid": client_msg_id, "app_id": call.app_id, "msgtype": call.body["msgtype"],
           "TotalCount": len(recipients), "FilterCount": len(kept), "SentCount": len(sent),
           "ErrorCount": len(failed), "Status": review or "send success"}
    state.mass_jobs[msg_id] = job
    state.receipts.append(receipt_xml(state.config["original_id"], "mphelper", "MASSSENDJOBFINISH", {
        "MsgID": msg_id, "Status": job["Status"], "TotalCount": job["TotalCount"],
        "FilterCount": job["FilterCount"], "SentCount": job["SentCount"], "ErrorCount": job["ErrorCount"]}))
    if client_msg_id:
        state.clientmsgids[(call.app_id, client_msg_id)] = (msg_id, time.time())
    answer = {"errcode": 0, "errmsg": "send job submission success", "msg_id": msg_id}
    if call.body["msgtype"] == "mpnews":
        answer["msg_data_id"] = msg_id % 1_000_000_000
    return answer


def check_mass_content(body: dict, state: FakeState | None = None) -> None:
    kind = body.get("msgtype")
    if kind not in {"text", "mpnews", "image", "voice", "mpvideo", "wxcard"} or not body.get(kind):
        raise WeChatError(40008)
    if kind == "text" and not body[kind].get("content"):
        raise WeChatError(44004)
    media_ids = state.config["media_ids"] if state else None
    media_id = body[kind].get("media_id")
    if kind != "text" and media_ids is not None and media_id not in media_ids and media_id not in state.media:
        raise WeChatError(40007)  # invalid media_id: never uploaded, or expired


def check_client_msg_id(state: FakeState, app_id: str, client_msg_id) -> None:
    """A clientmsgid seen in the last 24 h answers 45065 with the first send's msg_id."""
    if not client_msg_id:
        return
    if len(str(client_msg_id).encode()) > 64:
        raise WeChatError(45067)
    seen = state.clientmsgids.get((app_id, client_msg_id))
    if seen and time.time() - seen[1] < CLIENTMSGID_TTL:
        raise WeChatError(45065, msg_id=seen[0])


def take_mass_slot(state: FakeState) -> None:
    """At most mass_per_minute mass-send calls in any 60 s."""
    now = time.time()
    while state.mass_times and now - state.mass_times[0] >= 60:
        state.mass_times.popleft()
    if len(state.mass_times) >= state.config["mass_per_minute"]:
        raise WeChatError(45011)
    state.mass_times.append(now)


def can_receive_mass(state: FakeState, openid) -> bool:
    """WeChat silently filters unfollowed users and those who had their 4 mass messages this month."""
    return (isinstance(openid, str) and bool(OPENID_RE.match(openid))
            and state.flag(openid, "subscribed")
            and state.mass_counts[openid] < state.config["mass_per_user_month"])


# template and subscribe messages


@endpoint("/cgi-bin/message/template/send")
def template_send(state: FakeState, call: Call) -> dict:
    openid = require_follower(state, call.body.get("touser"))
    check_template_id(state, call.body.get("template_id"))
    # client_msg_id: one message per openid and id within 10 min; a repeat answers the first msgid.
    repeat_key = (call.app_id, openid, call.body.get("client_msg_id"))
    seen = state.template_client_ids.get(repeat_key) if repeat_key[2] else None
    if seen and time.time() - seen[1] < TEMPLATE_CLIENT_ID_TTL:
        return {"errcode": 0, "errmsg": "ok", "msgid": seen[0]}
    quota_key = (call.app_id, time.strftime("%Y-%m-%d"))
    if state.template_counts[quota_key] >= state.config["template_daily_quota"]:
        raise WeChatError(45009)
    state.template_counts[quota_key] += 1
    msgid = state.next_id()
    status = ("failed:user block" if state.flag(openid, "blocks")
              else "failed: system failed" if state.flag(openid, "system_fails") else "success")
    if status == "success":
        state.deliver("template", openid)
    state.receipts.append(receipt_xml(state.config["original_id"], openid, "TEMPLATESENDJOBFINISH",
                                      {"MsgID": msgid, "Status": status}))
    if repeat_key[2]:
        state.template_client_ids[repeat_key] = (msgid, time.time())
    return {"errcode": 0, "errmsg": "ok", "msgid": msgid}


@endpoint("/cgi-bin/message/subscribe/send")  # mini-program subscribe message
@endpoint("/cgi-bin/message/subscribe/bizsend")  # official-account subscribe notification
def subscribe_send(state: FakeState, call: Call) -> dict:
    openid = require_openid(call.body.get("touser"))
    check_template_id(state, call.body.get("template_id"))
    if not isinstance(call.body.get("data"), dict):
        raise WeChatError(47003)
    grant = (call.app_id, openid, call.body["template_id"])
    if state.subscribe_grants[grant] <= 0:  # the user accepted no (or no more) such message
        raise WeChatError(43101)
    state.subscribe_grants[grant] -= 1  # a one-time subscription is good for one message
    failed = state.flag(openid, "system_fails")
    if not failed:
        state.deliver("subscribe", openid)
    msgid = state.next_id()
    # The result comes later as subscribe_msg_sent_event: the mini-program's to its own message
    # push URL, the Official Account's to its webhook.
    mini = call.app_id in state.config["miniapp_ids"]
    (state.miniapp_receipts if mini else state.receipts).append(receipt_xml(
        state.config["miniapp_original_id" if mini else "original_id"], openid, "subscribe_msg_sent_event",
        {"SubscribeMsgSentEvent": {"List": {
            "TemplateId": call.body["template_id"], "MsgID": msgid,
            "ErrorCode": 10005 if failed else 0, "ErrorStatus": "fail" if failed else "success"}}}))
    return {"errcode": 0, "errmsg": "ok", "msgid": msgid}


def check_template_id(state: FakeState, template_id) -> None:
    approved = state.config["template_ids"]
    if not template_id or (approved is not None and template_id not in approved):
        raise WeChatError(40037)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# temporary media: https://developers.weixin.qq.com/doc/offiaccount/Asset_Management/Get_temporary_materials.html
# and https://developers.weixin.qq.com/doc/subscription/en/api/material/temporary/api_uploadtempmedia.html
# (kept 3 days; images up to 2 MB, videos 10 MB; voice 2 MB and thumbnails 64 KB as the asset
# management pages give them).
UPLOAD_LIMITS = {"image": 2 << 20, "voice": 2 << 20, "video": 10 << 20, "thumb": 64 << 10}
UPLOAD_TYPES = {"image": ("image/jpeg", "image/png", "image/gif", "image/bmp"),
                "voice": ("audio/amr", "audio/mpeg", "audio/mp3"), "video": ("video/mp4",),
                "thumb": ("image/jpeg",)}


@endpoint("/cgi-bin/media/upload")
def media_upload(state: FakeState, call: Call) -> dict:
    """A temporary media file of the caller's app: its media_id, for messages and media/get."""
    kind, media = call.params.get("type", ""), call.body.get("media")
    if kind not in UPLOAD_LIMITS:
        raise WeChatError(40004)
    if not isinstance(media, MediaFile) or not media.data:
        raise WeChatError(41005)
    if media.content_type not in UPLOAD_TYPES[kind]:
        raise WeChatError(40005)
    if len(media.data) > UPLOAD_LIMITS[kind]:
        raise WeChatError(40006)
    media_id = state.keep_media(call.app_id, media.data, media.content_type)
    return {"type": kind, "media_id": media_id, "created_at": int(time.time())}



@endpoint("/cgi-bin/media/get", methods=("GET",))
def media_get(state: FakeState, call: Call) -> MediaFile:
    """The file's bytes; 40007 for a media_id the app does not have (never issued, another app's,
    or past WeChat's 3 days)."""
    found = state.media.get(call.params.get("media_id") or "")
    if found is None or found.app_id != call.app_id:
        raise WeChatError(40007)
    return found


# the custom menu: https://developers.weixin.qq.com/doc/service/api/custommenu/api_createcustommenu.html

MENU_TYPES = {"click", "view", "scancode_push", "scancode_waitmsg", "pic_sysphoto", "pic_photo_or_album",
              "pic_weixin", "location_select", "media_id", "view_limited", "article_id",
              "article_view_limited", "miniprogram"}


@endpoint("/cgi-bin/menu/create")
def menu_create(state: FakeState, call: Call) -> dict:
    buttons = call.body.get("button")
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= 3:
        raise WeChatError(40016, "invalid button size")
    for button in buttons:
        subs = button.get("sub_button")
        if subs:
            if len(subs) > 5:
                raise WeChatError(40023, "invalid sub button size")
            check_menu_entry(button, 16, with_type=False)
            for sub in subs:
                check_menu_entry(sub, 60)
        else:
            check_menu_entry(button, 16)
    state.menus[call.app_id] = {"button": buttons}
    return dict(OK)


@endpoint("/cgi-bin/menu/get", methods=("GET",))
def menu_get(state: FakeState, call: Call) -> dict:
    if call.app_id not in state.menus:
        raise WeChatError(46003, "menu no exist")
    return {"menu": state.menus[call.app_id]}


def check_menu_entry(entry: dict, name_bytes: int, with_type: bool = True) -> None:
    if not 0 < len((entry.get("name") or "").encode()) <= name_bytes:
        raise WeChatError(40018 if name_bytes == 16 else 40025, "invalid button name size")
    if not with_type:
        return
    kind = entry.get("type")
    if kind not in MENU_TYPES:
        raise WeChatError(40017, "invalid button type")
    if kind in ("click", "scancode_push", "scancode_waitmsg") and not 0 < len(
            (entry.get("key") or "").encode()) <= 128:
        raise WeChatError(40019, "invalid button key size")
    if kind in ("view", "miniprogram") and not 0 < len((entry.get("url") or "").encode()) <= 1024:
        raise WeChatError(40020, "invalid button url size")
    if kind == "miniprogram" and not (entry.get("appid") and entry.get("pagepath")):
        raise WeChatError(40027, "invalid sub button url size")


# user info: https://developers.weixin.qq.com/doc/offiaccount/User_Management/Get_users_basic_information_UnionID.html


@endpoint("/cgi-bin/user/info", methods=("GET",))
def user_info(state: FakeState, call: Call) -> dict:
    """subscribe 0 gives nothing else; unionid only when the app is bound to an Open Platform
    account (config unionid) and the fake knows the user (one who logged in to the mini-program)."""
    openid = require_openid(call.params.get("openid"))
    if not state.flag(openid, "subscribed"):
        return {"subscribe": 0, "openid": openid}
    info = {"subscribe": 1, "openid": openid, "language": "zh_CN", "subscribe_time": int(time.time()),
            "remark": "", "groupid": 0, "tagid_list": sorted(state.user_tags.get(openid, ())),
            "subscribe_scene": "ADD_SCENE_OTHERS", "qr_scene": 0, "qr_scene_str": ""}
    user = next((u for u in state.login_users if openid_for(u, call.app_id) == openid), None)
    if user is not None and state.config["unionid"]:
        info["unionid"] = unionid_for(user)
    return info


# parametric QR codes: https://developers.weixin.qq.com/doc/service/api/qrcode/qrcodes/api_createqrcode.html


@endpoint("/cgi-bin/qrcode/create")
def qrcode_create(state: FakeState, call: Call) -> dict:
    action = call.body.get("action_name")
    scene = ((call.body.get("action_info") or {}).get("scene") or {})
    if action in ("QR_LIMIT_STR_SCENE", "QR_STR_SCENE"):
        value = scene.get("scene_str")
        if not isinstance(value, str) or not 1 <= len(value) <= 64:
            raise WeChatError(40003 if value is None else 40004, "invalid scene_str")
    elif action in ("QR_LIMIT_SCENE", "QR_SCENE"):
        value = scene.get("scene_id")
        limit = 100_000 if action == "QR_LIMIT_SCENE" else 2**32 - 1
        if not isinstance(value, int) or not 1 <= value <= limit:
            raise WeChatError(40004, "invalid scene_id")  # a missing scene level gives scene 0
    else:
        raise WeChatError(40053, "invalid action info")
    ticket = base64.urlsafe_b64encode(hashlib.sha256(f"{call.app_id}:{action}:{value}".encode()).digest()).decode()
    answer = {"ticket": ticket, "url": f"http://weixin.qq.com/q/{ticket[:22]}"}
    if action in ("QR_SCENE", "QR_STR_SCENE"):
        answer["expire_seconds"] = int(call.body.get("expire_seconds") or 60)
    state.qrcodes[ticket] = {"action": action, "scene": value, "app_id": call.app_id}
    return answer
