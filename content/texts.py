"""Reply texts residents read, loaded once from content/replies.toml."""
import tomllib
from functools import cache
from pathlib import Path

REPLIES_FILE = Path(__file__).with_name("replies.toml")


@cache
def replies() -> dict:
    with REPLIES_FILE.open("rb") as file:
        return tomllib.load(file)


def text(key: str, **values) -> str:
    """The reply text under `key` (dotted for tables), with {placeholders} filled in."""
    node = replies()
    for part in key.split("."):
        node = node[part]
    return node.format(**values) if values else node
