"""The sorting knowledge as data: item dictionary, categories, Changchun rules, phrasing, reply texts.

Loaded once per process into read-only structures; nothing is read at import time.
"""
import csv
import tomllib
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).parent


@dataclass(frozen=True)
class Item:
    name: str
    category: str
    channel: str = ""  # key into Knowledge.channels, for `special` items
    note: str = ""  # key into Knowledge.notes, for items whose bin depends on their state


@dataclass(frozen=True)
class Knowledge:
    items: tuple[Item, ...]
    categories: dict  # code -> {label, bin_colour, tip}
    channels: dict  # key -> {name, channel, heads, items}
    notes: dict  # key -> {text, category, items}
    phrases: dict  # questions, separators, stopwords, modifiers
    replies: dict
    tuning: dict = field(default_factory=dict)  # confidences and thresholds
    simplified: dict = field(default_factory=dict)  # str.translate table: traditional -> simplified
    soiled: dict = field(default_factory=dict)  # words that make a recyclable 其他垃圾 (changchun.toml)
    held: dict = field(default_factory=dict)  # containers that held hazardous waste (changchun.toml)
    senses: dict = field(default_factory=dict)  # names with a food sense in a food context (changchun.toml)
    advice: tuple = ()  # advice that fits the item (advice.toml), before the bin's general tip

    def with_items(self, items) -> "Knowledge":
        """The same rules with another item list (held-out benchmarks, tests)."""
        return replace(self, items=tuple(as_item(entry) for entry in items))


def as_item(entry) -> Item:
    if isinstance(entry, Item):
        return entry
    return Item(*entry)


def read_toml(name: str) -> dict:
    with (DATA_DIR / name).open("rb") as file:
        return tomllib.load(file)


def read_items(path: Path = DATA_DIR / "items.csv") -> tuple[Item, ...]:
    with path.open(encoding="utf-8") as file:
        return tuple(Item(row["item"], row["category"], row["channel"], row["note"])
                     for row in csv.DictReader(file))


@cache
def load_knowledge() -> Knowledge:
    rules = read_toml("changchun.toml")
    return Knowledge(
        items=read_items(),
        categories=read_toml("categories.toml"),
        channels=rules["channels"],
        notes=rules["notes"],
        phrases=read_toml("phrases.toml"),
        replies=read_toml("replies.toml"),
        tuning=read_toml("tuning.toml"),
        simplified=simplified_table(),
        soiled=rules.get("soiled", {}),
        held=rules.get("held", {}),
        senses=rules.get("senses", {}),
        advice=tuple(read_toml("advice.toml")["advice"]),
    )


def simplified_table() -> dict[int, str]:
    table = read_toml("traditional.toml")
    return str.maketrans(table["traditional"], table["simplified"])
