"""Understanding: what a resident's text message means, before anything is looked up.

Every text is read into one intent (content/intents/phrasings/: sorting, volunteer_register,
delete_data, service …) by a classifier trained on the phrasings (ahead: infra/artefacts.py), with
the sorting engine's knowledge of item names as evidence. A message that names no item is never
read as a sorting question, so it never gets a bin guess.
"""
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from content.intents import HERE as INTENTS
from content.intents import Intent, load_intents, settings
from handlers.sorting import get_engine, phonetic
from handlers.sorting.engine import knowledge_key
from handlers.sorting.query import normalize
from handlers.understanding.classifier import NaiveBayes
from handlers.understanding.reader import ITEM, Reader, Sight
from infra import artefacts

# What the resident asks for outright: a close call between two of these is worth a question.
CHITCHAT = frozenset({"greeting", "thanks", "smalltalk", "unclear"})
# Requests that may come with an item question beside them; a service or report message names
# its item as part of the matter (旧衣服回收箱在哪, 坏了的垃圾桶).
REQUESTS = frozenset({"volunteer_register", "volunteer_status", "area_bind", "area_show", "delete_data",
                      "quiz", "survey", "activities", "campaign", "human", "help"})
CLEAR_MARGIN = 2.0  # log-odds a clause's request needs to lead over the item question
EXACT = 100.0  # the margin of a message typed exactly as a phrasing
# Where a message turns to a second matter ("我想当志愿者，顺便问下电池扔哪").
CLAUSES = re.compile(r"[,，。.;；!！?？\s]+|顺便|另外|还有就是|对了|再问")


@dataclass(frozen=True)
class Reading:
    intent: str
    items: tuple[str, ...]  # known items the message names (answered besides a request)
    choices: tuple[str, ...] = ()  # two close readings to ask between, best first
    margin: float = 0.0  # log-odds between the best and the second reading
    aside: tuple[str, ...] = ()  # items asked about beside a request, answered with it


class Understanding:
    def __init__(self, keep: Callable[[str], bool] | None = None, intents: dict[str, Intent] | None = None) -> None:
        """`keep`: which features to use (all by default; bench.intents --ablation tries fewer);
        `intents`: other phrasings to train on (bench.intents_generalise holds some back)."""
        self.keep = keep or (lambda feature: True)
        self.intents = intents or load_intents()
        self.settings = settings()
        self.engine = get_engine()
        self.reader = Reader(self.intents, self.settings, self.engine)
        self.max_chars = self.settings["classifier"]["max_chars"]
        self.ask_margin = self.settings["classifier"]["ask_margin"]
        self.gates = self.settings["gates"]
        self.class_words = frozenset(self.settings["class_words"])
        self.vague = frozenset(self.settings["vague_mentions"])
        if keep is None and intents is None:  # the product's: trained once, ahead (infra/artefacts.py)
            self.model, self.exact = artefacts.pickled("understanding", understanding_key(), self.train)
        else:
            self.model, self.exact = self.train()
        # What city staff taught (handlers/understanding/teaching.py), and how often it changed.
        self.taught: dict[str, str] = {}
        self.taught_version = 0

    def train(self) -> tuple[NaiveBayes, dict[str, str]]:
        """The classifier trained on the phrasings (a few seconds), and the phrasings themselves:
        a message typed exactly as a phrasing means that intent."""
        examples = [([f for f in self.reader.sight(text).features if self.keep(f)], name)
                    for name, text in training_examples(self.intents, self.engine, self.settings)]
        exact = {self.reader.normalise(text): name for name, intent in self.intents.items()
                 for text in intent.phrasings}
        return NaiveBayes(examples, self.settings["classifier"]["smoothing"]), exact

    def set_taught(self, taught: dict[str, str]) -> None:
        self.taught = dict(taught)  # one reference swap: readers see the old or the new table
        self.taught_version += 1

    def read(self, text: str) -> Reading:
        text = text[:self.max_chars]
        reading = self.read_one(text)
        if reading.intent == "sorting" and CLAUSES.search(text) and self.asks_for_more(text):
            # A request with an item question beside it: the request leads, the items are answered too.
            for clause in CLAUSES.split(text):
                if clause and clause != text:
                    part = self.read_one(clause)
                    if part.intent in REQUESTS and not part.items and part.margin >= CLEAR_MARGIN:
                        return Reading(part.intent, reading.items, (), part.margin, reading.items)
        if reading.intent in REQUESTS and reading.items and not reading.choices and CLAUSES.search(text):
            # The request read first, and an item question in a clause of its own beside it
            # ("查下我志愿时长，对了碎玻璃扔哪"): that clause's items are answered too.
            asked = self.asked_beside(text)
            if asked:
                return replace(reading, aside=asked)
        return reading

    def asked_beside(self, text: str) -> tuple[str, ...]:
        """The items of the clauses that read clearly as a sorting question on their own."""
        asked = []
        for clause in CLAUSES.split(text):
            if clause and clause != text:
                part = self.read_one(clause)
                if part.intent == "sorting" and part.items and part.margin >= CLEAR_MARGIN:
                    asked += part.items
        return tuple(dict.fromkeys(asked))

    def asks_for_more(self, text: str) -> bool:
        """Whether a cue word of a request is in the text (worth reading its clauses one by one)."""
        return any(cue[4:] in REQUESTS for cue in self.reader.cue_features(self.reader.normalise(text)))

    def read_one(self, text: str) -> Reading:
        sight = self.reader.sight(text)
        if normalize(text) in self.engine.taught:  # staff taught this very text as an item
            return Reading("sorting", sight.items or (text,), margin=EXACT)
        if sight.text in self.taught:  # city staff said what this very message means
            return Reading(self.taught[sight.text], sight.items, margin=EXACT)
        if sight.text in self.exact and self.exact[sight.text] != "sorting":
            return Reading(self.exact[sight.text], sight.items, margin=EXACT)
        scores = self.model.scores([f for f in sight.features if self.keep(f)])
        ranked = sorted(scores, key=scores.get, reverse=True)
        if not self.may_be_sorting(sight):
            ranked.remove("sorting")
        elif sight.items and not sight.masked.replace(ITEM, "").strip():
            ranked.remove("sorting")
            ranked.insert(0, "sorting")  # nothing but item names
        for intent, words in self.gates.items():
            if not any(word in sight.text for word in words):
                ranked.remove(intent)
        best, second = ranked[0], ranked[1]
        settled = False
        if best == "unclear" and sight.items:
            best, second, settled = "sorting", best, True  # an item named, nothing asked: its bin
        named = [item for item in sight.items if item not in self.class_words]
        if len(named) >= 2 and {best, second} == {"category_info", "sorting"}:
            # Several items named: a list to sort, not a question about a category.
            best, second, settled = "sorting", "category_info", True
        margin = scores[best] - scores[second]
        choices = ()
        if not settled and margin < self.ask_margin and not {best, second} & CHITCHAT:
            choices = (best, second)
        return Reading(best, sight.items, choices, margin)

    def may_be_sorting(self, sight: Sight) -> bool:
        """A sorting reading needs a thing to sort: a known item, or words that ask which bin
        around something that reads as a name (an unknown item the guesser may judge)."""
        if sight.items:
            return True
        if not sight.asks_bin:
            return False
        mentions = self.engine.parser.mentions(self.reader.without_filler(sight.text))
        return any(mention not in self.vague for mention in mentions)


