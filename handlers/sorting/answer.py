"""What the sorting engine says about a message: plain, immutable values."""
from dataclasses import dataclass

CATEGORIES = ("recyclable", "hazardous", "kitchen", "residual", "special")


@dataclass(frozen=True)
class Answer:
    mention: str  # the span of the user's text this answer is about
    item: str  # the known item it was matched to (or the best-guess name)
    category: str  # one of CATEGORIES
    label: str  # Chinese category name
    bin_colour: str  # Chinese bin colour, "" for special
    confidence: float  # 0..1
    tip: str  # one-line disposal tip
    note: str = ""  # the distinction for state-dependent items, or the channel for special
    guess: bool = False  # below the confidence threshold: a best guess
    alternatives: tuple[str, ...] = ()  # closest known items when guessing


@dataclass(frozen=True)
class Classification:
    query: str
    answers: tuple[Answer, ...]  # one per item mentioned, in text order
    unrecognised: tuple[str, ...]  # mentions nothing could be said about
    suggestions: tuple[str, ...]  # close known items for the unrecognised ones
    more: int = 0  # items mentioned but left out of a long message's answer
