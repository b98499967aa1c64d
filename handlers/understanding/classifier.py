"""A small naive Bayes classifier, trained when the process loads the phrasings (well under a second).

Features are present or absent (binary); every intent has the same prior, since how many phrasings
an intent has says nothing about how often residents mean it. Scores are kept sparse: each feature
holds only what it adds, for the labels it was seen with, over the score of an unseen feature, so
reading one message touches a few hundred numbers, not features × labels.
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
        self.log_unseen: dict[str, float] = {}
        self.gain: dict[str, list[tuple[str, float]]] = {}  # feature -> (label, log p - log unseen)
        for label, counter in counts.items():
            total = sum(counter.values()) + smoothing * len(vocabulary)
            self.log_unseen[label] = math.log(smoothing / total)
            for feature, n in counter.items():
                self.gain.setdefault(feature, []).append((label, math.log((n + smoothing) / smoothing)))

    def scores(self, features: Iterable[str]) -> dict[str, float]:
        """Log-likelihood of each label; features never seen in training are ignored."""
        known = [f for f in set(features) if f in self.gain]
        scores = {label: len(known) * unseen for label, unseen in self.log_unseen.items()}
        for feature in known:
            for label, gain in self.gain[feature]:
                scores[label] += gain
        return scores
