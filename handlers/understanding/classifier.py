"""A small naive Bayes classifier, trained when the process loads the phrasings (well under a second).

Features are present or absent (binary); every intent has the same prior, since how many phrasings
an intent has says nothing about how often residents mean it.
"""
import math
from collections import Counter
from collections.abc import Iterable


class NaiveBayes:
    def __init__(self, examples: Iterable[tuple[Iterable[str], str]], smoothing: float) -> None:
        counts: dict[str, Counter] = {}
        for features, label in examples:
            counts.setdefault(label, Counter()).update(set(features))
        vocabulary = set().union(*counts.values())
        self.labels = tuple(counts)
        self.log_p: dict[str, dict[str, float]] = {}
        self.log_unseen: dict[str, float] = {}
        for label, counter in counts.items():
            total = sum(counter.values()) + smoothing * len(vocabulary)
            self.log_p[label] = {f: math.log((n + smoothing) / total) for f, n in counter.items()}
            self.log_unseen[label] = math.log(smoothing / total)
        self.vocabulary = frozenset(vocabulary)

    def scores(self, features: Iterable[str]) -> dict[str, float]:
        """Log-likelihood of each label; features never seen in training are ignored."""
        known = [f for f in set(features) if f in self.vocabulary]
        return {label: sum(self.log_p[label].get(f, self.log_unseen[label]) for f in known)
                for label in self.labels}
