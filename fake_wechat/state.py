"""In-memory state of the fake WeChat API: apps, tokens, tags, users, deliveries, calls and faults.

One FakeState per fake app; every read or write happens under its lock, because the server is
threaded (werkzeug, threaded=True) and tests read the state from their own thread.
"""
import base64
import hashlib
import secrets
import threading
import time
from collections import Counter, deque
from dataclasses import asdict, dataclass

# WeChat's own errmsg texts for the codes the fake returns.
ERRMSG = {
    -1: "system error",
    40001: "invalid credential, access_token is invalid or not latest",
    40002: "invalid grant_type",
    40003: "invalid openid",
    40004: "invalid media type",
    40005: "invalid file type",
    40006: "invalid meida size",
    40007: "invalid media_id",
    40008: "invalid message type",
    40013: "invalid appid",
    40125: "invalid appsecret",
    40226: "code blocked",
    48001: "api unauthorized",
    40029: "invalid code",
    40032: "invalid openid list size",
    40037: "invalid template_id",
    40059: "invalid msg id",
    40130: "invalid openid list size, at least two openid",
    40163: "code been used",
    41001: "access_token missing",
    41002: "appid missing",
    41004: "appsecret missing",
    41008: "missing code",
    41005: "media data missing",
    41009: "missing openid",
    42001: "access_token expired",
    43004: "require subscribe",
    43101: "user refuse to accept the msg",
    44002: "empty post data",
    44003: "empty news data",
    44004: "empty content",
    45002: "content size out of limit",
    45008: "article size out of limit",
    45009: "reach max api daily quota limit",
    45011: "api minute-quota reach limit mustslower retry next minute",
    45015: "response out of time limit or subscription is canceled",
    45047: "out of response count limit",
    45056: "too many tags",
    45057: "can't delete the tag that has too many fans",
    45058: "can't modify sys tag",
    45059: "too many tags on user",
    45065: "clientmsgid exist",
    45067: "clientmsgid size out of limit",
    45157: "invalid tag name",
    45158: "tag name too long",
    45159: "invalid tag id",
    47001: "data format error",
    47003: "argument invalid!",
}

# The limits the fake enforces; all can be changed through /_fake/config.
DEFAULT_CONFIG = {
    "token_ttl": 7200,  # access_token lives 2 h
    "token_grace": 300,  # after a refresh the previous token still works for 5 min
    # Customer-service windows (since June 2023): a user message allows 5 messages within 48 h; a
    # follow, a QR scan or a menu click 3 within 1 minute. Beyond: 45015 (closed), 45047 (count).
    # https://developers.weixin.qq.com/doc/offiaccount/Customer_Service/Customer_Service_Messages.html
    "message_window": [5, 48 * 3600],
    "interaction_window": [3, 60],
    "mass_per_minute": 60,  # mass-send API calls per minute
    "mass_per_user_month": 4,  # a service account reaches each follower 4 times a month
    "template_daily_quota": 100_000,  # template messages per app and day
    "template_ids": None,  # None: any template_id is approved; a list: only these
    # cgi-bin/token: 2000 fetches per app a day, then 45009 (API_Call_Limits doc)
    "token_daily_quota": 2000,
    # None: any media_id is accepted; a list: only these (uploaded), others answer 40007
    "media_ids": None,
    "unionid": True,  # the mini-program is bound to an open-platform account
    # App ids that are mini-programs: their tokens only work on mini-program APIs, and the
    # Official Account's only on its own (48001 otherwise). Empty: any token on any API.
    "miniapp_ids": [],  # reset() starts from FakeState.miniapp_ids (python -m fake_wechat --miniapp)
    # A mass send's review outcome: None passes; "err(30003)" etc. fails the whole send
    # (MASSSENDJOBFINISH Status, mass/get SEND_FAIL).
    "mass_review": None,
    # Where receipts are posted (flush_receipts without a poster): the webhook URL and its token.
    "webhook_url": None,
    "webhook_token": "",
    "original_id": "gh_fakewechat",
    # The mini-program's message push (its subscribe_msg_sent_event receipts).
    "miniapp_webhook_url": None,
    "miniapp_webhook_token": "",
    "miniapp_original_id": "gh_fakeminiapp",
}
# blocks: the user refuses the account's messages (template receipt "failed:user block", counted
# in a mass send's ErrorCount); system_fails: WeChat fails to deliver ("failed: system failed").
USER_DEFAULTS = {"active": True, "subscribed": True, "blocks": False, "system_fails": False}
SYSTEM_TAGS = {2: "星标组"}  # ids 0-2 are reserved by WeChat; created tags start at 100
FIRST_TAG_ID = 100
CLIENTMSGID_TTL = 24 * 3600  # WeChat deduplicates a clientmsgid for 24 h
TEMPLATE_CLIENT_ID_TTL = 600  # and a template message's client_msg_id per openid for 10 min


