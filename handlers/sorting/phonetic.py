"""Pinyin keys for typo tolerance: residents type with pinyin input, so typos sound alike.

Two keys per name: the exact toneless pinyin ("落花牲" == "落花生"), and a fuzzy one that merges
the initials and finals Chinese speakers commonly confuse (z/zh c/ch s/sh n/l f/h an/ang en/eng
in/ing), as pinyin IMEs do. The readings are pypinyin's (handlers/sorting/pinyin.py).
"""
from functools import lru_cache

from handlers.sorting import pinyin

FUZZY_INITIALS = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("l", "n"), ("h", "f"))
FUZZY_FINALS = (("iang", "ian"), ("uang", "uan"), ("ang", "an"), ("eng", "en"), ("ing", "in"))


def syllables(text: str) -> tuple[str, ...]:
    """One toneless syllable per character (non-Chinese characters stand for themselves)."""
    reader = pinyin.table()
    result = reader.lazy(text)
    if len(result) != len(text):  # defensive: keep one entry per character
        return tuple(reader.lazy(char)[0] for char in text)
    return tuple(result)


def fuzzy(syllable: str) -> str:
    for full, merged in FUZZY_INITIALS:
        if syllable.startswith(full):
            syllable = merged + syllable[len(full):]
            break
    for full, merged in FUZZY_FINALS:
        if syllable.endswith(full):
            return syllable[: -len(full)] + merged
    return syllable


def exact_key(sounds: tuple[str, ...]) -> str:
    return " ".join(sounds)


def fuzzy_key(sounds: tuple[str, ...]) -> str:
    return " ".join(fuzzy(sound) for sound in sounds)


@lru_cache(maxsize=8192)
def readings(char: str) -> frozenset[str]:
    """Every toneless reading of a character (heteronyms: 壳 is ké and qiào)."""
    return pinyin.table().readings(char)


def sound_closeness(typed: str, meant: str) -> int:
    """2 when two characters can sound the same, 1 when nearly (fuzzy pinyin), else 0."""
    typed_readings, meant_readings = readings(typed), readings(meant)
    if typed_readings & meant_readings:
        return 2
    if {fuzzy(r) for r in typed_readings} & {fuzzy(r) for r in meant_readings}:
        return 1
    return 0
