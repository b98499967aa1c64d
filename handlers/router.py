"""One router for every chat capability: handlers register what they answer with a decorator.

Precedence, in `Router.find`: events and menu clicks by name; then, for text, the few keywords
that work at any moment (删除我的信息) and the intents that do (a deletion request in any words);
then the user's active dialog, which waits for an answer; then keywords; then what the text means
(handlers/understanding/ reads it into an intent); then the free-text fallback (sorting). A handler takes a plain Message and returns
the reply text, or None when there is nothing to say (the webhook then answers WeChat's 'success').
"""
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Message:
    """An incoming WeChat message or event, as plain values."""

    openid: str
    kind: str  # text, voice, image, location, link, event, ...
    text: str = ""  # typed text, or the recognised text of a voice message
    event: str = ""  # subscribe, unsubscribe, click, ... (lower case)
    event_key: str = ""
    retry_key: str = ""  # identical across WeChat's retries of one message
    # A receipt's fields as plain values (see bot/webhook/inbound.receipt_details): MsgID,
    # Status, the mass-send counts, or a subscribe event's entries.
    details: dict = field(default_factory=dict, compare=False, hash=False)
    # A location message's (latitude, longitude), GCJ-02 as WeChat gives them.
    location: tuple[float, float] | None = None
    sent_at: int = 0  # CreateTime: when the user sent it (WeChat's retries repeat it), Unix time


Handler = Callable[[Message], str | None]


class Router:
    def __init__(self) -> None:
        self.events: dict[str, Handler] = {}
        self.clicks: dict[str, Handler] = {}
        self.anytime: dict[str, Handler] = {}
        self.dialogs: dict[str, Handler] = {}
        self.dialog_kinds: dict[str, set[str]] = {}  # dialog name → message kinds it takes (image …)
        self.keywords: dict[str, Handler] = {}
        self.kinds: dict[str, Handler] = {}
        self.intents: dict[str, Handler] = {}
        self.anytime_intents: set[str] = set()
        self.fallback_handler: Handler | None = None
        self.dialog_of: Callable[[str], str | None] = lambda openid: None
        self.intent_of: Callable[[str], str | None] = lambda text: None

    def on_event(self, *names: str):
        return self._register(self.events, names)

    def on_click(self, *keys: str):
        return self._register(self.clicks, keys)

    def on_keyword(self, *words: str, anytime: bool = False):
        """Text equal to one of `words`; `anytime`: even while a dialog waits for an answer."""
        table = self.anytime if anytime else self.keywords
        return self._register(table, [normalize_keyword(w) for w in words])

    def on_dialog(self, name: str, kinds: tuple[str, ...] = ()):
        """Text from a user whose active dialog is `name` (see handlers/dialogs.py); also messages
        of `kinds` without text (an image, a location) the dialog asks for."""
        self.dialog_kinds[name] = set(kinds)
        return self._register(self.dialogs, [name])

    def dialog_lookup(self, lookup: Callable[[str], str | None]):
        """Sets how to learn a user's active dialog by openid (None: no dialog)."""
        self.dialog_of = lookup
        return lookup

    def on_intent(self, *names: str, anytime: bool = False):
        """Text read as meaning one of `names` (handlers/understanding/); `anytime`: even while a
        dialog waits for an answer."""
        if anytime:
            self.anytime_intents.update(names)
        return self._register(self.intents, names)

    def intent_reader(self, reader: Callable[[str], str | None]):
        """Sets how to read a text into an intent name (None: no reading, the fallback answers)."""
        self.intent_of = reader
        return reader

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
        if not message.text.strip():
            return (self.dialog_taking(message) or self.kinds.get(message.kind)
                    or self.kinds.get("unknown"))
        word = normalize_keyword(message.text)
        anytime = self.anytime.get(word)
        if anytime is not None:
            return anytime
        dialog = self.active_dialog(message.openid)
        if dialog is not None:
            intent = self.intent_of(message.text) if self.anytime_intents else None
            return self.intents[intent] if intent in self.anytime_intents else dialog
        return self.find_free(message)

    def find_free(self, message: Message) -> Handler | None:
        """The handler for a text as if no dialog were active: keywords, its meaning, the fallback."""
        word = normalize_keyword(message.text)
        return (self.keywords.get(word)
                or self.intents.get(self.intent_of(message.text) or "")
                or self.fallback_handler)

    def dialog_taking(self, message: Message) -> Handler | None:
        """The user's active dialog when it asks for a message of this kind (a photo, a location)."""
        if not any(message.kind in kinds for kinds in self.dialog_kinds.values()):
            return None
        name = self.dialog_of(message.openid)
        return self.dialogs.get(name) if name and message.kind in self.dialog_kinds.get(name, ()) else None

    def active_dialog(self, openid: str) -> Handler | None:
        name = self.dialog_of(openid)
        return self.dialogs.get(name) if name else None

    @staticmethod
    def _register(table: dict[str, Handler], names):
        def decorator(handler: Handler) -> Handler:
            for name in names:
                table[name] = handler
            return handler

        return decorator


# WeChat cuts a passive text reply longer than this many bytes (UTF-8).
REPLY_BYTES = 2048


def fit_reply(text: str | None, limit: int = REPLY_BYTES) -> str | None:
    """`text` within `limit` bytes: whole lines kept while they fit, then an ellipsis."""
    if text is None or len(text.encode()) <= limit:
        return text
    kept, size = [], len("…".encode())
    for line in text.split("\n"):
        size += len(line.encode()) + 1
        if size > limit:
            break
        kept.append(line)
    if not kept:  # one very long line: cut it at a character
        cut = text.encode()[:limit - len("…".encode())].decode(errors="ignore")
        return cut + "…"
    return "\n".join(kept) + "\n…"


def normalize_keyword(text: str) -> str:
    return text.strip().strip("？?！!。.").lower()


router = Router()
