"""Configuration, read from the environment in one place.

Every option has a safe default for a local run: SQLite under instance/, in-process state,
and the local fake WeChat API. Production sets the environment variables listed in README.md.
"""
import os
import secrets
from pathlib import Path

INSTANCE_DIR = Path(__file__).resolve().parent.parent / "instance"

# A 43-character EncodingAESKey, as WeChat's console generates; only for local runs.
DEMO_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
# The mini-program's message push in safe mode locally (a wrong key only fails decryption: the
# body is signed with the token, so a demo key against WeChat is refused, not a hole).
DEMO_MINIAPP_AES_KEY = "ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut"
# The local mini-program's app id (scripts/run.sh tells the fake WeChat API it is a mini-program).
DEMO_MINIAPP_ID = "wxminidemo000000"


def env_str(name: str, default: str) -> str:
    return os.environ.get(name) or default


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.lower() in ("1", "true", "yes", "on")


def from_environment() -> dict:
    """The app's configuration mapping (Flask config keys)."""
    return {
        "SQLALCHEMY_DATABASE_URI": database_url(),
        # A statement that runs longer is cancelled by PostgreSQL: a table locked by a long
        # transaction must not hold a web thread for good (see database_options()).
        "DATABASE_STATEMENT_TIMEOUT": float(env_str("DATABASE_STATEMENT_TIMEOUT", "10")),
        # Waiting for a row or table lock is a stall, not work: given up sooner, so a request
        # held behind a long transaction says "try later" within seconds.
        "DATABASE_LOCK_TIMEOUT": float(env_str("DATABASE_LOCK_TIMEOUT", "3")),
        "REDIS_URL": os.environ.get("REDIS_URL", ""),  # empty: in-process state (one process only)
        "SECRET_KEY": os.environ.get("SECRET_KEY", ""),  # see settle_secrets()
        "WECHAT_TOKEN": env_str("WECHAT_TOKEN", "wufei-changchun-demo"),
        "WECHAT_APP_ID": env_str("WECHAT_APP_ID", "wxdemo0000000000"),
        "WECHAT_APP_SECRET": env_str("WECHAT_APP_SECRET", "demo-secret"),
        "WECHAT_AES_KEY": env_str("WECHAT_AES_KEY", DEMO_AES_KEY),
        # The mini-program is a WeChat app of its own (login, subscribe messages, its own message
        # push with its own token), with its own openids: locally too, so mixing them fails here
        # as it does in WeChat (the fake answers 40003).
        "WECHAT_MINIAPP_ID": env_str("WECHAT_MINIAPP_ID", env_str("MINIPROGRAM_APP_ID", DEMO_MINIAPP_ID)),
        "WECHAT_MINIAPP_SECRET": env_str("WECHAT_MINIAPP_SECRET", "demo-mini-secret"),
        "WECHAT_MINIAPP_TOKEN": env_str("WECHAT_MINIAPP_TOKEN", "wufei-changchun-mini-demo"),
        # The mini-program's message push in safe (or compatible) mode: its EncodingAESKey.
        "WECHAT_MINIAPP_AES_KEY": env_str("WECHAT_MINIAPP_AES_KEY", DEMO_MINIAPP_AES_KEY),
        # Whether the mini-program's message push (开发管理 → 消息推送) is configured and points
        # at /wechat/miniapp: then WeChat's subscribe_msg_popup_event is the one record of a
        # subscribe accept, and the mini-program's POST /api/v1/me/notices only reads it back;
        # without it, that API call records the grant (see channels.grants_from_events).
        "WECHAT_MINIAPP_PUSH": env_bool("WECHAT_MINIAPP_PUSH", True),
        "WECHAT_API_BASE_URL": env_str("WECHAT_API_BASE_URL", "http://127.0.0.1:5001/"),
        "WECHAT_API_TIMEOUT": float(env_str("WECHAT_API_TIMEOUT", "3")),
        # WeChat retries a webhook call that takes 5 s; answer well before that.
        "WECHAT_REPLY_BUDGET": float(env_str("WECHAT_REPLY_BUDGET", "4.0")),
        # Messages older than this (by the signed query timestamp) are refused as replays.
        "WECHAT_MAX_AGE": env_int("WECHAT_MAX_AGE", 300),
        # Safe mode (AES) signs and encrypts the body too; when required, plaintext calls are
        # refused. Off by default so the local simulator and the demo run in any mode.
        "WECHAT_REQUIRE_SAFE_MODE": env_bool("WECHAT_REQUIRE_SAFE_MODE", False),
        # A real WeChat message is a few KB; anything much larger is not from WeChat.
        "WECHAT_MAX_BODY": env_int("WECHAT_MAX_BODY", 64 * 1024),
        "MAX_CONTENT_LENGTH": env_int("MAX_CONTENT_LENGTH", 1024 * 1024),
        # Proxies (load balancers) in front of the app. Their X-Forwarded-For/-Proto are believed
        # for that many hops, so rate limits, lockouts and the audit log see the client's own IP;
        # with 0 the headers are ignored, since anyone could send them.
        "PROXY_HOPS": env_int("PROXY_HOPS", 0),
        # Per client IP; WeChat's servers share a few IPs, so the webhook's limit is generous.
        "RATELIMIT_WEBHOOK": env_str("RATELIMIT_WEBHOOK", "3000/minute"),
        "RATELIMIT_API": env_str("RATELIMIT_API", "300/minute"),
        # Per WeChat user: a person types a few messages a minute; a script types hundreds.
        "RATELIMIT_PER_USER": env_str("RATELIMIT_PER_USER", "30/minute"),
        # Per logged-in mini-program user: a page makes a few calls; a script makes thousands.
        "RATELIMIT_API_PER_USER": env_str("RATELIMIT_API_PER_USER", "120/minute"),
        # Who writes the message log behind the answers (handlers/people/ledger.py): "inline", each
        # web process after its answer (the embedded default, tests), or "separate", the Procfile's
        # ledger process in batches (production: the webhook then makes no database round trip).
        "LEDGER_DRAIN": env_str("LEDGER_DRAIN", "inline"),
        # Whether each API answer is checked against its documented schema before it leaves (a
        # drift is then a 500 the tests catch); the Procfile's web process skips the second
        # decoding and encoding this costs.
        "API_CHECK_RESPONSES": env_bool("API_CHECK_RESPONSES", True),
        # gunicorn loads the knowledge before forking (gunicorn.conf.py); other runs warm up here.
        "WARM_UP": env_bool("WARM_UP", True),
        # Background jobs: how long one may run; a dead worker's job is retried by the others
        # about JOB_TIMEOUT + 15 s after it started, checked every WORKER_MAINTENANCE_INTERVAL.
        "JOB_TIMEOUT": env_int("JOB_TIMEOUT", 300),
        "WORKER_MAINTENANCE_INTERVAL": env_int("WORKER_MAINTENANCE_INTERVAL", 60),
        # A chat dialog (registration, binding an area) waits this long for the user to go on.
        "DIALOG_TTL": env_int("DIALOG_TTL", 7 * 24 * 3600),
        # The mini-program's session token; wx.login() sessions are short, so is ours.
        "API_TOKEN_MAX_AGE": env_int("API_TOKEN_MAX_AGE", 2 * 3600),
        # One evidence file of a zero-waste cell (a scan, a photo), kept in the database.
        "CELL_EVIDENCE_MAX_BYTES": env_int("CELL_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024),
        # Prometheus scrapes /metrics with this bearer token; empty: private addresses only.
        "METRICS_TOKEN": os.environ.get("METRICS_TOKEN", ""),
        # A report's photo (随手拍), kept in the database; reports one resident may file a day.
        "REPORT_PHOTO_MAX_BYTES": env_int("REPORT_PHOTO_MAX_BYTES", 5 * 1024 * 1024),
        "REPORTS_PER_DAY": env_int("REPORTS_PER_DAY", 5),
        # JSON lines for log collectors in production; lines a person reads in a local run.
        "LOG_JSON": env_bool("LOG_JSON", "DATABASE_URL" in os.environ),
        "LOG_LEVEL": env_str("LOG_LEVEL", "INFO"),
        "SIMULATOR_ENABLED": env_bool("SIMULATOR_ENABLED", "DATABASE_URL" not in os.environ),
        **push_settings(),
    }


def push_settings() -> dict:
    """Campaign pushes: batch sizes, WeChat's limits as the account has them, template ids."""
    return {
        # Where residents' tracked links (/r/<token>) point; the public address of this service.
        "PUBLIC_BASE_URL": env_str("PUBLIC_BASE_URL", "http://127.0.0.1:5000"),
        "PUSH_TEMPLATE_ID": env_str("PUSH_TEMPLATE_ID", "campaign-notice"),
        "PUSH_SUBSCRIBE_TEMPLATE_ID": env_str("PUSH_SUBSCRIBE_TEMPLATE_ID", "campaign-subscribe"),
        # The mini-program's own subscribe template (each app approves its own templates).
        "PUSH_MINIAPP_SUBSCRIBE_TEMPLATE_ID": env_str("PUSH_MINIAPP_SUBSCRIBE_TEMPLATE_ID",
                                                      env_str("PUSH_SUBSCRIBE_TEMPLATE_ID",
                                                              "campaign-subscribe")),
        # Recipients per job for one-by-one channels; a mass send by openid list takes 10,000.
        "PUSH_BATCH_SIZE": env_int("PUSH_BATCH_SIZE", 500),
        "PUSH_MASS_BATCH": env_int("PUSH_MASS_BATCH", 10_000),
        "PUSH_MASS_PER_MINUTE": env_int("PUSH_MASS_PER_MINUTE", 60),  # WeChat: 45011 beyond it
        "PUSH_MASS_PER_MONTH": env_int("PUSH_MASS_PER_MONTH", 4),  # service account, per follower
        "PUSH_TEMPLATE_DAILY_QUOTA": env_int("PUSH_TEMPLATE_DAILY_QUOTA", 100_000),
        # A batch's lock outlives a killed worker this long before another worker takes it over.
        "PUSH_LOCK_TTL": env_int("PUSH_LOCK_TTL", 30),
    }


DEMO_SECRETS = {"WECHAT_TOKEN": "wufei-changchun-demo", "WECHAT_APP_SECRET": "demo-secret",
                "WECHAT_AES_KEY": DEMO_AES_KEY, "WECHAT_MINIAPP_SECRET": "demo-mini-secret",
                "WECHAT_MINIAPP_TOKEN": "wufei-changchun-mini-demo"}


def settle_secrets(config: dict) -> None:
    """Refuse to start where a missing or demo secret would be a hole; else fill in a local one.

    Against the real WeChat API the demo token would let anyone sign messages as WeChat. With
    shared state (REDIS_URL) several processes must sign sessions and tokens with one key.
    """
    if "api.weixin.qq.com" in config["WECHAT_API_BASE_URL"]:
        demo = [name for name, value in DEMO_SECRETS.items() if config[name] == value]
        if demo:
            raise RuntimeError(f"set {', '.join(demo)} from the Official Account's console: "
                               "the demo values must not reach the real WeChat API")
    if not config["SECRET_KEY"]:
        if config["REDIS_URL"]:
            raise RuntimeError("set SECRET_KEY: processes sharing REDIS_URL must sign with one key")
        config["SECRET_KEY"] = secrets.token_hex(32)  # one local process: a fresh key each start


def database_options(config: dict) -> dict:
    """SQLAlchemy engine options: time limits on connecting, on each statement, on a silent peer.

    Errors never carry a statement's parameters: they would put openids and what residents
    typed into the logs.
    """
    if not config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        return {"hide_parameters": True}
    timeout_ms = int(config["DATABASE_STATEMENT_TIMEOUT"] * 1000)
    # Never longer than a statement may take (0 would mean no limit at all).
    lock_ms = max(1, min(int(config["DATABASE_LOCK_TIMEOUT"] * 1000), timeout_ms))
    return {"hide_parameters": True, "connect_args": {
        "connect_timeout": 3,
        # A migration waiting for its lock gives up too, rather than queue every request behind it.
        "options": f"-c statement_timeout={timeout_ms} -c lock_timeout={lock_ms}",
        # A server gone silent (network partition): unacknowledged data fails the call.
        "tcp_user_timeout": timeout_ms, "keepalives_idle": 30, "keepalives_interval": 5,
        "keepalives_count": 3,
    }}


def database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        INSTANCE_DIR.mkdir(exist_ok=True)
        return f"sqlite:///{INSTANCE_DIR / 'wufei.sqlite3'}"
    # Heroku-style URLs name the driver "postgres"; SQLAlchemy wants psycopg 3 spelled out.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url
