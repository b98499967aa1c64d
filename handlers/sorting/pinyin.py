"""Toneless pinyin as pypinyin gives it, over a packed copy of its dictionaries.

pypinyin holds 47,000 phrases and 42,000 characters as Python objects (about 55 MB in each
process, a third of a second to import). The engine asks it two things: the reading of a text
(`lazy_pinyin(text, style=NORMAL)`, phrases read as phrases: 银行 is yín háng) and every reading of
a character (`pinyin(char, NORMAL, heteronym=True)`). Both are pure functions of pypinyin's
segmentation (forward maximum matching over its phrases) and of each segment's reading, so the
segment readings are computed by pypinyin itself, ahead, into one packed table (infra/packed.py),
and the segmentation below is pypinyin's own. tests/handlers/sorting/test_pinyin.py compares the two.
"""
import re
from functools import cache
from pathlib import Path

from infra import artefacts
from infra.packed import PackedTable, packed

PREFIX, PHRASE = 1, 2  # flags of a key: it starts some phrase; it is a phrase
HANS = "\0hans"  # the entry that holds pypinyin's pattern of characters that have a reading


class Pinyin:
    def __init__(self, table: PackedTable) -> None:
        self.table = table
        self.hans = re.compile(table.text(HANS))

    def lazy(self, text: str) -> list[str]:
        """lazy_pinyin(text, style=Style.NORMAL, errors=lambda chunk: list(chunk))."""
        found: list[str] = []
        for run in self.runs(text):
            if self.hans.match(run):
                for segment in self.segments(run):
                    found += self.segment_reading(segment)
            else:
                found += run
        return found

    def readings(self, char: str) -> frozenset[str]:
        """Every reading of a character (pinyin(char, NORMAL, heteronym=True)), itself if none."""
        text = self.table.text(char) if self.hans.match(char) else None
        if not text:
            return frozenset({char})
        return frozenset(text.split("\t")[1].split(","))

    def runs(self, text: str) -> list[str]:
        """The text cut where it turns from characters with a reading to others and back."""
        runs, run, kind = [], "", None
        for char in text:
            han = bool(self.hans.match(char))
            if kind is not None and han != kind:
                runs.append(run)
                run = ""
            run += char
            kind = han
        runs.append(run)
        return runs

    def segments(self, text: str):
        """pypinyin's mmseg in strict mode: the longest phrase at each point, else one character."""
        flags = self.table.number
        remain = text
        while remain:
            best, best_end = "", 0
            for end in range(1, len(remain) + 1):
                word = remain[:end]
                flag = flags(word) or 0
                if flag & PREFIX:
                    if flag & PHRASE:
                        best, best_end = word, end
                else:
                    if best:
                        yield best
                        remain = remain[best_end:]
                    else:
                        yield remain[0]
                        remain = remain[1:]
                    break
            else:
                if best:
                    yield best
                    remain = remain[best_end:]
                else:
                    yield from remain
                    break

    def segment_reading(self, segment: str) -> list[str]:
        text = self.table.text(segment)
        if text is None:  # a character pypinyin has no reading for stands for itself
            return [segment]
        lazy = text.split("\t")[0]
        return lazy.split(" ")


@cache
def table() -> Pinyin:
    """pypinyin's readings, packed ahead (by pypinyin's version) and shared by every process."""
    return Pinyin(packed("pinyin", artefacts.digest([Path(__file__)], ("pypinyin",)), pinyin_entries))


def pinyin_entries() -> list[tuple[str, int, str]]:
    """Each phrase, prefix of a phrase and character, with its flags and its readings as pypinyin
    gives them: the text's, then (characters only) every reading."""
    from pypinyin import Style
    from pypinyin.constants import PHRASES_DICT, PINYIN_DICT, RE_HANS
    from pypinyin.converter import UltimateConverter

    converter = UltimateConverter()

    def read(segment: str, heteronym: bool) -> list[list[str]]:
        return converter.convert(segment, Style.NORMAL, heteronym, lambda chunk: list(chunk), True)

    flags: dict[str, int] = {}
    for phrase in PHRASES_DICT:
        for end in range(1, len(phrase) + 1):
            flags[phrase[:end]] = flags.get(phrase[:end], 0) | PREFIX
        flags[phrase] |= PHRASE
    for code in PINYIN_DICT:
        flags.setdefault(chr(code), 0)
    entries = [(HANS, 0, RE_HANS.pattern)]
    for key, flag in flags.items():
        text = ""
        if RE_HANS.match(key) and (flag & PHRASE or len(key) == 1):
            text = " ".join(part[0] for part in read(key, False))
            if len(key) == 1:
                text += "\t" + ",".join(read(key, True)[0])
        entries.append((key, flag, text))
    return entries
