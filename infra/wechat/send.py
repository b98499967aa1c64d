"""One send path to WeChat: plain values in, a msg id or a SendError out.

A SendError says whether trying again can help: permanent (unfollowed, bad openid, closed
customer-service window, a refused message), transient (busy: retry later), quota (a daily quota
is used up: wait for its reset, never hammer), duplicate
(a mass send with this clientmsgid went out before), or unknown (the call may have reached
WeChat: a time-out).
"""
import logging

import requests
from wechatpy.exceptions import WeChatClientException

from infra.metrics import WECHAT_UNKNOWN_ERRORS
from infra.wechat import client as clients
from infra.wechat.errors import Handling, handling, is_known

log = logging.getLogger(__name__)


class SendError(Exception):
    """A call WeChat refused or that failed on the way."""

    def __init__(self, code: str, kind: str, msg_id: str | None = None):
        super().__init__(f"{code} ({kind})")
        self.code, self.kind, self.msg_id = code, kind, msg_id


def classify(error: WeChatClientException) -> SendError:
    if error.errcode is None:  # an HTTP error status: WeChat did not handle the call
        return SendError("http", "transient")
    code = int(error.errcode)
    if not is_known(code):
        WECHAT_UNKNOWN_ERRORS.labels(str(code)).inc()
        log.warning("unknown WeChat errcode %s (%s): treated as permanent", code, error.errmsg)
    match handling(code):
        case Handling.DUPLICATE:
            # WeChat answers a repeated clientmsgid with the first send's msg_id.
            msg_id = None
            try:
                msg_id = str(error.response.json().get("msg_id") or "") or None
            except Exception:
                pass
            return SendError(str(code), "duplicate", msg_id)
        case Handling.PERMANENT:
            return SendError(str(code), "permanent")
        case Handling.QUOTA:
            return SendError(str(code), "quota")
        case _:
            return SendError(str(code), "transient")


