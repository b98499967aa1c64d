"""wechatpy's API client for each of our two apps: the Official Account and the mini-program.

Each app has its own app id, secret and access token (kept in shared state, one per app id for
all processes); an openid belongs to one app and is only ever sent to through that app's client.
"""
import copy

import requests
from flask import current_app
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException
from wechatpy.session.redisstorage import RedisStorage

from infra import state
from infra.metrics import WECHAT_API_CALLS
from infra.wechat.errors import REFRESH


class TimeoutSession(requests.Session):
    def __init__(self, timeout: float):
        super().__init__()
        self.default_timeout = timeout

    def request(self, method, url, **kwargs):
        kwargs["timeout"] = kwargs.get("timeout") or self.default_timeout
        return super().request(method, url, **kwargs)


class CityClient(WeChatClient):
    """wechatpy's client, pointed at a configurable base URL (the fake one in tests and demos).

    wechatpy 1.8.18 answers a stale-token error by fetching a token and retrying, without limit:
    a persistent 40001 (a wrong secret) loops until RecursionError. Here the token is refreshed
    and the call retried once; a second refusal is the caller's to handle.
    """

    def __init__(self, *args, base_url: str, **kwargs):
        super().__init__(*args, auto_retry=False, **kwargs)
        # Every call gets the time-out, the token fetch too (wechatpy gives that one none).
        self._http = TimeoutSession(self.timeout)
        self.API_BASE_URL = base_url.rstrip("/") + "/cgi-bin/"
        self.wxa.API_BASE_URL = base_url.rstrip("/") + "/"

    def _request(self, method, url_or_endpoint, **kwargs):
        retry = copy.deepcopy({key: value for key, value in kwargs.items() if key != "data"})
        retry["data"] = kwargs.get("data")
        try:
            return self._counted(method, url_or_endpoint, **kwargs)
        except WeChatClientException as error:
            if error.errcode not in REFRESH:
                raise
        self.fetch_access_token()
        return self._counted(method, url_or_endpoint, **retry)

    def _counted(self, method, url_or_endpoint, **kwargs):
        endpoint = url_or_endpoint.split("?")[0].removeprefix(self.API_BASE_URL)
        try:
            result = super()._request(method, url_or_endpoint, **kwargs)
        except WeChatClientException as error:
            WECHAT_API_CALLS.labels(endpoint, str(error.errcode)).inc()
            raise
        WECHAT_API_CALLS.labels(endpoint, "0").inc()
        return result

    def code_to_session(self, js_code: str) -> dict:
        """Mini-program login (code2Session): {openid, session_key, unionid?}.

        It takes the app id and secret, no access token: wechatpy 1.8.18's wxa.code_to_session
        goes through _request, which fetches a token first, so a failing token fetch would
        block every login. https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/user-login/code2Session.html
        """
        url = self.wxa.API_BASE_URL.rstrip("/") + "/sns/jscode2session"
        answer = self._http.get(url, params={"appid": self.appid, "secret": self.secret,
                                             "js_code": js_code, "grant_type": "authorization_code"})
        try:
            answer.raise_for_status()
            result = answer.json()
        except (requests.RequestException, ValueError) as error:
            WECHAT_API_CALLS.labels("sns/jscode2session", "http").inc()
            raise WeChatClientException(None, str(error), client=self, response=answer) from error
        code = int(result.get("errcode") or 0)
        WECHAT_API_CALLS.labels("sns/jscode2session", str(code)).inc()
        if code:
            raise WeChatClientException(code, result.get("errmsg", ""), client=self, response=answer)
        return result

    def fetch_access_token(self):
        # wechatpy 1.8.18 hard-codes api.weixin.qq.com here; same call, our base URL.
        return self._fetch_access_token(
            url=self.API_BASE_URL + "token",
            params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
        )


def client() -> CityClient:
    """The Official Account's API client."""
    config = current_app.config
    return client_for(config["WECHAT_APP_ID"], config["WECHAT_APP_SECRET"])


def miniapp_client() -> CityClient:
    """The mini-program's API client (subscribe messages to mini-program openids)."""
    config = current_app.config
    return client_for(config["WECHAT_MINIAPP_ID"], config["WECHAT_MINIAPP_SECRET"])


def client_for(app_id: str, secret: str) -> CityClient:
    config = current_app.config
    return CityClient(
        app_id,
        secret,
        session=RedisStorage(state.store(), prefix="wechatpy"),
        timeout=config["WECHAT_API_TIMEOUT"],
        base_url=config["WECHAT_API_BASE_URL"],
    )
