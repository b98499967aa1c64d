"""A small logistic-regression guesser for items no list has, trained on the item list.

The category of an unknown item follows mostly from the head of the compound (its end: "…瓶",
"…骨头", "…电池") and from what it is made of or what happened to it (its start: "塑料…",
"过期…"), so the features are its final and first characters plus every character and bigram.
A multinomial logistic regression weighs them against each other (on the first development
split's held-out names it scored 85 % against naive Bayes's 76 %; in 5-fold cross-validation over
the list, 79 % against 77 % — the list itself disagrees with itself on many similar names).

Characters alone do not say that 披萨 or 灌汤包 is food. So the English meaning of the name's head
(content/sorting/glosses.tsv, from the CC-CEDICT dictionary) adds its words as features: the model
learns from the list that "dumpling" or "noodle" is kitchen waste and "folder" recyclable
(5-fold cross-validation over the list, whole engine: 81.0 % -> 82.2 %).

Training takes about a second in pure Python, so handlers/sorting/build.py stores the weights in
content/sorting/guesser.json with a digest of the items they were trained on; an engine built on
the same items loads them, an engine built on other items (held-out benchmarks, tests) trains its
own. Nothing is downloaded.

Two backoffs stand behind the regression (class Backoff):
- a hand-written lexicon of head nouns and materials (content/sorting/materials.toml: "…瓦片",
  "…胶", "不锈钢…", "一次性…") adds a fixed weight to its category: the item list contradicts
  itself on many names, and domain knowledge settles the uncertain ones (5-fold cross-validation
  over the list, guesser alone: 80.1 % -> 81.1 %);
- a name none of whose features the model has seen (枸杞, 莴苣) is guessed from the radicals of its
  characters (content/sorting/radicals.txt: 枸 -> 木), by the categories of the known items whose
  last character carries the same radical, instead of going unanswered.
"""
import hashlib
import json
import math
import random
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from content.sorting import DATA_DIR, Item
from infra import artefacts
from infra.packed import PackedTable, packed

STORED = DATA_DIR / "guesser.json"
LEXICON = DATA_DIR / "materials.toml"
RADICALS = DATA_DIR / "radicals.txt"
GLOSSES = DATA_DIR / "glosses.tsv"
FEATURES_VERSION = "2: suffix 1-4, prefix 1-3, chars, bigrams, meaning of the head"


def features(name: str) -> list[str]:
    name = name.lower()
    found = ["$" + name[-length:] for length in (1, 2, 3, 4) if len(name) >= length]
    found += ["^" + name[:length] for length in (1, 2, 3) if len(name) > length]
    found += list(name)
    found += [name[i:i + 2] for i in range(len(name) - 1)]
    found += ["=" + word for word in meaning(name, glosses())]
    return found


def meaning(name: str, table: "Glosses | dict[str, tuple[str, ...]]") -> tuple[str, ...]:
    """The English words of what the name's head is (汉堡包 -> hamburger; 木头铅笔 -> pencil):
    the meaning of the longest end of the name the dictionary has, as a word of two or more
    characters. Chinese compounds are head-final, so that end says what the thing is."""
    for cut in range(len(name) - 1):
        words = table.get(name[cut:])
        if words:
            return words
    return ()


class Glosses:
    """Chinese word -> the English words of its meaning, packed (66,000 words: 29 MB as a dict)."""

    def __init__(self, table: PackedTable) -> None:
        self.table = table

    def get(self, word: str) -> tuple[str, ...] | None:
        english = self.table.text(word)
        return None if english is None else tuple(english.split())


@cache
def glosses() -> Glosses:
    """content/sorting/glosses.tsv (from CC-CEDICT), built ahead into a packed table."""
    return Glosses(packed("glosses", artefacts.digest([GLOSSES]), read_glosses))


def read_glosses() -> list[tuple[str, int, str]]:
    entries = []
    for line in GLOSSES.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            word, english = line.split("\t")
            entries.append((word, 0, english))
    return entries


@cache
def radical_table() -> dict[str, str]:
    """Character -> its radical, for the characters of content/sorting/radicals.txt."""
    table: dict[str, str] = {}
    for line in RADICALS.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            radical, characters = line.split("\t")
            table.update(dict.fromkeys(characters, radical))
    return table


@cache
def lexicon_tables() -> tuple[dict[str, str], dict[str, str]]:
    """(heads, materials): word -> category, from content/sorting/materials.toml."""
    data = tomllib.loads(LEXICON.read_text(encoding="utf-8"))
    return tuple({word.lower(): category for category, words in data[part].items() for word in words}
                 for part in ("heads", "materials"))


def radical(char: str) -> str:
    return radical_table().get(char, char)


class Backoff:
    """What the guesser leans on besides its weights: the lexicon, and radicals for unseen characters."""

    def __init__(self, items: tuple[Item, ...], categories: tuple[str, ...], settings: dict) -> None:
        self.heads, self.materials = lexicon_tables()
        self.longest_head = max(map(len, self.heads), default=0)
        self.longest_material = max(map(len, self.materials), default=0)
        self.weights = {"head": settings.get("lexicon_head", 0.0),
                        "material": settings.get("lexicon_material", 0.0)}
        # Categories of the known items by the radical of their last character (add-one smoothed).
        index = {category: position for position, category in enumerate(categories)}
        self.by_radical: dict[str, list[float]] = {}
        for item in items:
            han = [char for char in item.name if is_han(char)]
            if han and item.category in index:
                row = self.by_radical.setdefault(radical(han[-1]), [1.0] * len(categories))
                row[index[item.category]] += 1

    def lexicon(self, name: str) -> tuple[str, str] | None:
        """(category, "head" | "material") for the longest lexicon head the name ends with, else
        the longest material word it holds."""
        name = name.lower()
        for length in range(min(self.longest_head, len(name)), 0, -1):
            category = self.heads.get(name[-length:])
            if category:
                return category, "head"
        for length in range(min(self.longest_material, len(name)), 0, -1):
            for start in range(len(name) - length + 1):
                category = self.materials.get(name[start:start + length])
                if category:
                    return category, "material"
        return None

    def radical_scores(self, name: str) -> list[float] | None:
        """Log-odds from the radical of the last character whose radical the list shows."""
        for char in reversed(name):
            row = self.by_radical.get(radical(char)) if is_han(char) else None
            if row:
                total = sum(row)
                return [math.log(value / total) for value in row]
        return None


