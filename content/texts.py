"""Texts people read, from TOML files under content/, each loaded once per process."""
import tomllib
from functools import cache
from pathlib import Path

CONTENT_DIR = Path(__file__).parent


@cache
def table(name: str) -> dict:
    """The whole file content/<name> (e.g. "replies.toml", "quiz/replies.toml")."""
    with (CONTENT_DIR / name).open("rb") as file:
        return tomllib.load(file)


def lookup(file: str, key: str, /, **values) -> str:
    """The text under `key` (dotted for tables) in content/<file>, with {placeholders} filled in."""
    node = table(file)
    for part in key.split("."):
        node = node[part]
    return node.format(**values) if values else node


def replies() -> dict:
    return table("replies.toml")


def text(key: str, **values) -> str:
    """A chat reply text (content/replies.toml)."""
    return lookup("replies.toml", key, **values)
