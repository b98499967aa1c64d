"""One router for every chat capability: handlers register what they answer with a decorator.

Precedence, in `Router.route`: events and menu clicks by name; then text messages by keyword;
then the free-text fallback (sorting). A handler takes a plain Message and returns the reply
text, or None when there is nothing to say (the webhook then answers WeChat's 'success').
"""
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Message:
    """An incoming WeChat message or event, as plain values."""

    openid: str
    kind: str  # text, voice, image, location, link, event, ...
    text: str = ""  # typed text, or the recognised text of a voice message
    event: str = ""  # subscribe, unsubscribe, click, ... (lower case)
    event_key: str = ""
    retry_key: str = ""  # identical across WeChat's retries of one message


Handler = Callable[[Message], str | None]


class Router:
    def __init__(self) -> None:
        self.events: dict[str, Handler] = {}
        self.clicks: dict[str, Handler] = {}
        self.keywords: dict[str, Handler] = {}
        self.kinds: dict[str, Handler] = {}
        self.fallback_handler: Handler | None = None

    def on_event(self, *names: str):
        return self._register(self.events, names)

    def on_click(self, *keys: str):
        return self._register(self.clicks, keys)

    def on_keyword(self, *words: str):
        return self._register(self.keywords, [normalize_keyword(w) for w in words])

    def on_kind(self, *kinds: str):
        """Messages of a kind that carries no text to route by (image, voice without text …)."""
        return self._register(self.kinds, kinds)

    def fallback(self, handler: Handler) -> Handler:
        self.fallback_handler = handler
        return handler

    def route(self, message: Message) -> str | None:
        handler = self.find(message)
        return handler(message) if handler else None

    def find(self, message: Message) -> Handler | None:
        if message.kind == "event":
            if message.event == "click":
                return self.clicks.get(message.event_key) or self.kinds.get("unknown")
            # Other events (menu VIEW, LOCATION reports …) expect no reply.
            return self.events.get(message.event)
        if message.text.strip():
            keyword = self.keywords.get(normalize_keyword(message.text))
            return keyword or self.fallback_handler
        return self.kinds.get(message.kind) or self.kinds.get("unknown")

    @staticmethod
    def _register(table: dict[str, Handler], names):
        def decorator(handler: Handler) -> Handler:
            for name in names:
                table[name] = handler
            return handler

        return decorator


def normalize_keyword(text: str) -> str:
    return text.strip().strip("？?！!。.").lower()


router = Router()
