"""Pinyin-input typos: one character replaced by a common one that sounds the same or nearly so."""
import random
from collections import defaultdict

from pypinyin import Style, lazy_pinyin, pinyin_dict

# Confusions residents make (fuzzy pinyin), both ways.
NEAR_INITIALS = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("n", "l"), ("f", "h"))
NEAR_FINALS = (("ang", "an"), ("eng", "en"), ("ing", "in"))


def homophone_table(common: set[str]) -> dict[str, list[str]]:
    """Toneless syllable -> common characters read that way (pypinyin's reverse map)."""
    table: dict[str, list[str]] = defaultdict(list)
    for codepoint, readings in pinyin_dict.pinyin_dict.items():
        char = chr(codepoint)
        if char in common:
            for reading in readings.split(","):
                syllable = strip_tone(reading)
                if char not in table[syllable]:
                    table[syllable].append(char)
    return {syllable: sorted(chars) for syllable, chars in table.items()}


TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
PLAIN = "aaaaeeeeiiiioooouuuuvvvvnnnm"


def strip_tone(reading: str) -> str:
    return reading.translate(str.maketrans(TONED, PLAIN)).replace("ü", "v")


def typable(name: str) -> bool:
    return len(name) >= 2 and all("\u4e00" <= char <= "\u9fff" for char in name)


def near_syllables(syllable: str) -> list[str]:
    found = []
    for a, b in NEAR_INITIALS:
        for x, y in ((a, b), (b, a)):
            if syllable.startswith(x) and not (x == "z" and syllable.startswith("zh")) \
                    and not (x == "c" and syllable.startswith("ch")) and not (x == "s" and syllable.startswith("sh")):
                found.append(y + syllable[len(x):])
    for a, b in NEAR_FINALS:
        if syllable.endswith(a):
            found.append(syllable[: -len(a)] + b)
        elif syllable.endswith(b):
            found.append(syllable + "g")
    return found


def make_typo(name: str, rng: random.Random, table: dict[str, list[str]]) -> str | None:
    """`name` with one character swapped for a same- (70 %) or near-sounding (30 %) common one."""
    sounds = lazy_pinyin(name, style=Style.NORMAL)
    position = rng.randrange(len(name))
    syllable = sounds[position]
    if rng.random() < 0.3:
        options = [s for s in near_syllables(syllable) if s in table]
        if not options:
            return None
        syllable = rng.choice(options)
    chars = [char for char in table.get(syllable, []) if char != name[position]]
    if not chars:
        return None
    return name[:position] + rng.choice(chars) + name[position + 1:]