class WeChatError(Exception):
    """A WeChat errcode answer; `extra` fields go into the JSON beside errcode/errmsg."""

    def __init__(self, errcode: int, errmsg: str | None = None, **extra):
        super().__init__(errcode)
        self.errcode = errcode
        self.errmsg = errmsg or ERRMSG.get(errcode, "error")
        self.extra = extra

    def body(self) -> dict:
        # Real answers end with a request id; callers must go by errcode, never by the text.
        return {"errcode": self.errcode, "errmsg": f"{self.errmsg} rid: {secrets.token_hex(8)}", **self.extra}


def _digest(text: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).decode()


def user_of_code(code: str) -> str:
    """The fake user a js_code logs in: the part before '#', so 'alice#2' is alice's second login."""
    return code.split("#", 1)[0]


def openid_for(user: str, app_id: str) -> str:
    """The openid of a fake user in one app: 28 url-safe characters like WeChat's, starting with
    the app's prefix as real openids of one app share their first six characters."""
    return app_prefix(app_id) + _digest(f"{app_id}:{user}")[:22]


def app_prefix(app_id: str) -> str:
    """The first six characters of every openid the fake issues in this app ('o' + 5)."""
    return "o" + _digest(f"app:{app_id}")[:5]


def unionid_for(user: str) -> str:
    """The unionid of a fake user: the same in every app, as with an open-platform binding."""
    return "o" + _digest(f"union:{user}")[:27]


@dataclass
class Fault:
    """What an endpoint does instead of its normal answer: wait, an errcode, or an HTTP error."""

    endpoint: str  # a registered path, or "*" for every endpoint
    errcode: int | None = None
    errmsg: str | None = None
    status: int | None = None  # an HTTP status (e.g. 500) instead of a JSON answer
    delay: float = 0.0  # seconds to wait before answering
    times: int | None = None  # None: every call; N: the next N matching calls
    openid: str | None = None  # only calls whose touser is this openid

    def matches(self, endpoint: str, openid: str | None) -> bool:
        return self.endpoint in ("*", endpoint) and self.openid in (None, openid)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class MediaFile:
    """A temporary media file: its app, bytes and type (media/get answers the bytes, not JSON)."""
    app_id: str
    data: bytes
    content_type: str


@dataclass
class Token:
    app_id: str
    expires_at: float
    superseded_at: float | None = None


