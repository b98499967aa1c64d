"""Reading a message before classifying it: spelling, the items it names, and its features.

The sorting engine's knowledge tells whether the text names a thing of the item list; the names
it finds are replaced by one placeholder character, so the classifier learns the phrasing around
any item ("Ⓘ扔哪") rather than the items of its training sentences.
"""
import re
import unicodedata
from dataclasses import dataclass

from content.intents import Intent
from handlers.sorting import Engine, phonetic

ITEM = "Ⓘ"
# Whitespace and punctuation go; letters, digits, CJK and emoji stay (👍 and 🤔 mean something).
PUNCTUATION = re.compile(r"[\s!-/:-@\[-`{-~\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\u2018-\u201f\u2026·～]+")
LONGEST_NAME = 12  # item names scanned inside a longer mention are at most this long
# Longer mentions are phrasing around names (想报名当志愿者), not one name with a typo: only the
# names inside them count, and the costly typo and sound paths are not tried.
LONGEST_MENTION = 8
# A run of letters typed with the pinyin keyboard but not converted ("nihao", "wenjuan在哪").
LETTERS = re.compile(r"[a-z]{4,}")
HAN = re.compile(r"[\u4e00-\u9fff]+")


def pinyin_of_cues(cues: list[tuple[str, str]]) -> dict[str, str]:
    """Toneless pinyin (4 letters or more) -> a cue word of Chinese characters it spells, from
    (cue, intent) pairs; a spelling that cues of two intents share is left out."""
    found: dict[str, dict[str, str]] = {}
    for cue, intent in cues:
        if len(cue) >= 2 and HAN.fullmatch(cue):
            key = "".join(phonetic.syllables(cue))
            if len(key) >= 4:
                found.setdefault(key, {}).setdefault(intent, cue)
    return {key: next(iter(by_intent.values())) for key, by_intent in found.items() if len(by_intent) == 1}


@dataclass(frozen=True)
class Sight:
    """What a message looks like to the classifier."""

    text: str  # normalised: NFKC, simplified, typos fixed, lower case, no punctuation
    items: tuple[str, ...]  # known items it names, in order, without repeats
    masked: str  # `text` with the item names replaced by ITEM
    features: tuple[str, ...]
    asks_bin: bool  # has words that ask which bin (扔哪, 什么垃圾 …)


