"""Query understanding: find the item mentions in what a resident typed.

The text is first spelled the way the item list is (full-width, traditional characters, typos in
the question words such as 垃级). Question phrasing and politeness are then cut out (patterns in
content/sorting/phrases.toml), except where a pattern falls inside an item name the text holds
(高附加值可回收物); what remains is segmented by a private jieba tokenizer that knows every item
name, so a separator word ("和", "跟") splits mentions only where it stands alone, never inside
an item name such as 高跟鞋.
"""
import re
import unicodedata

from handlers.sorting.segment import Segmenter

# Keys for taught entries and logs: case, width and punctuation differences do not matter.
# High enough that an item name stays one token next to ordinary words.
ITEM_WORD_FREQ = 20000
# A name that heads this many longer names is a head noun (…电池); one that starts this many
# names is a modifier (塑料…): either makes two run-together names one compound.
HEAD_OF_MANY = 20
MODIFIER_OF_MANY = 2
NOISE = re.compile(r"[\s\W_]+", re.UNICODE)
SPACE = re.compile(r"[ \t\u3000]+")
# Emoji, pictographs, arrows and dingbats, and the CJK brackets (【电池】): typed around or between
# items, they part words as a space does (item names hold none of them; round brackets stay, as
# in 干电池(无汞)).
SYMBOLS = re.compile(r"[\u2190-\u2bff\u3008-\u301b\ufe0f\u200d\U0001f000-\U0001faff]+")


def normalize(text: str) -> str:
    return NOISE.sub("", unicodedata.normalize("NFKC", text)).lower()


