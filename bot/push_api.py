"""The WeChat calls a campaign push makes, with WeChat's answers turned into plain results.

Handlers hand in plain values (openids, texts, ids) and get back a msg id or a SendError that says
whether trying again can help: permanent (unfollowed, bad openid, closed 48-h window), transient
(system busy, a quota: retry later), or unknown (the call may have reached WeChat: a time-out).
"""
import requests
from wechatpy.exceptions import WeChatClientException

from bot import wechat
from bot.delivery import PERMANENT_ERRORS

# -1 system busy, 45009 daily quota (templates), 45011 the minute's mass-send calls, 40001/42001
# a token that went stale under us (wechatpy refreshes once; a second failure is worth a retry).
TRANSIENT_ERRORS = {-1, 45009, 45011, 40001, 42001}
# Errors about the message itself: every recipient of it would get the same answer.
CONTENT_ERRORS = {40008, 40037, 44003, 44004, 45002, 45008, 47003, 40130, 40032, 45159, 45067}
DUPLICATE_CLIENT_MSG_ID = 45065


class SendError(Exception):
    """A call WeChat refused or that failed on the way; kind: permanent, transient or unknown."""

    def __init__(self, code: str, kind: str, msg_id: str | None = None):
        super().__init__(f"{code} ({kind})")
        self.code, self.kind, self.msg_id = code, kind, msg_id


def _classify(error: WeChatClientException) -> SendError:
    code = int(error.errcode)
    if code == DUPLICATE_CLIENT_MSG_ID:
        # A mass send with this clientmsgid went out before: WeChat answers with the first msg_id.
        msg_id = None
        try:
            msg_id = str(error.response.json().get("msg_id") or "") or None
        except Exception:
            pass
        return SendError(str(code), "duplicate", msg_id)
    if code in PERMANENT_ERRORS or code in CONTENT_ERRORS:
        return SendError(str(code), "permanent")
    return SendError(str(code), "transient")


class PushClient:
    """One API client for a batch: one HTTP connection reused, one access token lookup."""

    def __init__(self):
        self.client = wechat.client()

    def _post(self, endpoint: str, data: dict) -> dict:
        try:
            return self.client.post(endpoint, data=data)
        except WeChatClientException as error:
            raise _classify(error) from error
        except requests.exceptions.ConnectTimeout as error:  # never reached WeChat
            raise SendError("timeout", "transient") from error
        except (requests.Timeout, requests.ConnectionError) as error:
            # The request may have been handled before the answer was lost: nobody knows.
            raise SendError("network", "unknown") from error

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

    def preview(self, openid: str, message: dict) -> None:
        self._post("message/mass/preview", {"touser": openid, **message})

    # one by one

    def custom(self, openid: str, message: dict) -> None:
        self._post("message/custom/send", {"touser": openid, **message})

    def template(self, openid: str, template_id: str, data: dict, url: str,
                 client_msg_id: str) -> None:
        # client_msg_id: WeChat sends one message per openid and id (10 min), so a re-run is safe.
        self._post("message/template/send", {"touser": openid, "template_id": template_id,
                                             "url": url, "data": data,
                                             "client_msg_id": client_msg_id})

    def subscribe(self, openid: str, template_id: str, data: dict, page: str) -> None:
        self._post("message/subscribe/bizsend", {"touser": openid, "template_id": template_id,
                                                 "page": page, "data": data})

    # tags: 100 per account, 50 openids per batch call

    def tags(self) -> dict[str, int]:
        return {t["name"]: t["id"] for t in self._get("tags/get").get("tags", [])}

    def _get(self, endpoint: str) -> dict:
        try:
            return self.client.get(endpoint)
        except WeChatClientException as error:
            raise _classify(error) from error

    def create_tag(self, name: str) -> int:
        return int(self._post("tags/create", {"tag": {"name": name}})["tag"]["id"])

    def tag(self, tag_id: int, openids: list[str]) -> None:
        self._post("tags/members/batchtagging", {"tagid": tag_id, "openid_list": openids})

    def untag(self, tag_id: int, openids: list[str]) -> None:
        self._post("tags/members/batchuntagging", {"tagid": tag_id, "openid_list": openids})
