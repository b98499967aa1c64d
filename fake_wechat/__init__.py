"""A local fake of api.weixin.qq.com for the embedded default and the tests.

It speaks the real paths, parameters and JSON (errcode/errmsg) of the endpoints the product calls,
keeps its state in memory, and has switches under /_fake/ for errors, delays and user states.

Fake users: a mini-program js_code names a user, the part before '#' ("alice" and "alice#2" are two
logins of alice). The user's openid in an app is openid_for(user, app_id) and their unionid
unionid_for(user); both are 28 characters like WeChat's. Codes starting with "invalid" answer 40029.

As strict as WeChat where the product depends on it: customer-service windows (a user message
allows 5 within 48 h, a follow/scan/click 3 within 1 minute: user_acts()), 4 mass messages per user
a month, the daily template quota, one token per app and one app per openid (the apps named as
mini-programs, `--miniapp` or serve_fake_wechat(miniapp_ids=...), keep their tokens to their own APIs:
48001; an app's openids start with its prefix, app_prefix(), and another app's openid answers 40003),
delivery receipts queued after each send and posted, signed, by flush_receipts() to the webhook, or
the mini-program's to its own message push (users flagged blocks / system_fails fail in them; config
mass_review fails a whole mass send), mass/get with the real outcome (40059 for an unknown msg_id),
the custom menu (menu/create, menu/get), and one-time subscriptions: a subscribe message (subscribe/send,
bizsend) needs a grant per (app, openid, template id), given by the user's answer to the pop-up
(user_subscribes(), POST /_fake/subscribe, which also posts the signed subscribe_msg_popup_event to that
app's push URL), and uses it up; without one, 43101. Temporary media (media/get) is served as bytes
to its own app (add_media(), POST /_fake/media, what a user's image message leaves, or media/upload,
with WeChat's types and sizes: 40004, 40005, 40006), 40007 otherwise.

Pointing wechatpy at it (wechatpy 1.8.18):
    client.API_BASE_URL = base_url + "cgi-bin/"      # every /cgi-bin call
    client.wxa.API_BASE_URL = base_url               # wxa, incl. code_to_session (/sns/jscode2session)
and, because WeChatClient.fetch_access_token hard-codes https://api.weixin.qq.com/cgi-bin/token,
override fetch_access_token to call self._fetch_access_token(self.API_BASE_URL + "token", params).
"""
from fake_wechat.app import create_fake_wechat
from fake_wechat.server import FakeWeChatServer, main, serve_fake_wechat
from fake_wechat.state import openid_for, unionid_for, user_of_code

__all__ = ["create_fake_wechat", "serve_fake_wechat", "FakeWeChatServer", "main",
           "openid_for", "unionid_for", "user_of_code"]