class QueryParser:
    def __init__(self, phrases: dict, item_names, simplified: dict[int, str] | None = None,
                 categories: dict[str, str] | None = None) -> None:
        self.questions = tuple(re.compile(pattern) for pattern in phrases["questions"])
        self.separators = frozenset(phrases["separators"])
        self.alternatives = frozenset(phrases["alternatives"])
        self.stopwords = frozenset(phrases["stopwords"])
        self.brands = frozenset(brand.lower() for brand in phrases.get("brands", ()))
        self.state_words = frozenset(phrases["modifiers"])
        self.modifiers = tuple(sorted([*phrases["modifiers"], *self.brands], key=len, reverse=True))
        self.quantity = re.compile(phrases["quantity"])
        self.spelling = tuple(phrases["spelling"].items())
        self.simplified = simplified or {}
        self.names = frozenset(name.lower() for name in item_names)
        self.longest = max(map(len, self.names), default=0)
        # Phrasing that also occurs inside item names ("可回收" in 高附加值可回收物): only these
        # matches need the slower check against the names around them.
        self.inside_names = frozenset(
            match.group() for name in self.names for pattern in self.questions
            for match in pattern.finditer(name) if match.group() != name)
        self.tokenizer = build_tokenizer(self.names)
        self.categories = categories or {}
        self.compound_heads = frozenset(phrases.get("compound_heads", ""))
        # How often each name ends (as the head) a longer known name, and how often it starts one
        # whose rest is a known name that is no part or container (塑料 + 玩具: a modifier).
        self.as_head: dict[str, int] = {}
        for name in self.names:
            for cut in range(2, len(name) - 1):
                if name[-cut:] in self.names:
                    self.as_head[name[-cut:]] = self.as_head.get(name[-cut:], 0) + 1
        self.as_modifier: dict[str, int] = {}
        for name in self.names:
            for cut in range(2, len(name) - 1):
                rest = name[cut:]
                if (name[:cut] in self.names and rest in self.names and rest[-1] not in self.compound_heads
                        and self.as_head.get(rest, 0) < HEAD_OF_MANY):
                    self.as_modifier[name[:cut]] = self.as_modifier.get(name[:cut], 0) + 1

    def spell(self, text: str) -> str:
        """`text` written as the item list writes: NFKC, simplified characters, question words right."""
        text = SYMBOLS.sub(" ", unicodedata.normalize("NFKC", text).translate(self.simplified))
        for typo, right in self.spelling:
            if typo in text:
                text = text.replace(typo, right)
        if " " in text.strip():
            text = SPACE.sub(lambda space: self.space_or_not(text, space), text)
        return text

    def space_or_not(self, text: str, space: re.Match) -> str:
        """A space separates items ("电池 剩饭") unless it falls inside a known name ("纸 巾")."""
        before, after = text[:space.start()], text[space.end():]
        if not before.strip() or not after.strip():
            return space.group()
        last, first = before.split()[-1].lower(), after.split()[0].lower()
        joined = (before + after).lower()
        cut = len(before)
        # A name across the space joins it ("纸 巾", "海螺 壳"), but a known word on either side is
        # taken whole: "西瓜皮 鞋子" stays two items although 皮鞋 straddles the space.
        lefts = [cut - len(last)] if last in self.names else range(max(0, cut - self.longest + 1), cut)
        for left in lefts:
            longest = min(len(joined), left + self.longest)
            rights = [cut + len(first)] if first in self.names else range(cut + 1, longest + 1)
            if any(joined[left:right] in self.names for right in rights):
                return ""
        return space.group()

    def mentions(self, text: str) -> list[str]:
        """The item mentions in `text`, in order, as typed (spelled as the item list spells)."""
        text = self.spell(text)
        segments = self.outside_phrasing(text)
        pieces = [piece for segment in segments for piece in self.split_segment(segment)]
        found = [mention for mention, filler in pieces if not filler]
        if not found:
            # Only filler left: the whole of a segment may still be an item ("干垃圾" asked alone).
            return [key for segment in segments if (key := normalize(segment)) in self.names]
        # A bin's name listed among items ("湿垃圾、凤梨酥") is one of them; offered as an
        # alternative ("是有害垃圾还是其他垃圾") it is part of the question.
        listed = {mention for mention, filler in pieces if filler and self.cores(mention.lower())[-1] in self.names}
        if listed and not any(token in self.alternatives for token in self.tokenizer.cut(text)):
            found = [mention for mention, filler in pieces if not filler or mention in listed]
        return found

    def outside_phrasing(self, text: str) -> list[str]:
        """The runs of text that no question pattern covers (overlapping matches all count)."""
        phrasing = bytearray(len(text))
        for pattern in self.questions:
            for match in pattern.finditer(text):
                if match.group() in self.inside_names and self.within_name(text, match.start(), match.end()):
                    continue
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

    def within_name(self, text: str, start: int, end: int) -> bool:
        """Whether text[start:end] lies inside a longer item name written in the text."""
        lowered = text.lower()
        for left in range(max(0, end - self.longest), start + 1):
            for right in range(max(end, left + 3), min(len(text), left + self.longest) + 1):
                if right - left > end - start and lowered[left:right] in self.names:
                    return True
        return False

    def split_segment(self, segment: str) -> list[tuple[str, bool]]:
        """(mention, only filler): the pieces between separators, each with filler words trimmed
        off, or whole when nothing but filler is left."""
        if not segment:
            return []
        pieces: list[list[str]] = [[]]
        for token in self.tokenizer.cut(segment):
            if token in self.separators:
                pieces.append([])
            else:
                pieces[-1].append(token)
        found = []
        for tokens in pieces:
            mention = self.trim(tokens)
            if mention and mention not in self.state_words:
                found.extend((part, False) for part in self.run_together(mention))
            elif tokens:
                found.append(("".join(tokens), True))
        return found

    def run_together(self, mention: str) -> list[str]:
        """Several known items typed with no separator ("电池剩饭"), else the mention as it is.

        Only when the whole is no known name but exactly a sequence of known names of two or more
        characters (fewest names wins, so 塑料瓶盖 stays whole) from different bins, and it cannot
        be one compound thing: see `compound_heads` in content/sorting/phrases.toml.
        """
        text = mention.lower()
        if text in self.names or len(text) < 4 or self.tokenizer.frequency(text) > 0:
            return [mention]  # one known name, too short for two, or one word (笔记本电脑)
        best: list[list[int] | None] = [None] * (len(text) + 1)
        best[0] = []
        for start in range(len(text)):
            if best[start] is None:
                continue
            for end in range(start + 2, min(len(text), start + self.longest) + 1):
                if text[start:end] in self.names and (best[end] is None or len(best[start]) + 1 < len(best[end])):
                    best[end] = best[start] + [end]
        cuts = best[len(text)]
        if not cuts or len(cuts) < 2:
            return [mention]
        names = [text[start:end] for start, end in zip([0] + cuts, cuts)]
        if names[0] in self.brands:  # 苹果手机 is a phone, not an apple and a phone
            return [mention]
        if len({self.categories.get(name) for name in names}) < len(names):
            # Names of one bin typed together: the one answer (from the head) already tells the
            # bin, and such runs are most often one compound thing (铁棍山药, 水银温度计).
            return [mention]
        if any(name[-1] in self.compound_heads or self.as_head.get(name, 0) >= HEAD_OF_MANY for name in names[1:]):
            return [mention]
        if any(self.as_modifier.get(name, 0) >= MODIFIER_OF_MANY for name in names[:-1]):
            return [mention]
        return [mention[start:end] for start, end in zip([0] + cuts, cuts)]

    def trim(self, tokens: list[str]) -> str:
        """Drop filler words at both ends of a mention ("我家的电池呢" -> "电池")."""
        start, end = 0, len(tokens)
        while start < end and tokens[start] in self.stopwords:
            start += 1
        while end > start and tokens[end - 1] in self.stopwords:
            end -= 1
        return "".join(tokens[start:end])

    def cores(self, mention: str) -> list[str]:
        """The mention, then without each leading state or quantity word in turn ("吃剩的牛排骨", "一个碗")."""
        found = [mention]
        stripped = True
        while stripped:
            stripped = False
            current = found[-1]
            quantity = self.quantity.match(current)
            if quantity and quantity.end() < len(current):
                found.append(current[quantity.end():])
                stripped = True
                continue
            for modifier in self.modifiers:
                if (current.startswith(modifier) and len(current) > len(modifier)
                        and self.starts_a_word(current, len(modifier))):
                    found.append(current[len(modifier):])
                    stripped = True
                    break
        return found

    def starts_a_word(self, text: str, cut: int) -> bool:
        """Whether text[cut:] starts a word, so a state word may be cut off before it: 空 is
        "empty" in 空瓶子 but the start of 空气 in 空气清新剂罐."""
        length = 0
        for token in self.tokenizer.cut(text):
            length += len(token)
            if length >= cut:
                return length == cut
        return False


def build_tokenizer(item_names) -> Segmenter:
    """jieba's dictionary with the item names added (handlers/sorting/segment.py)."""
    # Single characters stay as jieba knows them, or 床 would split 床单.
    return Segmenter.with_words((name for name in item_names if len(name) > 1), ITEM_WORD_FREQ)
