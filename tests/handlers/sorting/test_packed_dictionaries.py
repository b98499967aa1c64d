"""The packed dictionaries read exactly as the libraries they replace: the engine's words and
sounds, hence its answers, do not change with how the dictionaries are held."""
import csv
import pickle
import random
import tomllib
from pathlib import Path

import jieba
import pytest
from pypinyin import Style, lazy_pinyin, pinyin

from content.sorting import load_knowledge
from handlers.sorting import get_engine
from handlers.sorting import pinyin as packed_pinyin
from handlers.sorting.query import ITEM_WORD_FREQ, build_tokenizer

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def texts() -> list[str]:
    """Item names, the intents' phrasings and benchmark questions, and random mixes of their
    characters with letters, digits, spaces and symbols."""
    found = [item.name for item in load_knowledge().items]
    for path in sorted((ROOT / "content/intents/phrasings").glob("*.toml")):
        found += tomllib.loads(path.read_text(encoding="utf-8"))["phrasings"]
    for path in sorted((ROOT / "bench/intents").glob("*.csv")):
        with path.open(encoding="utf-8") as file:
            found += [row[0] for row in csv.reader(file) if row]
    alphabet = "".join(found) + "abcXYZ 0123456789+#&._%-\r\n\t，。！？〇"
    rng = random.Random(19)
    found += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 24))) for _ in range(2000)]
    return found + ["iPhone手机", "5号电池", "3.5mm耳机-线", "C++和#号%", "\r\n电池\t纸巾  ", ""]


def test_words_are_jiebas_words(texts):
    names = frozenset(item.name.lower() for item in load_knowledge().items)
    segmenter = build_tokenizer(names)
    jieba.setLogLevel(60)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    for name in names:
        if len(name) > 1:
            tokenizer.add_word(name, freq=ITEM_WORD_FREQ)
    for text in texts:
        words = list(tokenizer.cut(text, HMM=False))
        assert list(segmenter.cut(text)) == words, text
        for word in words:
            assert segmenter.frequency(word) == tokenizer.FREQ.get(word, 0), word


def test_sounds_are_pypinyins(texts):
    reader = packed_pinyin.table()
    characters = set("".join(texts)) | {"銀", "𠀀", "\U0002a6d0", "a", " "}
    for text in texts:
        assert reader.lazy(text) == lazy_pinyin(text, style=Style.NORMAL, errors=lambda chunk: list(chunk)), text
    for char in characters:
        found = pinyin(char, style=Style.NORMAL, heteronym=True, errors=lambda chunk: [chunk])
        assert reader.readings(char) == frozenset(found[0]), char


def test_the_engine_loaded_from_its_stored_copy_answers_as_the_one_in_memory():
    engine = get_engine()
    stored = pickle.loads(pickle.dumps(engine))
    for question in ("请问废电池是什么垃圾", "用完的电池扔哪疙瘩", "剩饭和纸巾", "苹果手机咋整", "冻梨",
                     "落花牲壳", "碎了的水银温度计", "奶茶里的珍珠"):
        assert stored.classify(question) == engine.classify(question), question
