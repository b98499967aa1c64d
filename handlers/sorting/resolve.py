"""Resolve one mention to a category, trying the most certain paths first.

Order matters: a path only runs when every more certain one found nothing, so typo and guess
paths can never overrule an exact or a head match.
"""
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from content.sorting import Item
from handlers.sorting.lexicon import one_slip_apart
from handlers.sorting.model import Opinion
from handlers.sorting.query import normalize

if TYPE_CHECKING:
    from handlers.sorting.engine import Engine


@dataclass(frozen=True)
class Match:
    """How one mention was resolved, before it is dressed as an Answer."""

    item: str
    category: str
    confidence: float
    path: str
    known: Item | None = None  # the dictionary item, when matched to one
    alternatives: tuple[str, ...] = ()


@dataclass
class Lookup:
    """One mention being resolved; shares work between the paths."""

    engine: "Engine"
    mention: str
    taught: Mapping[str, tuple[str, str]]
    cores: list[str] = field(init=False)

    def __post_init__(self) -> None:
        self.cores = self.engine.parser.cores(self.mention)

    @property
    def core(self) -> str:
        """The mention without its state words, unless too little would be left."""
        return self.cores[-1] if len(self.cores[-1]) >= 2 else self.mention

    @cached_property
    def opinion(self) -> Opinion:
        """The guesser's view of the core, asked at most once per mention."""
        return self.engine.guesser.opinion(self.core, self.engine.tuning["model"]["temperature"])

    @cached_property
    def neighbours(self) -> list:
        return self.engine.lexicon.neighbours(self.core, limit=10)

    def unless_model_objects(self, match: Match) -> Match:
        return (by_guess(self) or match) if model_objects(self, match.category) else match

    def unless_word_objects(self, match: Match) -> Match:
        """A same-sounding match of a real word is another thing (鸭翅 is not 牙齿, 泡沫 not 泡馍,
        水槽 not 水草): the resident typed what they meant, so the guesser answers unless it agrees
        with the match; a typo, which is no word (落花牲), keeps its match. (On the dev split's
        unknown items 81.5 % -> 82.6 %, 5-fold CV 79.3 % -> 79.5 %, typos unchanged.)"""
        if not self.is_word:
            return match
        if self.opinion.best != match.category:
            return by_guess(self) or match
        return match

    def unless_objected(self, match: Match) -> Match:
        """A loose sound match: a real word is judged as above, anything else by the model."""
        judged = self.unless_word_objects(match)
        return judged if judged is not match else self.unless_model_objects(match)

    @cached_property
    def is_word(self) -> bool:
        """Whether jieba's dictionary (which the engine's tokenizer loads) has the core as a word."""
        return self.engine.parser.tokenizer.frequency(self.core.lower()) > 0

    def matched(self, item: Item, path: str, confidence: float | None = None) -> Match:
        if confidence is None:
            confidence = self.engine.tuning["confidence"][path]
        category = self.engine.settled_category(item, self.mention)
        if category == "recyclable" and self.engine.soiled(self.mention, item.name):
            category = "residual"
        if category != "hazardous" and self.engine.held_hazard(self.mention, item.name):
            category = "hazardous"
        return Match(item.name, category, confidence, path, item)


def model_objects(lookup: Lookup, category: str) -> bool:
    """Whether the guesser is sure the mention is something else than a loose match says.

    A head or one-character match of an unknown compound can name another thing (香肠竹签 is
    not 香肠): when the model is confident of another category and gives this one little
    chance, its guess is the better answer.
    """
    settings = lookup.engine.tuning["model"]
    probabilities, best = lookup.opinion.trained, lookup.opinion.best
    return (best != category and probabilities[best] >= settings["objection"]
            and probabilities.get(category, 0.0) < settings["objection_ceiling"])


def resolve(engine: "Engine", mention: str, taught: Mapping[str, tuple[str, str]]) -> Match | None:
    lookup = Lookup(engine, mention, taught)
    for path in PATHS:
        match = path(lookup)
        if match:
            return match
    return None


def resolve_known(engine: "Engine", mention: str, taught: Mapping[str, tuple[str, str]]) -> Match | None:
    """A known item the mention names (exactly, with state words, misspelt …), never a guess:
    whether a text names a thing at all (handlers/understanding/)."""
    lookup = Lookup(engine, mention, taught)
    for path in PATHS:
        if path is by_guess:
            return None
        match = path(lookup)
        if match:
            return match if match.path != "guess" else None
    return None


def by_taught(lookup: Lookup) -> Match | None:
    for text in lookup.cores:
        entry = lookup.taught.get(normalize(text))
        if entry:
            item, category = entry
            known = lookup.engine.lexicon.get(item)
            return Match(item, category, lookup.engine.tuning["confidence"]["taught"], "taught",
                         known if known and known.category == category else None)
    return None


