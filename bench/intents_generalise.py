"""What of the intent figures generalises: dev accuracy that tuning on dev cannot flatter.

Run from the repository root: `.venv/bin/python -m bench.intents_generalise [--folds 5] [--errors]`.

bench.intents trains on all of content/intents/phrasings/ and tests on dev.csv; phrasings written
while looking at dev's errors make that figure too kind. Here:
- held back: the phrasings equal or close (difflib ratio ≥ 0.8 after normalising, as the sets'
  README checks) to any dev line are left out of training, then dev is read;
- taught folds: dev in K folds; each fold is read by a classifier trained on the held-back
  phrasings plus the other folds' messages (as if staff had written them as phrasings), against the
  same fold read without them. The gain says how much more phrasings in residents' words would help;
- the confusion on dev (held back): which intent is read as which, most often first;
- what asking below a margin would catch.
test.csv plays no part.
"""
import argparse
import difflib
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import replace

from bench.intents import load
from content.intents import load_intents
from handlers.understanding import Understanding

CLOSE = 0.8
SEPARATORS = re.compile(r"[\W_]+")


def plain(text: str) -> str:
    return SEPARATORS.sub("", unicodedata.normalize("NFKC", text).lower())


def close_to_any(text: str, lines: list[str]) -> bool:
    matcher = difflib.SequenceMatcher(None, "", text)  # b is the one cached
    for line in lines:
        matcher.set_seq1(line)
        if matcher.real_quick_ratio() >= CLOSE and matcher.quick_ratio() >= CLOSE and matcher.ratio() >= CLOSE:
            return True
    return False


def held_back(rows: list[dict]) -> tuple[dict, int]:
    """The intents with the phrasings close to a dev line left out, and how many were left out."""
    lines = sorted({plain(row["text"]) for row in rows})
    intents, dropped = {}, 0
    for name, intent in load_intents().items():
        kept = tuple(text for text in intent.phrasings if not close_to_any(plain(text), lines))
        dropped += len(intent.phrasings) - len(kept)
        intents[name] = replace(intent, phrasings=kept)
    return intents, dropped


def with_rows(intents: dict, rows: list[dict]) -> dict:
    extra = defaultdict(list)
    for row in rows:
        extra[row["intent"]].append(row["text"])
    return {name: replace(intent, phrasings=intent.phrasings + tuple(extra[name])) for name, intent in intents.items()}


def read_all(understanding: Understanding, rows: list[dict]) -> list[tuple[str, str, str]]:
    """(gold, read, text) for every row."""
    return [(row["intent"], understanding.read(row["text"]).intent, row["text"]) for row in rows]


def margins(understanding: Understanding, rows: list[dict]) -> None:
    """How many messages a margin threshold would ask about, and how many of the wrong readings it
    would catch (the classifier's log-odds between its two best readings)."""
    read = [(understanding.read(row["text"]), row["intent"]) for row in rows]
    wrong = sum(reading.intent != gold for reading, gold in read)
    for threshold in (0.5, 1.0, 2.0, 3.0, 5.0):
        below = [(reading, gold) for reading, gold in read if reading.margin < threshold]
        caught = sum(reading.intent != gold for reading, gold in below)
        print(f"  margin < {threshold}: {len(below)} asked, {caught} of the {wrong} wrong readings among them")


def accuracy(results) -> float:
    return sum(gold == got for gold, got, _ in results) / len(results)


def per_intent(results) -> dict[str, float]:
    seen, right = Counter(), Counter()
    for gold, got, _ in results:
        seen[gold] += 1
        right[gold] += gold == got
    return {name: right[name] / seen[name] for name in seen}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--errors", action="store_true", help="list the messages read wrongly (held back)")
    args = parser.parse_args()
    rows = load("dev")
    intents, dropped = held_back(rows)
    kept = sum(len(intent.phrasings) for intent in intents.values())
    understanding = Understanding(intents=intents)
    plain_results = read_all(understanding, rows)
    print(f"dev, the {dropped} phrasings close to a dev line held back ({kept} kept): {accuracy(plain_results):.1%}")

    folds = [rows[fold::args.folds] for fold in range(args.folds)]
    taught_results = []
    for fold, part in enumerate(folds):
        others = [row for index, other in enumerate(folds) if index != fold for row in other]
        taught_results += read_all(Understanding(intents=with_rows(intents, others)), part)
    print(f"dev in {args.folds} folds, the other folds taught as phrasings: {accuracy(taught_results):.1%} "
          f"(not taught: {accuracy(plain_results):.1%})")

    held, taught = per_intent(plain_results), per_intent(taught_results)
    print(f"{'intent':20} {'held back':>9} {'taught':>7}")
    for name in sorted(held, key=held.get):
        print(f"{name:20} {held[name]:9.1%} {taught[name]:7.1%}")
    confusion = Counter((gold, got) for gold, got, _ in plain_results if gold != got)
    print("confusion (held back), gold → read:")
    for (gold, got), count in confusion.most_common(20):
        print(f"  {count:3}  {gold} → {got}")
    print("asking when unsure (held back):")
    margins(understanding, rows)
    if args.errors:
        for gold, got, text in sorted(plain_results):
            if gold != got:
                print("  ", gold, got, text)


if __name__ == "__main__":
    main()
