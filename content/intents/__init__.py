"""What residents mean, as data: the intents, their cue words and training phrasings, spelling
fixes for everyday typing, and the replies of the intents that only need a text.

One file per intent in content/intents/phrasings/; loaded once per process.
"""
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from content.texts import lookup

HERE = Path(__file__).parent


@dataclass(frozen=True)
class Intent:
    name: str
    label: str  # how a numbered choice names it to residents ("报名志愿者")
    cues: tuple[str, ...]  # words that point to this intent (features, not exact matches)
    phrasings: tuple[str, ...]  # training examples in residents' words
    templates: tuple[str, ...] = ()  # sorting only: "{item}扔哪", filled with names from the item list


def read(path: Path) -> dict:
    with path.open("rb") as file:
        return tomllib.load(file)


@cache
def load_intents() -> dict[str, Intent]:
    """Every intent by name, in a stable order."""
    intents = {}
    for path in sorted((HERE / "phrasings").glob("*.toml")):
        data = read(path)
        intents[data["intent"]] = Intent(
            name=data["intent"], label=data.get("label", data["intent"]), cues=tuple(data.get("cues", ())),
            phrasings=tuple(data["phrasings"]), templates=tuple(data.get("templates", ())))
    return intents


@cache
def settings() -> dict:
    """Spelling fixes, filler words and the classifier's thresholds (content/intents/settings.toml)."""
    return read(HERE / "settings.toml")


def reply(key: str, /, **values) -> str:
    """A reply text of content/intents/replies.toml (dotted keys for tables)."""
    return lookup("intents/replies.toml", key, **values)