class Reader:
    def __init__(self, intents: dict[str, Intent], settings: dict, engine: Engine) -> None:
        self.engine = engine
        self.spelling = sorted(settings["spelling"].items(), key=lambda pair: -len(pair[0]))
        self.filler = sorted(settings["filler"], key=len, reverse=True)
        self.sorting_words = tuple(settings["sorting_words"])
        # Cue words by their first character: a message is scanned once, not once per cue.
        self.cues: dict[str, list[tuple[str, str]]] = {}
        for name, intent in intents.items():
            for cue in intent.cues:
                self.cues.setdefault(cue.lower()[0], []).append((cue.lower(), name))
        self.names = engine.parser.names
        self.domain_cues = {"cue:" + name for name in settings["domain_intents"]}
        self.domain_words = tuple(settings["domain_words"])
        self.cue_words = [(cue, name) for name, intent in intents.items() for cue in intent.cues]
        self.bare_name_chars = tuple(settings["bare_name_chars"])
        self.not_in_names = frozenset(settings["not_in_names"])
        self._pinyin: dict[str, str] | None = None

    def normalise(self, text: str) -> str:
        text = unicodedata.normalize("NFKC", text).translate(self.engine.knowledge.simplified).lower()
        for typo, right in self.spelling:
            if typo in text:
                text = text.replace(typo, right)
        text = PUNCTUATION.sub("", text)
        return LETTERS.sub(self.from_pinyin, text) if LETTERS.search(text) else text

    def pinyin(self) -> dict[str, str]:
        """The cue words by their pinyin, made on first use (it needs pypinyin's readings)."""
        if self._pinyin is None:
            self._pinyin = pinyin_of_cues(self.cue_words)
        return self._pinyin

    def from_pinyin(self, match: re.Match) -> str:
        """Cue words typed as unconverted pinyin ("dati", "zhiyuanzhebaoming") are those cue
        words: the longest spelling at each place, left to right; other letters stay."""
        spelled = self.pinyin()
        letters, out, start = match.group(), [], 0
        while start < len(letters):
            for end in range(len(letters), start + 3, -1):
                if letters[start:end] in spelled:
                    out.append(spelled[letters[start:end]])
                    start = end
                    break
            else:
                out.append(letters[start])
                start += 1
        return "".join(out)

    def without_filler(self, text: str) -> str:
        """Dialect and filler cut out ("电池扔哪疙瘩" → "电池扔哪"), spaces kept as boundaries."""
        for word in self.filler:
            if word in text:
                text = text.replace(word, " ")
        return text

    def items(self, text: str) -> list[str]:
        """Names of known items in `text` (a dictionary match, a typo or state-word variant of one,
        or a known name inside a longer mention), never the guesser's reading of unknown words."""
        engine, found = self.engine, []
        for mention in engine.parser.mentions(self.without_filler(text)):
            match = engine.resolve_known(mention) if len(mention) <= LONGEST_MENTION else None
            if match is not None and len(match.item) >= 2:
                found.append(match.item if match.item.lower() in mention.lower() else mention)
                continue
            found += self.names_inside(mention.lower())
        return list(dict.fromkeys(name.lower() for name in found)) or self.bare_name(text)

    def bare_name(self, text: str) -> list[str]:
        """The message itself, when it is one short name that no item list has but the engine
        judges with confidence (铁锅, 粘豆包): asked about by its name alone."""
        name = "".join(char for char in self.without_filler(text) if char.isalnum()).lower()
        shortest, longest = self.bare_name_chars
        if not shortest <= len(name) <= longest or self.not_in_names & set(name) or self.cue_features(name):
            return []
        if self.engine.parser.mentions(name) != [name]:
            return []
        match = self.engine.resolve(name, self.engine.taught)
        return [name] if match is not None and match.confidence >= self.engine.tuning["threshold"] else []

    def names_inside(self, mention: str) -> list[str]:
        """The longest known names of two or more characters inside `mention`, left to right."""
        found, start = [], 0
        while start < len(mention) - 1:
            for end in range(min(len(mention), start + LONGEST_NAME), start + 1, -1):
                if mention[start:end] in self.names:
                    found.append(mention[start:end])
                    start = end
                    break
            else:
                start += 1
        return found

    def cue_features(self, text: str) -> set[str]:
        return {"cue:" + name for index, char in enumerate(text) for cue, name in self.cues.get(char, ())
                if text.startswith(cue, index)}

    def sight(self, raw: str) -> Sight:
        text = self.normalise(raw)
        items = tuple(self.items(raw))
        masked = text
        for name in sorted(items, key=len, reverse=True):
            masked = masked.replace(name, ITEM)
        asks_bin = any(word in text for word in self.sorting_words)
        return Sight(text, items, masked, tuple(self.features(text, masked, items, asks_bin)), asks_bin)

    def features(self, text: str, masked: str, items: tuple[str, ...], asks_bin: bool) -> list[str]:
        padded = f"^{masked}$"
        features = [padded[i:i + n] for n in (1, 2, 3) for i in range(len(padded) - n + 1)]
        features += ["w:" + token for token in self.engine.parser.tokenizer.cut(masked)]
        cues = self.cue_features(text)
        features += sorted(cues)
        if not (items or asks_bin or cues & self.domain_cues or any(word in text for word in self.domain_words)):
            features.append("no:domain")  # nothing of waste, the campaign or the resident's account
        rest = masked.replace(ITEM, "")
        if items:
            features.append("has:item")
            if not self.without_filler(rest).strip():
                features.append("only:item")
        if asks_bin:
            features.append("asks:bin")
            if not items:
                features.append("asks:bin-no-item")
        features.append(f"len:{min(len(text), 20) // 4}")
        return features
