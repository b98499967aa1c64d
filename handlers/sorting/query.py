"""Query understanding: find the item mentions in what a resident typed.

Question phrasing and politeness are cut out first (patterns in content/sorting/phrases.toml);
what remains is segmented by a private jieba tokenizer that knows every item name, so a
separator word ("和", "跟") splits mentions only where it stands alone, never inside an item
name such as 高跟鞋.
"""
import re
import unicodedata

# Keys for taught entries and logs: case, width and punctuation differences do not matter.
# High enough that an item name stays one token next to ordinary words.
ITEM_WORD_FREQ = 20000
NOISE = re.compile(r"[\s\W_]+", re.UNICODE)


def normalize(text: str) -> str:
    return NOISE.sub("", unicodedata.normalize("NFKC", text)).lower()


class QueryParser:
    def __init__(self, phrases: dict, item_names) -> None:
        self.questions = tuple(re.compile(pattern) for pattern in phrases["questions"])
        self.separators = frozenset(phrases["separators"])
        self.stopwords = frozenset(phrases["stopwords"])
        self.modifiers = tuple(sorted(phrases["modifiers"], key=len, reverse=True))
        self.tokenizer = build_tokenizer(item_names)

    def mentions(self, text: str) -> list[str]:
        """The item mentions in `text`, in order, as typed (NFKC-normalised)."""
        text = unicodedata.normalize("NFKC", text)
        found: list[str] = []
        for segment in self.outside_phrasing(text):
            found.extend(self.split_segment(segment))
        return found

    def outside_phrasing(self, text: str) -> list[str]:
        """The runs of text that no question pattern covers (overlapping matches all count)."""
        phrasing = bytearray(len(text))
        for pattern in self.questions:
            for match in pattern.finditer(text):
                phrasing[match.start():match.end()] = b"\1" * (match.end() - match.start())
        runs, start = [], None
        for index, flag in enumerate(phrasing):
            if not flag and start is None:
                start = index
            elif flag and start is not None:
                runs.append(text[start:index])
                start = None
        if start is not None:
            runs.append(text[start:])
        return runs

    def split_segment(self, segment: str) -> list[str]:
        if not segment:
            return []
        pieces: list[list[str]] = [[]]
        for token in self.tokenizer.cut(segment, HMM=False):
            if token in self.separators:
                pieces.append([])
            else:
                pieces[-1].append(token)
        return [mention for tokens in pieces if (mention := self.trim(tokens))]

    def trim(self, tokens: list[str]) -> str:
        """Drop filler words at both ends of a mention ("我家的电池呢" -> "电池")."""
        start, end = 0, len(tokens)
        while start < end and tokens[start] in self.stopwords:
            start += 1
        while end > start and tokens[end - 1] in self.stopwords:
            end -= 1
        return "".join(tokens[start:end])

    def cores(self, mention: str) -> list[str]:
        """The mention, then the mention without each leading state word in turn ("吃剩的牛排骨")."""
        found = [mention]
        stripped = True
        while stripped:
            stripped = False
            for modifier in self.modifiers:
                current = found[-1]
                if current.startswith(modifier) and len(current) > len(modifier):
                    found.append(current[len(modifier):])
                    stripped = True
                    break
        return found


def build_tokenizer(item_names):
    """A private jieba tokenizer (the global one is shared) with the item names as its user dictionary."""
    import jieba  # imported when the engine is built, not when the package is
    jieba.setLogLevel(60)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    for name in item_names:
        # Single characters stay as jieba knows them, or 床 would split 床单.
        if len(name) > 1:
            tokenizer.add_word(name, freq=ITEM_WORD_FREQ)
    return tokenizer