def by_name(lookup: Lookup) -> Match | None:
    for index, text in enumerate(lookup.cores):
        item = lookup.engine.lexicon.get(text)
        if item:
            return lookup.matched(item, "exact" if index == 0 else "modifier")
    return None


def by_pinyin(lookup: Lookup) -> Match | None:
    candidates = lookup.engine.lexicon.sounding_like(lookup.core, fuzzy=False)
    match = closest_spelling(lookup, candidates, "pinyin")
    return lookup.unless_word_objects(match) if match else None


def by_one_sound_off(lookup: Lookup) -> Match | None:
    """One character typed as another that sounds (nearly) the same: 荔织核 -> 荔枝核."""
    found = lookup.engine.lexicon.one_sound_off(lookup.core)
    if not found:
        return None
    closeness, item = found[0]
    path = "one_sound_off" if closeness == 2 else "one_sound_near"
    confidence = lookup.engine.tuning["confidence"][path]
    if len(lookup.core) == 2:  # one of two characters wrong: a weaker hint
        confidence -= lookup.engine.tuning["confidence"]["short_penalty"]
    match = lookup.matched(item, path, confidence)
    return lookup.unless_word_objects(match) if closeness == 2 else lookup.unless_objected(match)


def by_head(lookup: Lookup) -> Match | None:
    item = lookup.engine.lexicon.head(lookup.core)
    if item is None:
        return None
    match = lookup.matched(item, "head")
    if lookup.engine.settling_word(item, lookup.mention):
        return match  # Changchun's rule for the state (牛肉骨头: a large bone) is no guess to overrule
    return lookup.unless_model_objects(match)


def by_state_head(lookup: Lookup) -> Match | None:
    """An unknown name whose head is a state-dependent item and whose other words settle its
    state (花蛤壳: a 壳 of a 蛤, hard: 其他垃圾; 羊脊骨: a 骨 of a 羊, large): Changchun's rule for
    that item (content/sorting/changchun.toml, notes) answers, with the distinction."""
    engine, core = lookup.engine, lookup.core.lower()
    for length in range(min(len(core) - 1, engine.lexicon.longest), 0, -1):
        item = engine.lexicon.get(core[-length:])
        if item is None or not item.note:
            continue
        rest = core[:-length]
        for word, category in engine.settling_words.get(item.note, ()):
            if word in rest:
                return Match(item.name, category, engine.tuning["confidence"]["state_head"], "state_head", item)
        return None
    return None


def by_fuzzy_pinyin(lookup: Lookup) -> Match | None:
    candidates = lookup.engine.lexicon.sounding_like(lookup.core, fuzzy=True)
    match = closest_spelling(lookup, candidates, "fuzzy_pinyin")
    return lookup.unless_objected(match) if match else None


def by_edit(lookup: Lookup) -> Match | None:
    """A known name one slip away from the typed one (handlers/sorting/lexicon.one_slip_apart)."""
    core = lookup.core.lower()
    if len(core) < 3:
        return None
    for _, item in lookup.neighbours:
        if one_slip_apart(core, item.name.lower()):
            return lookup.unless_objected(lookup.matched(item, "edit"))
    return None


def by_guess(lookup: Lookup) -> Match | None:
    """Nothing known matches: the model's best category, with honest confidence."""
    core = lookup.core
    # Latin letters or digits alone ("abc", "123") say nothing about a thing.
    if not any(is_han(char) for char in core) or not lookup.engine.guesser.knows_any(core):
        return None
    # Chosen as trained, so calibration never changes the answer; the confidence is calibrated.
    category = lookup.opinion.best
    confidence = min(lookup.opinion.calibrated[category], lookup.engine.tuning["model"]["max_confidence"])
    if category == "recyclable":
        # Soiling words count outside the head noun ("被雨淋湿的纸箱" is a wet 纸箱).
        head = lookup.engine.lexicon.head(core)
        if lookup.engine.soiled(lookup.mention, head.name if head else core):
            category = "residual"
    if category != "hazardous" and lookup.engine.held_hazard(lookup.mention, core[-1:]):
        category = "hazardous"
    alternatives = tuple(item.name for _, item in lookup.neighbours[:3])
    return Match(core, category, confidence, "guess", None, alternatives)


def closest_spelling(lookup: Lookup, candidates: list[Item], path: str) -> Match | None:
    """Among same-sounding items, the one sharing most characters with what was typed."""
    if not candidates:
        return None
    core = lookup.core.lower()
    best = max(candidates, key=lambda item: sum(a == b for a, b in zip(item.name.lower(), core)))
    return lookup.matched(best, path)


def is_han(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"


PATHS = (by_taught, by_name, by_pinyin, by_one_sound_off, by_head, by_state_head, by_fuzzy_pinyin, by_edit,
         by_guess)
