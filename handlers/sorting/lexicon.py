"""Fast read-only indexes over the item dictionary: by name, by pinyin, by character n-grams."""
from collections import defaultdict

from content.sorting import Item
from handlers.sorting import phonetic


def grams(text: str) -> set[str]:
    """Characters and character bigrams: the unit of similarity between item names."""
    return set(text) | {text[i:i + 2] for i in range(len(text) - 1)}


class Lexicon:
    def __init__(self, items: tuple[Item, ...]) -> None:
        self.by_name: dict[str, Item] = {}
        for item in items:
            self.by_name.setdefault(item.name.lower(), item)
        self.by_pinyin: dict[str, list[Item]] = defaultdict(list)
        self.by_fuzzy_pinyin: dict[str, list[Item]] = defaultdict(list)
        self.by_gram: dict[str, list[str]] = defaultdict(list)
        for key, item in self.by_name.items():
            sounds = phonetic.syllables(key)
            self.by_pinyin[phonetic.exact_key(sounds)].append(item)
            self.by_fuzzy_pinyin[phonetic.fuzzy_key(sounds)].append(item)
            for gram in grams(key):
                self.by_gram[gram].append(key)
        self.longest = max(map(len, self.by_name), default=0)

    def get(self, name: str) -> Item | None:
        return self.by_name.get(name.lower())

    def head(self, text: str, shortest: int = 2) -> Item | None:
        """The longest known item the text ends with: the head of a Chinese compound."""
        text = text.lower()
        for start in range(max(0, len(text) - self.longest), len(text) - shortest + 1):
            item = self.by_name.get(text[start:])
            if item and start > 0:
                return item
        return None

    def contained(self, text: str, shortest: int = 2) -> Item | None:
        """The longest known item anywhere inside the text (rightmost on ties)."""
        text = text.lower()
        for length in range(min(len(text) - 1, self.longest), shortest - 1, -1):
            for start in range(len(text) - length, -1, -1):
                item = self.by_name.get(text[start:start + length])
                if item:
                    return item
        return None

    def sounding_like(self, text: str, fuzzy: bool) -> list[Item]:
        sounds = phonetic.syllables(text.lower())
        if fuzzy:
            return self.by_fuzzy_pinyin.get(phonetic.fuzzy_key(sounds), [])
        return self.by_pinyin.get(phonetic.exact_key(sounds), [])

    def neighbours(self, text: str, limit: int = 5) -> list[tuple[float, Item]]:
        """Known items sharing most characters and bigrams with the text (Dice similarity)."""
        text = text.lower()
        mine = grams(text)
        shared: dict[str, int] = defaultdict(int)
        for gram in mine:
            # Bigrams say more about identity than single characters.
            weight = 2 if len(gram) == 2 else 1
            for name in self.by_gram.get(gram, ()):
                shared[name] += weight
        scored = []
        for name, overlap in shared.items():
            total = weighted_size(mine) + weighted_size(grams(name))
            scored.append((2 * overlap / total, name))
        scored.sort(key=lambda pair: (-pair[0], len(pair[1])))
        return [(score, self.by_name[name]) for score, name in scored[:limit]]


def weighted_size(gram_set: set[str]) -> int:
    return sum(2 if len(gram) == 2 else 1 for gram in gram_set)


def edit_distance(a: str, b: str, limit: int = 2) -> int:
    """Levenshtein distance, giving up (returning limit + 1) once it exceeds `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]
