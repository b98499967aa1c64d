"""Run the fake in a background thread (tests) or in the foreground (`python -m fake_wechat`)."""
import argparse
import threading

from werkzeug.serving import WSGIRequestHandler, make_server

from fake_wechat import control
from fake_wechat.app import create_fake_wechat
from fake_wechat.state import FakeState, Fault


class QuietRequestHandler(WSGIRequestHandler):
    """No access log: a fan-out of 100,000 calls would bury the test and bench output.

    HTTP/1.1 keeps the connection open between calls, as api.weixin.qq.com does, so a fan-out
    measures the product rather than a TCP handshake per message.
    """

    protocol_version = "HTTP/1.1"

    def log_request(self, *args) -> None:
        pass


class RedactingRequestHandler(WSGIRequestHandler):
    """The access log of a foreground run, without the query string: it carries app secrets,
    access tokens and login codes."""

    def log_request(self, code="-", size="-") -> None:
        path = self.path.split("?", 1)[0]
        self.log("info", '"%s %s" %s', self.command, path, code)


class FakeWeChatServer:
    """A running fake; a context manager that shuts it down on exit."""

    def __init__(self, app, host: str = "127.0.0.1", port: int = 0, quiet: bool = True):
        self.app = app
        handler = QuietRequestHandler if quiet else RedactingRequestHandler
        self._server = make_server(host, port, app, threaded=True, request_handler=handler)
        self.base_url = f"http://{host}:{self._server.server_port}/"
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-wechat", daemon=True)

    @property
    def state(self) -> FakeState:
        return self.app.extensions["fake_wechat"]

    def start(self) -> "FakeWeChatServer":
        self._thread.start()
        return self

    def calls(self, endpoint: str | None = None) -> list[dict]:
        """Recorded calls, oldest first; endpoint like '/cgi-bin/message/custom/send'."""
        return control.list_calls(self.state, endpoint)

    def set_fault(self, endpoint: str, errcode: int | None = None, *, times: int | None = None,
                  delay: float = 0.0, status: int | None = None, openid: str | None = None,
                  errmsg: str | None = None) -> Fault:
        """Make an endpoint ('*' for all) answer errcode, an HTTP status or wait delay seconds."""
        return control.add_fault(self.state, endpoint, errcode, times=times, delay=delay,
                                 status=status, openid=openid, errmsg=errmsg)

    def set_user(self, *openids: str, **flags: bool) -> None:
        """Flags: active (inside the 48-h window), subscribed (follows), blocks, system_fails."""
        control.set_users(self.state, list(openids), **flags)

    def user_acts(self, openid: str, kind: str = "message") -> None:
        """The user writes ('message': 5 within 48 h) or follows/scans/clicks ('interaction': 3 in 1 min)."""
        control.user_acts(self.state, openid, kind)

    def user_subscribes(self, app_id: str, openid: str, *template_ids: str, status: str = "accept",
                        post=None) -> list:
        """The user accepts (one message per template) or rejects the app's subscribe pop-up;
        the signed event goes to post(query, body), or to the app's configured push URL."""
        return control.user_subscribes(self.state, app_id, openid, list(template_ids), status, post)

    def add_media(self, app_id: str, data: bytes, content_type: str = "image/jpeg") -> str:
        """A temporary media file of the app (what a user's image message leaves): its MediaId."""
        return control.add_media(self.state, app_id, data, content_type)

    def subscribe_grants(self, app_id: str, openid: str, template_id: str) -> int:
        return control.subscribe_grants(self.state, app_id, openid, template_id)

    def configure(self, **settings) -> dict:
        return control.configure(self.state, **settings)

    def deliveries(self, channel: str | None = None, openid: str | None = None) -> dict:
        return control.deliveries(self.state, channel, openid)

    def mass_jobs(self) -> list[dict]:
        return control.mass_jobs(self.state)

    def flush_receipts(self, post=None, miniapp: bool = False) -> list:
        """Post pending receipts to the webhook, signed: post(query, body) or config webhook_url;
        miniapp: the mini-program's, to its message push."""
        return control.flush_receipts(self.state, post, miniapp)

    def pending_receipts(self, miniapp: bool = False) -> list[str]:
        return control.pending_receipts(self.state, miniapp)

    def next_msg_id(self) -> int:
        with self.state.lock:
            return self.state.peek_id()

    def expire_tokens(self) -> None:
        control.expire_tokens(self.state)

    def reset(self) -> None:
        self.state.reset()

    def shutdown(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> "FakeWeChatServer":
        return self

    def __exit__(self, *exc_info) -> None:
        self.shutdown()


def serve_fake_wechat(host: str = "127.0.0.1", port: int = 0,
                      app_id_secrets: dict[str, str] | None = None,
                      miniapp_ids: tuple[str, ...] = ()) -> FakeWeChatServer:
    """Start the fake in a background thread; port 0 picks a free port (see .base_url)."""
    return FakeWeChatServer(create_fake_wechat(app_id_secrets, miniapp_ids=miniapp_ids), host, port).start()


def parse_app(text: str) -> tuple[str, str]:
    app_id, sep, secret = text.partition(":")
    if not (app_id and sep and secret):
        raise argparse.ArgumentTypeError("expected APPID:SECRET")
    return app_id, secret


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m fake_wechat", description="A local fake of api.weixin.qq.com.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5001)
    parser.add_argument("--app", type=parse_app, action="append", metavar="APPID:SECRET",
                        help="an accepted app id and secret (repeatable); none given: accept any")
    parser.add_argument("--miniapp", action="append", default=[], metavar="APPID",
                        help="an app id that is a mini-program (repeatable): its tokens and openids "
                             "work only on its own APIs, as in WeChat")
    parser.add_argument("--max-calls", type=int, default=100_000, help="calls kept in the log")
    parser.add_argument("--push-to", metavar="URL",
                        help="the app WeChat pushes to: receipts and subscribe pop-up answers go to "
                             "URL/wechat (signed with --webhook-token) and URL/wechat/miniapp "
                             "(signed with --miniapp-token)")
    parser.add_argument("--webhook-token", default="", help="the Official Account's token")
    parser.add_argument("--miniapp-token", default="", help="the mini-program's message push token")
    args = parser.parse_args(argv)
    settings = {"webhook_token": args.webhook_token, "miniapp_webhook_token": args.miniapp_token}
    if args.push_to:
        base = args.push_to.rstrip("/")
        settings.update(webhook_url=f"{base}/wechat", miniapp_webhook_url=f"{base}/wechat/miniapp")
    app = create_fake_wechat(dict(args.app) if args.app else None, max_calls=args.max_calls,
                             miniapp_ids=tuple(args.miniapp), settings=settings)
    server = FakeWeChatServer(app, args.host, args.port, quiet=False)
    print(f"fake WeChat API on {server.base_url}", flush=True)
    try:
        server._server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server._server.server_close()