class Guesser:
    def __init__(self, weights: dict[str, list[float]], categories: tuple[str, ...],
                 backoff: Backoff | None = None) -> None:
        self.weights = weights
        self.categories = categories
        self.backoff = backoff

    @classmethod
    def for_items(cls, items: tuple[Item, ...], categories: tuple[str, ...], settings: dict) -> "Guesser":
        """The stored model when it was trained on exactly these items, else one trained now."""
        digest = training_digest(items, categories, settings)
        if STORED.exists():
            stored = json.loads(STORED.read_text(encoding="utf-8"))
            if stored["digest"] == digest:
                return cls(stored["weights"], categories, Backoff(items, categories, settings))
        return cls.train(items, categories, settings)

    @classmethod
    def train(cls, items: tuple[Item, ...], categories: tuple[str, ...], settings: dict) -> "Guesser":
        """Softmax regression by AdaGrad, in a fixed order (seeded), so training is reproducible."""
        size, rate = len(categories), settings["learning_rate"]
        index = {category: position for position, category in enumerate(categories)}
        data = [(features(item.name), index[item.category]) for item in items if item.category in index]
        weights: dict[str, list[float]] = {}
        squares: dict[str, list[float]] = {}
        rng = random.Random(settings["seed"])
        for _ in range(settings["epochs"]):
            rng.shuffle(data)
            for observed, truth in data:
                probabilities = softmax(score(weights, observed, size))
                for feature in observed:
                    row = weights.get(feature)
                    if row is None:
                        row = weights[feature] = [0.0] * size
                        squares[feature] = [1e-8] * size
                    square = squares[feature]
                    for c in range(size):
                        gradient = probabilities[c] - (c == truth)
                        square[c] += gradient * gradient
                        row[c] -= rate * gradient / math.sqrt(square[c])
        return cls(weights, categories, Backoff(items, categories, settings))

    def save(self, path: Path, items: tuple[Item, ...], settings: dict) -> None:
        weights = {feature: [round(value, 3) for value in row] for feature, row in sorted(self.weights.items())}
        text = json.dumps({"digest": training_digest(items, self.categories, settings), "weights": weights},
                          ensure_ascii=False, separators=(",", ":"))
        path.write_text(text + "\n", encoding="utf-8")

    def knows_any(self, name: str) -> bool:
        """Whether anything in the name says something: a feature, a lexicon word or a radical."""
        if any(feature in self.weights for feature in features(name)):
            return True
        return bool(self.backoff and (self.backoff.lexicon(name) or self.backoff.radical_scores(name)))

    def opinion(self, name: str, temperature: float) -> "Opinion":
        """The category probabilities as trained, and softened by `temperature` to match measured
        accuracy; the name's features and lexicon words are looked up once for both.

        A name with no known feature is scored by its radicals.
        """
        observed = features(name)
        scores = score(self.weights, observed, len(self.categories))
        backoff = self.backoff
        if backoff and not any(feature in self.weights for feature in observed):
            scores = backoff.radical_scores(name) or scores
        found = backoff.lexicon(name) if backoff else None
        return Opinion(self.distribution(scores, 1.0, found), self.distribution(scores, temperature, found))

    def distribution(self, scores: list[float], temperature: float, found: tuple[str, str] | None) -> dict[str, float]:
        """Softmax of the scores; a lexicon match adds its weight to its category (then all is
        scaled back to sum to 1)."""
        probabilities = dict(zip(self.categories, softmax([value / temperature for value in scores])))
        if found and found[0] in probabilities:
            category, kind = found
            weight = self.backoff.weights[kind]
            probabilities[category] += weight
            probabilities = {key: value / (1 + weight) for key, value in probabilities.items()}
        return probabilities


@dataclass(frozen=True)
class Opinion:
    """What the guesser makes of a name: it chooses by the probabilities as trained (the thresholds
    that use them were set on those), and reports the calibrated ones."""

    trained: dict[str, float]
    calibrated: dict[str, float]

    @property
    def best(self) -> str:
        return max(self.trained, key=self.trained.get)


def score(weights: dict[str, list[float]], observed: list[str], size: int) -> list[float]:
    total = [0.0] * size
    for feature in observed:
        row = weights.get(feature)
        if row:
            for c in range(size):
                total[c] += row[c]
    return total


def softmax(scores: list[float]) -> list[float]:
    top = max(scores)
    exps = [math.exp(value - top) for value in scores]
    total = sum(exps)
    return [value / total for value in exps]


def is_han(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"


def training_digest(items: tuple[Item, ...], categories: tuple[str, ...], settings: dict) -> str:
    text = "\n".join([FEATURES_VERSION, hashlib.sha256(GLOSSES.read_bytes()).hexdigest(), repr(categories),
                      repr(sorted(settings.items()))] + sorted(f"{item.name}\t{item.category}" for item in items))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
