"""Fast read-only indexes over the item dictionary: by name, by pinyin, by character n-grams."""
from collections import defaultdict

from content.sorting import Item
from handlers.sorting import phonetic


def grams(text: str) -> set[str]:
    """Characters and character bigrams: the unit of similarity between item names."""
    return set(text) | {text[i:i + 2] for i in range(len(text) - 1)}


def weighted_size(gram_set: set[str]) -> int:
    # Bigrams say more about identity than single characters.
    return sum(len(gram) for gram in gram_set)


class Lexicon:
    def __init__(self, items: tuple[Item, ...]) -> None:
        self.by_name: dict[str, Item] = {}
        for item in items:
            self.by_name.setdefault(item.name.lower(), item)
        self.by_pinyin: dict[str, list[Item]] = defaultdict(list)
        self.by_fuzzy_pinyin: dict[str, list[Item]] = defaultdict(list)
        self.by_gram: dict[str, list[str]] = defaultdict(list)
        # A name with one character masked ("荔?核") -> the names that fit: one-character typos.
        self.by_mask: dict[str, list[str]] = defaultdict(list)
        self.size: dict[str, int] = {}
        for key in self.by_name:
            self.index(key)
        self.longest = max(map(len, self.by_name), default=0)

    def index(self, key: str) -> None:
        item = self.by_name[key]
        sounds = phonetic.syllables(key)
        self.by_pinyin[phonetic.exact_key(sounds)].append(item)
        self.by_fuzzy_pinyin[phonetic.fuzzy_key(sounds)].append(item)
        own = grams(key)
        self.size[key] = weighted_size(own)
        for gram in own:
            self.by_gram[gram].append(key)
        if len(key) >= 2:
            for position in range(len(key)):
                self.by_mask[mask(key, position)].append(key)

    def get(self, name: str) -> Item | None:
        return self.by_name.get(name.lower())

    def head(self, text: str, shortest: int = 2) -> Item | None:
        """The longest known item the text ends with: the head of a Chinese compound."""
        text = text.lower()
        for start in range(max(1, len(text) - self.longest), len(text) - shortest + 1):
            item = self.by_name.get(text[start:])
            if item:
                return item
        return None

    def sounding_like(self, text: str, fuzzy: bool) -> list[Item]:
        sounds = phonetic.syllables(text.lower())
        if fuzzy:
            return self.by_fuzzy_pinyin.get(phonetic.fuzzy_key(sounds), [])
        return self.by_pinyin.get(phonetic.exact_key(sounds), [])

    def one_sound_off(self, text: str) -> list[tuple[int, Item]]:
        """Items equal to the text but for one character that sounds the same or nearly so.

        Returns (closeness, item): 2 for a same-sounding character (any reading of either, so
        heteronyms such as 呵/壳 (kē) count), 1 for a near-sounding one (fuzzy pinyin).
        """
        text = text.lower()
        found = []
        for position, char in enumerate(text):
            for name in self.by_mask.get(mask(text, position), ()):
                closeness = phonetic.sound_closeness(char, name[position])
                if closeness:
                    found.append((closeness, self.by_name[name]))
        found.sort(key=lambda pair: -pair[0])
        return found

    def neighbours(self, text: str, limit: int = 5) -> list[tuple[float, Item]]:
        """Known items sharing most characters and bigrams with the text (weighted Dice)."""
        text = text.lower()
        mine = grams(text)
        bigrams = [gram for gram in mine if len(gram) == 2]
        shared: dict[str, int] = defaultdict(int)
        for gram in bigrams:
            for name in self.by_gram.get(gram, ()):
                shared[name] += 2
        # Single characters are too common to look through every name that has them: they only
        # rank names already found by a bigram, unless no bigram is known at all.
        found_by_bigram = bool(shared)
        for char in (gram for gram in mine if len(gram) == 1):
            for name in self.by_gram.get(char, ()):
                if not found_by_bigram or name in shared:
                    shared[name] += 1
        if not shared:
            return []
        size = weighted_size(mine)
        scored = sorted(((2 * overlap / (size + self.size[name]), name) for name, overlap in shared.items()),
                        key=lambda pair: (-pair[0], len(pair[1])))
        return [(score, self.by_name[name]) for score, name in scored[:limit]]


def mask(text: str, position: int) -> str:
    return text[:position] + "?" + text[position + 1:]


# One character more or less counts as a slip in names this long; one wrong character only in these.
SHORTEST_SLIPPED = 3
SHORTEST_MISTYPED = 5


def one_slip_apart(a: str, b: str) -> bool:
    """One missing or extra character in names of three or more, or one wrong one in five or more.

    A wrong character in a short name usually names another thing (药片盒 is not 磁片盒);
    sound-alike wrong characters are the pinyin paths' job.
    """
    if len(a) < SHORTEST_SLIPPED or len(b) < SHORTEST_SLIPPED or len(a) == len(b) < SHORTEST_MISTYPED:
        return False
    return edit_distance(a, b, 1) <= 1


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
