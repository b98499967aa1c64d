"""Texts about school activities (content/activities.toml), loaded once per process."""
import tomllib
from functools import cache
from pathlib import Path

ACTIVITIES_FILE = Path(__file__).with_name("activities.toml")


@cache
def texts() -> dict:
    with ACTIVITIES_FILE.open("rb") as file:
        return tomllib.load(file)


def text(key: str, **values) -> str:
    """The text under `key` (dotted), with {placeholders} filled in."""
    node = texts()
    for part in key.split("."):
        node = node[part]
    return node.format(**values) if values else node
