"""A small naive-Bayes guesser, trained on the item list when the engine is built.

For items no list has, the category follows mostly from the head of the compound (the end:
"…瓶", "…骨头", "…电池") and from what it is made of ("塑料…"), so the features are the
final characters, weighted up, plus every character and bigram. Training on ~4,000 names
takes milliseconds; nothing is downloaded.
"""
import math
from collections import Counter, defaultdict

from content.sorting import Item

# Weight of the head features (suffixes) relative to the plain n-grams.
HEAD_WEIGHT = 3


def features(name: str) -> Counter:
    name = name.lower()
    found: Counter = Counter()
    for length in (1, 2, 3):
        if len(name) >= length:
            found["$" + name[-length:]] += HEAD_WEIGHT
    # What an item is made of or for often comes first ("塑料…", "过期…").
    for length in (1, 2):
        if len(name) > length:
            found["^" + name[:length]] += 1
    found.update(name)
    found.update(name[i:i + 2] for i in range(len(name) - 1))
    return found


class Guesser:
    def __init__(self, items: tuple[Item, ...], categories: tuple[str, ...]) -> None:
        self.categories = categories
        counts: dict[str, Counter] = defaultdict(Counter)
        totals: Counter = Counter()
        for item in items:
            counts[item.category].update(features(item.name))
            totals[item.category] += 1
        self.vocabulary = set().union(*counts.values()) if counts else set()
        size = len(self.vocabulary) + 1
        self.log_prior = {c: math.log((totals[c] + 1) / (len(items) + len(categories))) for c in categories}
        self.log_likelihood: dict[str, dict[str, float]] = {}
        self.log_unseen: dict[str, float] = {}
        for category in categories:
            mass = sum(counts[category].values()) + size
            self.log_likelihood[category] = {
                feature: math.log((count + 1) / mass) for feature, count in counts[category].items()}
            self.log_unseen[category] = math.log(1 / mass)

    def knows_any(self, name: str) -> bool:
        return any(feature in self.vocabulary for feature in features(name))

    def probabilities(self, name: str, temperature: float) -> dict[str, float]:
        """Category probabilities, softened by `temperature` (naive Bayes is over-confident)."""
        observed = features(name)
        scores = {}
        for category in self.categories:
            table, unseen = self.log_likelihood[category], self.log_unseen[category]
            score = self.log_prior[category]
            for feature, weight in observed.items():
                if feature in self.vocabulary:
                    score += weight * table.get(feature, unseen)
            scores[category] = score / temperature
        top = max(scores.values())
        exps = {category: math.exp(score - top) for category, score in scores.items()}
        total = sum(exps.values())
        return {category: value / total for category, value in exps.items()}