def understanding_key() -> str:
    """The digest of what the classifier is trained from: the intents, this package's code, and
    all the sorting engine is built from (it reads the training phrasings)."""
    return artefacts.digest(artefacts.sources(INTENTS, INTENTS / "phrasings", Path(__file__).parent),
                            extra=knowledge_key())


def training_examples(intents, engine, config) -> list[tuple[str, str]]:
    """(intent, text) pairs: the phrasings, each cue word on its own (a cue tells its intent even
    when no phrasing happens to hold it), and the sorting templates filled with item names."""
    pairs = [(name, text) for name, intent in intents.items() for text in intent.phrasings]
    pairs += [(name, cue) for name, intent in intents.items() if config["classifier"]["cue_examples"]
              for cue in intent.cues]
    names = [item.name for item in engine.knowledge.items if 2 <= len(item.name) <= 6 and item.name.isalnum()]
    wanted = config["classifier"]["sorting_examples"]
    step = max(1, len(names) // wanted)
    sample = names[::step][:wanted]
    templates = intents["sorting"].templates
    for index, name in enumerate(sample):
        template = templates[index % len(templates)]
        pairs.append(("sorting", template.format(item=name, other=sample[(index * 7 + 3) % len(sample)])))
    return pairs


_understanding: Understanding | None = None
_lock = threading.Lock()


def get_understanding() -> Understanding:
    """The process-wide reader and classifier, built on first use (after the sorting engine)."""
    global _understanding
    if _understanding is None:
        with _lock:
            if _understanding is None:
                _understanding = Understanding()
    return _understanding


def preload() -> None:
    """Everything a process needs to answer any message, loaded now: the sorting engine, the
    classifier, and the pinyin dictionary (pypinyin's ~55 MB, otherwise loaded by the first typo)
    with the cue words' pinyin. gunicorn's master calls it before forking, so the workers share all of it."""
    get_understanding().reader.pinyin()
    phonetic.syllables("")


def understand(text: str) -> Reading:
    """The reading of `text` (cached: the router and the handler it picks ask for the same text;
    what staff teach changes readings at once)."""
    return cached_reading(text, get_engine().taught_version, get_understanding().taught_version)


@lru_cache(maxsize=4096)
def cached_reading(text: str, _taught_items: int, _taught_phrasings: int) -> Reading:
    """The versions only key the cache: a reading is made again once staff teach something."""
    return get_understanding().read(text)
