"""Helpers for the residents and volunteers tests: the mini-program's calls, and a walked dialog."""
from itertools import count

from fake_wechat import openid_for

_logins = count(1)


class MiniProgram:
    """Calls /api/v1 the way the mini-program does: wx.login() code → token → Bearer calls."""

    def __init__(self, client, app):
        self.client, self.app = client, app

    def openid(self, user: str) -> str:
        """The user's mini-program openid (never the Official Account's: two apps, two openids)."""
        return openid_for(user, self.app.config["WECHAT_MINIAPP_ID"])

    def login(self, user: str) -> str:
        response = self.client.post("/api/v1/login", json={"code": f"{user}#{next(_logins)}"})
        assert response.status_code == 200, response.json
        return response.json["token"]

    def call(self, method: str, path: str, token: str | None = None, **kwargs):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.client.open(f"/api/v1{path}", method=method, headers=headers, **kwargs)


def register_in_chat(wechat, openid: str, name="张三", phone="13812345678", area="南岭") -> str:
    """Walk the whole registration dialog; returns the last reply."""
    for answer in ("志愿者报名", "同意", name, phone, area, "1 3", "2", "确认"):
        reply = wechat.ask(openid, answer)
    return reply
