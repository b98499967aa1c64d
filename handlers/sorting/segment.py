"""Word segmentation as jieba's `cut(text, HMM=False)`, over a packed copy of its dictionary.

jieba keeps its 500,000 words (and every prefix of them) as a Python dict: about 75 MB in each
process, and half a second to load. The same words and frequencies, with the item names added as
the engine adds them, are packed into one memory-mapped file (infra/packed.py) that every process
shares; the algorithm below is jieba's own (the DAG of dictionary words, the most probable route
through it, runs of single ASCII letters or digits kept together), so the words are the same.
tests/handlers/sorting/test_segment.py compares the two.
"""
import re
from collections.abc import Iterable, Iterator
from math import log
from pathlib import Path

from infra import artefacts
from infra.packed import PackedTable, packed

TOTAL = "\0total"  # the entry that holds the sum of all frequencies (jieba's `total`)
# Entries that hold jieba's own patterns: what a block of words is, what separates blocks, and
# which single characters join into one run (letters and digits).
PATTERNS = {"\0block": "re_han_default", "\0skip": "re_skip_default", "\0ascii": "re_eng"}


class Segmenter:
    def __init__(self, table: PackedTable) -> None:
        self.table = table
        self.log_total = log(table.number(TOTAL))
        self.block, self.skip, self.ascii = (re.compile(table.text(key), re.U) for key in PATTERNS)

    @classmethod
    def with_words(cls, words: Iterable[str], frequency: int) -> "Segmenter":
        """jieba's dictionary with `words` added at `frequency` (built ahead and stored, by their digest)."""
        words = sorted(set(words))
        key = artefacts.digest([Path(__file__)], ("jieba",), "\n".join(words) + f"\n{frequency}")
        return cls(packed("jieba", key, lambda: jieba_entries(words, frequency)))

    def frequency(self, word: str) -> int:
        """How often jieba's dictionary counts `word` as a word (0 for a prefix only or unknown)."""
        return self.table.number(word) or 0

    def cut(self, sentence: str) -> Iterator[str]:
        for block in self.block.split(sentence):
            if not block:
                continue
            if self.block.match(block):
                yield from self.cut_block(block)
            else:
                for part in self.skip.split(block):
                    if self.skip.match(part):
                        yield part
                    else:
                        yield from part

    def cut_block(self, sentence: str) -> Iterator[str]:
        route = self.route(sentence, self.dag(sentence))
        start, end, run = 0, len(sentence), ""
        while start < end:
            stop = route[start][1] + 1
            word = sentence[start:stop]
            if len(word) == 1 and self.ascii.match(word):
                run += word
            else:
                if run:
                    yield run
                    run = ""
                yield word
            start = stop
        if run:
            yield run

    def dag(self, sentence: str) -> dict[int, list[tuple[int, int]]]:
        """For each start, the (end, frequency) of the dictionary words that start there, or of
        the character alone (frequency 0 or None) when none does."""
        number, size, found = self.table.number, len(sentence), {}
        for start in range(size):
            ends, end = [], start
            first = frequency = number(sentence[start])
            while frequency is not None:
                if frequency:
                    ends.append((end, frequency))
                end += 1
                if end >= size:
                    break
                frequency = number(sentence[start:end + 1])
            found[start] = ends or [(start, first)]
        return found

    def route(self, sentence: str, dag: dict[int, list[tuple[int, int]]]) -> dict[int, tuple[float, int]]:
        """The most probable path through the DAG, from the end (jieba's `calc`, to the bit)."""
        log_total, size = self.log_total, len(sentence)
        route = {size: (0, 0)}
        for start in range(size - 1, -1, -1):
            route[start] = max((log(frequency or 1) - log_total + route[end + 1][0], end)
                               for end, frequency in dag[start])
        return route


def jieba_entries(words: list[str], frequency: int) -> list[tuple[str, int, str]]:
    """jieba's prefix dictionary after `add_word(word, frequency)` for each word, and its total."""
    import jieba

    jieba.setLogLevel(60)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    for word in words:
        tokenizer.add_word(word, freq=frequency)
    patterns = [(key, 0, getattr(jieba, name).pattern) for key, name in PATTERNS.items()]
    return [(word, count, "") for word, count in tokenizer.FREQ.items()] + [(TOTAL, tokenizer.total, "")] + patterns
