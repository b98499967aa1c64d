"""The sorting engine: from a resident's text to one answer per item mentioned.

Each mention is resolved by the first path that applies, most certain first: what staff taught,
the exact name, the name without state words, the same pinyin, the head of the compound, near
pinyin, a small edit distance, and finally a guess from the logistic-regression guesser (with the
nearest known items offered as alternatives). Each path carries the confidence measured for it
(content/sorting/tuning.toml).
"""
import threading
from collections.abc import Mapping
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from content.sorting import DATA_DIR, Item, Knowledge, load_knowledge
from handlers.sorting import resolve
from handlers.sorting.answer import CATEGORIES, Answer, Classification
from handlers.sorting.lexicon import Lexicon
from handlers.sorting.model import Guesser
from handlers.sorting.query import QueryParser, normalize
from handlers.sorting.resolve import Match
from infra import artefacts

CLASSIFIED_KEPT = 2048  # about 2 MB per process when full (two-item questions)


class Engine:
    def __init__(self, knowledge: Knowledge) -> None:
        self.knowledge = knowledge
        self.lexicon = Lexicon(knowledge.items)
        self.parser = QueryParser(knowledge.phrases, (item.name for item in knowledge.items), knowledge.simplified,
                                  {item.name.lower(): item.category for item in knowledge.items})
        self.guesser = Guesser.for_items(knowledge.items, CATEGORIES, knowledge.tuning["training"])
        self.tuning = knowledge.tuning
        self.taught: Mapping[str, tuple[str, str]] = {}
        self.taught_version = 0  # counts changes of the overlay (for caches of what texts mean)
        self.classified = self.new_memory()
        # For state-dependent items: words that settle the bin, longest first (无汞 before 汞).
        self.settling_words = {
            key: sorted(((word, category) for category, words in note.get("by_words", {}).items()
                         for word in words), key=lambda pair: -len(pair[0]))
            for key, note in knowledge.notes.items()}

    @classmethod
    def from_items(cls, items) -> "Engine":
        """An engine with the shipped rules but another item list (held-out benchmarks)."""
        return cls(load_knowledge().with_items(items))

    @staticmethod
    def normalize(text: str) -> str:
        return normalize(text)

    def knows(self, name: str) -> bool:
        """True when `name` is an item of the dictionary, not a guess."""
        return self.lexicon.get(name) is not None

    def set_taught(self, taught: Mapping[str, tuple[str, str]]) -> None:
        # One reference swap: readers see the old overlay or the new one, never a mix.
        self.taught = dict(taught)
        self.taught_version += 1
        self.classified = self.new_memory()  # after the overlay: no reader pairs a new memory with it

    def __getstate__(self) -> dict:  # the engine is pickled ahead (get_engine); its memory is not
        return {name: value for name, value in vars(self).items() if name != "classified"}

    def __setstate__(self, state: dict) -> None:
        vars(self).update(state)
        self.classified = self.new_memory()

    def new_memory(self):
        # Residents ask about the same few hundred things: each text is read once per overlay.
        return lru_cache(maxsize=CLASSIFIED_KEPT)(self.classify_now)

    def classify(self, text: str) -> Classification:
        return self.classified(text)

    def classify_now(self, text: str) -> Classification:
        taught = self.taught
        whole = taught.get(normalize(text))
        if whole:
            mentions = [text.strip()]
        else:
            mentions = self.parser.mentions(text)
        answers, unrecognised = [], []
        for mention in mentions:
            match = self.in_context(self.resolve(mention, taught), text)
            if match is None:
                unrecognised.append(mention)
            else:
                answers.append(self.answer(mention, match))
        return Classification(text, tuple(answers), tuple(unrecognised), self.suggest(unrecognised))

    def resolve(self, mention: str, taught: Mapping[str, tuple[str, str]]) -> Match | None:
        return resolve.resolve(self, mention, taught)

    def in_context(self, match: Match | None, text: str) -> Match | None:
        """The food sense of a name when the message speaks of food or drink ("奶茶里的珍珠")."""
        sense = self.knowledge.senses.get(match.item) if match is not None else None
        if sense is None or not any(word in text for word in sense["context"]):
            return match
        return replace(match, item=sense["item"], category=sense["category"], known=None)

    def resolve_known(self, mention: str) -> Match | None:
        """The known item a mention names, without asking the guesser for a guess."""
        return resolve.resolve_known(self, mention, self.taught)

    def settled_category(self, item: Item, mention: str) -> str:
        """The item's bin, or for a state-dependent item the bin its mention settles ("碱性电池")."""
        return self.settling_word(item, mention) or item.category

    def settling_word(self, item: Item, mention: str) -> str | None:
        """The bin a word of the mention settles for a state-dependent item, if any."""
        for word, category in self.settling_words.get(item.note, ()):
            if word in mention:
                return category
        return None

    def soiled(self, mention: str, name: str) -> bool:
        """Whether the mention says the thing named `name` is wet, greasy or soiled ("湿纸箱",
        "沾了油的报纸"), in words outside the name itself (湿巾 is no wet 巾)."""
        words = self.knowledge.soiled.get("words", ())
        mention, name = mention.lower(), name.lower()
        rest = mention.replace(name, "", 1) if name in mention else mention[:len(mention) - len(name)]
        if not rest or not any(word in rest for word in words):
            return False
        return not any(negation in rest for negation in self.knowledge.soiled.get("negations", ()))

    def held_hazard(self, mention: str, name: str) -> bool:
        """Whether the mention names a container or packaging of hazardous waste: hazardous contents
        before the container named `name` ("装过农药的玻璃瓶", "药品包装袋", "碘酒玻璃瓶")."""
        held = self.knowledge.held
        mention, name = mention.lower(), name.lower()
        if not held or not name or name[-1] not in held["containers"]:
            return False
        cut = mention.rfind(name)
        if cut < 0:
            cut = len(mention) - len(name)
        # Contents start before the container's name, and may run into it (碘酒 + 酒瓶: 碘酒瓶).
        return cut > 0 and any(0 <= mention.find(word) < cut for word in held["contents"])

    def suggest(self, unrecognised: list[str], limit: int = 3) -> tuple[str, ...]:
        found: list[str] = []
        for mention in unrecognised:
            for _, item in self.lexicon.neighbours(mention, limit):
                if item.name not in found:
                    found.append(item.name)
        return tuple(found[:limit])

    def answer(self, mention: str, match: Match) -> Answer:
        category = self.knowledge.categories[match.category]
        note = ""
        if match.known and match.known.note:
            note = self.knowledge.notes[match.known.note]["text"]
        elif match.category == "special":
            channel = match.known.channel if match.known else ""
            note = self.knowledge.channels[channel]["channel"] if channel else category["tip"]
        guess = match.confidence < self.tuning["threshold"]
        return Answer(
            mention=mention, item=match.item, category=match.category, label=category["label"],
            bin_colour=category["bin_colour"], confidence=round(match.confidence, 3),
            tip=self.advice(mention, match.item, match.category) or category["tip"], note=note,
            guess=guess, alternatives=self.close(mention, match.alternatives) if guess else ())

    def advice(self, mention: str, item: str, category: str) -> str:
        """Advice that fits this item (content/sorting/advice.toml), or "" for the bin's own tip."""
        for entry in self.knowledge.advice:
            if category in entry.get("categories", (category,)) and any(
                    word in mention or word in item for word in entry["words"]):
                return entry["text"]
        return ""

    @staticmethod
    def close(mention: str, alternatives: tuple[str, ...]) -> tuple[str, ...]:
        """Only alternatives that share a character with what was typed: a guess for 冻梨 should not
        offer 坏的花盆 as a near item."""
        return tuple(name for name in alternatives if set(name) & set(mention))


_engine: Engine | None = None
_engine_lock = threading.Lock()


def get_engine() -> Engine:
    """The process-wide engine, loaded on first use from its copy built ahead (infra/artefacts.py;
    building it takes ~2 s, loading it ~0.1 s)."""
    global _engine
    if _engine is None:
        with _engine_lock:
            if _engine is None:
                _engine = artefacts.pickled("sorting-engine", knowledge_key(), lambda: Engine(load_knowledge()))
    return _engine


def knowledge_key() -> str:
    """The digest of what the engine is built from: the sorting content, this package's code and
    the dictionaries it reads (jieba's, pypinyin's)."""
    return artefacts.digest(artefacts.sources(DATA_DIR, Path(__file__).parent), ("jieba", "pypinyin"))