class FakeState:
    """Everything the fake remembers; reset() empties it."""

    def __init__(self, app_id_secrets: dict[str, str] | None, max_calls: int,
                 miniapp_ids: tuple[str, ...] = (), settings: dict | None = None):
        self.lock = threading.RLock()
        self.app_id_secrets = dict(app_id_secrets) if app_id_secrets is not None else None
        self.miniapp_ids = tuple(miniapp_ids)  # kept across reset(): which apps are mini-programs
        self.settings = dict(settings or {})  # and the config the fake was started with
        self.max_calls = max_calls
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.config = {**DEFAULT_CONFIG, "miniapp_ids": list(self.miniapp_ids), **self.settings}
            self.last_id = 1_000_000_000
            self.tokens: dict[str, Token] = {}
            self.token_counts: Counter = Counter()
            self.used_codes: set[tuple[str, str]] = set()
            self.login_users: set[str] = set()  # fake users who logged in to a mini-program
            self.tags: dict[int, str] = dict(SYSTEM_TAGS)
            self.next_tag_id = FIRST_TAG_ID
            self.user_tags: dict[str, set[int]] = {}
            self.users: dict[str, dict] = {}
            self.user_defaults = dict(USER_DEFAULTS)
            self.followers: set[str] = set()
            # openid -> [window kind, opened at, messages sent]; no entry: by the 'active' flag
            self.windows: dict[str, list] = {}
            self.mass_counts: Counter = Counter()
            self.mass_times: deque = deque()
            self.mass_jobs: dict[int, dict] = {}
            self.clientmsgids: dict[tuple[str, str], tuple[int, float]] = {}
            self.template_counts: Counter = Counter()
            self.template_client_ids: dict[tuple[str, str, str], tuple[int, float]] = {}
            self.deliveries: Counter = Counter()
            self.calls: deque = deque(maxlen=self.max_calls)
            self.faults: list[Fault] = []
            self.qrcodes: dict[str, dict] = {}  # ticket -> what the QR code carries
            self.menus: dict[str, dict] = {}  # the published custom menu, by app
            self.receipts: list[str] = []  # receipt XML WeChat will post to the webhook
            self.miniapp_receipts: list[str] = []  # and to the mini-program's message push
            # One-time subscriptions the users accepted, per (app id, openid, template id): each
            # is good for one message (subscribe/send, bizsend), else 43101.
            self.subscribe_grants: Counter = Counter()
            # Temporary media WeChat holds (a user's image message leaves one): media_id -> file.
            self.media: dict[str, MediaFile] = {}

    def keep_media(self, app_id: str, data: bytes, content_type: str) -> str:
        """A temporary media file of the app (a user's image message, or an upload): its media_id."""
        with self.lock:
            media_id = f"media-{self.next_id()}-{secrets.token_urlsafe(16)}"
            self.media[media_id] = MediaFile(app_id, bytes(data), content_type)
        return media_id

    def next_id(self) -> int:
        self.last_id += 1
        return self.last_id

    def peek_id(self) -> int:
        """The msg_id the next send will get (for a test whose receipt overtakes the send)."""
        return self.last_id + 1

    # apps and tokens

    def check_secret(self, app_id: str, secret: str) -> None:
        if not app_id:
            raise WeChatError(41002)
        if not secret:
            raise WeChatError(41004)
        if self.app_id_secrets is None:  # no app list given: any app id and secret are accepted
            return
        if app_id not in self.app_id_secrets:
            raise WeChatError(40013)
        if self.app_id_secrets[app_id] != secret:
            raise WeChatError(40125)

    def issue_token(self, app_id: str) -> tuple[str, int]:
        """A new token; the app's previous ones stop working after the grace period."""
        day = (app_id, time.strftime("%Y-%m-%d"))
        if self.token_counts[day] >= self.config["token_daily_quota"]:
            raise WeChatError(45009)
        self.token_counts[day] += 1
        now = time.time()
        for token in self.tokens.values():
            if token.app_id == app_id and token.superseded_at is None:
                token.superseded_at = now
        value = secrets.token_urlsafe(96)[:128]
        ttl = int(self.config["token_ttl"])
        self.tokens[value] = Token(app_id, now + ttl)
        return value, ttl

    def app_of_token(self, value: str | None) -> str:
        if not value:
            raise WeChatError(41001)
        token = self.tokens.get(value)
        now = time.time()
        if token is None or (token.superseded_at is not None
                             and now - token.superseded_at >= self.config["token_grace"]):
            raise WeChatError(40001)
        if now >= token.expires_at:
            raise WeChatError(42001)
        return token.app_id

    def expire_tokens(self) -> None:
        now = time.time()
        for token in self.tokens.values():
            token.expires_at = min(token.expires_at, now)

    # users

    def flag(self, openid: str, name: str) -> bool:
        return self.users.get(openid, {}).get(name, self.user_defaults[name])

    def set_user(self, openid: str, **flags) -> None:
        unknown = set(flags) - set(USER_DEFAULTS)
        if unknown:
            raise ValueError(f"unknown user flags: {sorted(unknown)}")
        if openid == "*":
            self.user_defaults.update(flags)
            return
        self.users.setdefault(openid, {}).update(flags)
        self.followers.add(openid)
        if "active" in flags:  # active: the user just wrote (a fresh 48-h window); not: closed
            self.windows.pop(openid, None)
            if flags["active"]:
                self.open_window(openid, "message")

    def open_window(self, openid: str, kind: str = "message") -> None:
        """The user wrote ('message') or followed, scanned or clicked a menu ('interaction')."""
        if kind not in ("message", "interaction"):
            raise ValueError("kind is 'message' or 'interaction'")
        self.users.setdefault(openid, {})["active"] = True
        self.followers.add(openid)
        current = self.window(openid) if openid in self.windows else None
        if kind == "interaction" and current and current[2] < self.config[f"{current[0]}_window"][0]:
            return  # an open window with messages left stays (WeChat does not shorten it)
        self.windows[openid] = [kind, time.time(), 0]

    def window(self, openid: str) -> list | None:
        """The user's open window, or None (a user the fake never heard of: a message window
        opened when first seen, if the default 'active' flag says so)."""
        found = self.windows.get(openid)
        if found is None:
            if not self.flag(openid, "active"):
                return None
            found = self.windows[openid] = ["message", time.time(), 0]
        _cap, seconds = self.config[f"{found[0]}_window"]
        if time.time() - found[1] >= seconds:
            return None
        return found

    def deliver(self, channel: str, openid: str) -> None:
        self.deliveries[(channel, openid)] += 1

    # calls and faults

    def record(self, call: dict) -> None:
        self.calls.append(call)

    def take_fault(self, endpoint: str, openid: str | None) -> Fault | None:
        """The first fault matching this call, counted down when it is for N calls only."""
        with self.lock:
            for fault in self.faults:
                if fault.matches(endpoint, openid):
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times <= 0:
                            self.faults.remove(fault)
                    return fault
        return None


def receipt_xml(original_id: str, openid: str, event: str, fields: dict) -> str:
    """An event push as WeChat posts it (CDATA strings, bare numbers, nested dicts, and a list as
    the element repeated, like a subscribe event's <List>)."""
    def render(values: dict) -> str:
        out = []
        for key, value in values.items():
            if isinstance(value, list):
                out.extend(render({key: item}) for item in value)
            elif isinstance(value, dict):
                out.append(f"<{key}>{render(value)}</{key}>")
            elif isinstance(value, int):
                out.append(f"<{key}>{value}</{key}>")
            else:
                out.append(f"<{key}><![CDATA[{value}]]></{key}>")
        return "".join(out)
    head = {"ToUserName": original_id, "FromUserName": openid, "CreateTime": int(time.time()),
            "MsgType": "event", "Event": event}
    return f"<xml>{render({**head, **fields})}</xml>"
