"""Resolve one mention to a category, trying the most certain paths first."""
from collections.abc import Mapping
from typing import TYPE_CHECKING

from content.sorting import Item
from handlers.sorting.lexicon import edit_distance
from handlers.sorting.query import normalize

if TYPE_CHECKING:
    from handlers.sorting.engine import Engine, Match


def resolve(engine: "Engine", mention: str, taught: Mapping[str, tuple[str, str]]) -> "Match | None":
    cores = engine.parser.cores(mention)
    core = cores[-1] if len(cores[-1]) >= 2 else mention
    for path in (by_taught, by_name, by_pinyin, by_head, by_fuzzy_pinyin, by_edit, by_guess):
        match = path(engine, cores, core, taught)
        if match:
            return match
    return None


def matched(engine: "Engine", item: Item, path: str) -> "Match":
    from handlers.sorting.engine import Match
    return Match(item.name, item.category, engine.tuning["confidence"][path], path, item)


def by_taught(engine, cores, core, taught):
    from handlers.sorting.engine import Match
    for text in cores:
        entry = taught.get(normalize(text))
        if entry:
            item, category = entry
            known = engine.lexicon.get(item)
            return Match(item, category, engine.tuning["confidence"]["taught"], "taught",
                         known if known and known.category == category else None)
    return None


def by_name(engine, cores, core, taught):
    for index, text in enumerate(cores):
        item = engine.lexicon.get(text)
        if item:
            return matched(engine, item, "exact" if index == 0 else "modifier")
    return None


def by_pinyin(engine, cores, core, taught):
    return closest_spelling(engine, core, engine.lexicon.sounding_like(core, fuzzy=False), "pinyin")


def by_head(engine, cores, core, taught):
    item = engine.lexicon.head(core)
    return matched(engine, item, "head") if item else None


def by_fuzzy_pinyin(engine, cores, core, taught):
    return closest_spelling(engine, core, engine.lexicon.sounding_like(core, fuzzy=True), "fuzzy_pinyin")


def by_edit(engine, cores, core, taught):
    """One missing or extra character in a name of three or more, or one wrong one in five or more.

    A wrong character in a short name usually names another thing (药片盒 is not 磁片盒);
    sound-alike wrong characters are the pinyin paths' job.
    """
    if len(core) < 3:
        return None
    for _, item in engine.lexicon.neighbours(core, limit=10):
        name = item.name.lower()
        if len(name) < 3 or (len(name) == len(core) and len(core) < 5):
            continue
        if edit_distance(core.lower(), name, 1) <= 1:
            return matched(engine, item, "edit")
    return None


def by_guess(engine, cores, core, taught):
    from handlers.sorting.engine import Match
    # Latin letters or digits alone ("abc", "123") say nothing about a thing.
    if not any(is_han(char) for char in core) or not engine.guesser.knows_any(core):
        return None
    settings = engine.tuning["model"]
    probabilities = engine.guesser.probabilities(core, settings["temperature"])
    category = max(probabilities, key=probabilities.get)
    confidence = min(probabilities[category], settings["max_confidence"])
    alternatives = tuple(item.name for _, item in engine.lexicon.neighbours(core, limit=3))
    return Match(core, category, confidence, "guess", None, alternatives)


def closest_spelling(engine, core: str, candidates: list[Item], path: str):
    """Among same-sounding items, the one sharing most characters with what was typed."""
    if not candidates:
        return None
    best = max(candidates, key=lambda item: sum(a == b for a, b in zip(item.name.lower(), core.lower())))
    return matched(engine, best, path)


def is_han(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"