class Sender:
    """One app's API client for a run of calls: one HTTP connection, one access token lookup."""

    def __init__(self, app: str = "official"):
        self.client = clients.miniapp_client() if app == "miniapp" else clients.client()

    def _call(self, method: str, endpoint: str, data: dict | None = None,
              params: dict | None = None) -> dict:
        if method == "get":  # wechatpy adds the token
            return self._guarded(lambda: self.client.get(endpoint, params=dict(params or {})))
        return self._guarded(lambda: self.client.post(endpoint, data=data))

    def _guarded(self, call):
        """The call's answer, or the SendError that says whether trying again can help."""
        try:
            return call()
        except WeChatClientException as error:
            raise classify(error) from error
        except requests.exceptions.ConnectTimeout as error:  # never reached WeChat
            raise SendError("timeout", "transient") from error
        except (requests.Timeout, requests.ConnectionError) as error:
            # The request may have been handled before the answer was lost: nobody knows.
            raise SendError("network", "unknown") from error

    def _post(self, endpoint: str, data: dict) -> dict:
        return self._call("post", endpoint, data)

    # mass sends: one call reaches many; clientmsgid makes a repeat harmless (24 h)
    def mass_by_tag(self, tag_id: int | None, message: dict, client_msg_id: str) -> str:
        """tag_id None: every follower (is_to_all)."""
        target = {"is_to_all": True} if tag_id is None else {"is_to_all": False, "tag_id": tag_id}
        return self._mass("message/mass/sendall", {"filter": target}, message, client_msg_id)

    def mass_by_openids(self, openids: list[str], message: dict, client_msg_id: str) -> str:
        return self._mass("message/mass/send", {"touser": openids}, message, client_msg_id)

    def _mass(self, endpoint: str, target: dict, message: dict, client_msg_id: str) -> str:
        body = {**target, **message, "clientmsgid": client_msg_id, "send_ignore_reprint": 0}
        try:
            return str(self._post(endpoint, body).get("msg_id"))
        except SendError as error:
            if error.kind == "duplicate":
                return error.msg_id or "duplicate"
            raise

    def mass_status(self, msg_id: str) -> str:
        """A mass send's status: SEND_SUCCESS, SENDING, SEND_FAIL or DELETE (40059: unknown msg_id).
        https://developers.weixin.qq.com/doc/service/api/notify/message/api_massmsgget.html"""
        return str(self._post("message/mass/get", {"msg_id": msg_id}).get("msg_status") or "")

    def preview(self, openid: str, message: dict) -> None:
        self._post("message/mass/preview", {"touser": openid, **message})

    # one by one
    def custom(self, openid: str, message: dict) -> None:
        self._post("message/custom/send", {"touser": openid, **message})

    def custom_text(self, openid: str, text: str) -> None:
        self.custom(openid, {"msgtype": "text", "text": {"content": text}})

    def template(self, openid: str, template_id: str, data: dict, url: str,
                 client_msg_id: str) -> str:
        """The msgid its TEMPLATESENDJOBFINISH receipt will name."""
        # client_msg_id: WeChat sends one message per openid and id (10 min), so a re-run is safe.
        answer = self._post("message/template/send", {"touser": openid, "template_id": template_id,
                                                      "url": url, "data": data,
                                                      "client_msg_id": client_msg_id})
        return str(answer.get("msgid") or "")

    def media(self, media_id: str) -> bytes:
        """A temporary media file's bytes, e.g. a resident's image message (WeChat keeps it 3 days,
        then answers 40007). wechatpy gives the HTTP response of a file, and raises on an errcode.
        https://developers.weixin.qq.com/doc/offiaccount/Asset_Management/Get_temporary_materials.html"""
        return self._guarded(lambda: self.client.media.download(media_id)).content

    def subscribe(self, openid: str, template_id: str, data: dict, page: str) -> str:
        """The Official Account's subscribe message (bizsend; WeChat answers no msgid)."""
        answer = self._post("message/subscribe/bizsend", {"touser": openid, "template_id": template_id,
                                                          "page": page, "data": data})
        return str(answer.get("msgid") or "")

    def wxa_subscribe(self, openid: str, template_id: str, data: dict, page: str) -> str:
        """The mini-program's subscribe message: only through Sender("miniapp"), to a
        mini-program openid (an openid belongs to one app)."""
        answer = self._post("message/subscribe/send", {"touser": openid, "template_id": template_id,
                                                       "page": page, "data": data})
        return str(answer.get("msgid") or "")

    def user_info(self, openid: str) -> dict:
        """A follower's info (subscribe, unionid when the account is bound to an Open Platform
        account, subscribe_scene, qr_scene_str). https://developers.weixin.qq.com/doc/offiaccount/User_Management/Get_users_basic_information_UnionID.html"""
        return self._call("get", "user/info", params={"openid": openid, "lang": "zh_CN"})

    def permanent_qrcode(self, scene: str) -> dict:
        """A permanent QR code carrying scene_str (1–64 characters; at most 100,000 per account):
        {ticket, url}. https://developers.weixin.qq.com/doc/offiaccount/Account_Management/Generating_a_Parametric_QR_Code.html"""
        return self._post("qrcode/create", {"action_name": "QR_LIMIT_STR_SCENE",
                                            "action_info": {"scene": {"scene_str": scene}}})

    # the custom menu (create replaces the whole menu; clients see it within about 5 minutes)
    def create_menu(self, menu: dict) -> None:
        self._post("menu/create", menu)

    def menu(self) -> dict | None:
        """The published menu, or None when there is none (46003)."""
        try:
            return self._call("get", "menu/get").get("menu")
        except SendError as error:
            if error.code == "46003":
                return None
            raise

    # tags: 100 per account, 50 openids per batch call
    def tags(self) -> dict[str, int]:
        return {t["name"]: t["id"] for t in self._call("get", "tags/get").get("tags", [])}

    def create_tag(self, name: str) -> int:
        return int(self._post("tags/create", {"tag": {"name": name}})["tag"]["id"])

    def tag(self, tag_id: int, openids: list[str]) -> None:
        self._post("tags/members/batchtagging", {"tagid": tag_id, "openid_list": openids})

    def untag(self, tag_id: int, openids: list[str]) -> None:
        self._post("tags/members/batchuntagging", {"tagid": tag_id, "openid_list": openids})
