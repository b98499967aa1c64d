"""Intent benchmark: the understanding step against today's exact-keyword router, in one run.

Run from the repository root: `.venv/bin/python -m bench.intents [--split dev|test] [--errors] [--cv 5]`.
Messages come from bench/intents/{dev,test}.csv (written by hand, see its README); tune on dev only.
The baseline is what the router did before understanding: a message equal to a keyword goes to
that keyword's capability, anything else to the sorting fallback.

Figures: accuracy per intent and overall; how many messages that name no item (empty `item`
column) would get a bin answer; deletion recall; the latency of one understanding (uncached).
`--cv K` also trains on K-1 folds of the content phrasings and tests on the rest (the dev set
plays no part in it). bench.intents_generalise gives the dev figure that tuning on dev cannot
flatter (the phrasings close to dev held back), dev folds taught, and the confusion.
"""
import argparse
import csv
import os
import random
import statistics
import time
from collections import Counter, defaultdict
from pathlib import Path

from handlers import load_routes
from handlers.router import normalize_keyword
from handlers.sorting import get_engine
from handlers.understanding import Understanding, get_understanding, preload
from handlers.understanding.chat import ANSWERS_ITEMS
from handlers.understanding.classifier import NaiveBayes

HERE = Path(__file__).parent / "intents"
# The capability behind each keyword handler of the router, as an intent of the taxonomy.
BASELINE_INTENTS = {
    "start_registration": "volunteer_register", "show_registration": "volunteer_status",
    "my_hours": "volunteer_status", "start_binding": "area_bind", "show_area": "area_show",
    "forget_me": "delete_data", "start_quiz": "quiz", "start_survey": "survey", "help_text": "help",
    "no_dialog": "unclear",
}


def load(split: str) -> list[dict]:
    with (HERE / f"{split}.csv").open(encoding="utf-8") as file:
        return list(csv.DictReader(file))


def baseline(text: str) -> str:
    router = load_routes()
    word = normalize_keyword(text)
    handler = router.anytime.get(word) or router.keywords.get(word)
    if handler is None:
        return "sorting"
    return BASELINE_INTENTS.get(handler.__name__, handler.__name__)


def baseline_bin(text: str, intent: str) -> bool:
    """Whether the old router's answer would name a bin: the fallback answers something."""
    return intent == "sorting" and bool(get_engine().classify(text).answers)


def new_bin(reading) -> bool:
    """Whether the new answer names a bin: a sorting reading, or items answered beside a request."""
    return reading.intent == "sorting" or (reading.intent in ANSWERS_ITEMS and bool(reading.aside))


def report(rows: list[dict], errors: bool, understanding=None) -> None:
    understanding = understanding or get_understanding()
    per = defaultdict(Counter)
    wrong = []
    latencies, cpu = [], []
    for row in rows:
        text, gold = row["text"], row["intent"]
        start, start_cpu = time.perf_counter(), time.thread_time()
        reading = understanding.read(text)
        latencies.append((time.perf_counter() - start) * 1000)
        cpu.append((time.thread_time() - start_cpu) * 1000)
        old = baseline(text)
        per[gold]["n"] += 1
        per[gold]["new"] += reading.intent == gold
        per[gold]["old"] += old == gold
        per[gold]["asked"] += bool(reading.choices)
        per[gold]["asked_right"] += bool(reading.choices) and gold in reading.choices
        if not row["item"]:
            per[gold]["no_item"] += 1
            per[gold]["new_bin"] += new_bin(reading)
            per[gold]["old_bin"] += baseline_bin(text, old)
        if reading.intent != gold:
            wrong.append((gold, reading.intent, text, reading.items, round(reading.margin, 2)))
    total = Counter()
    print(f"{'intent':20} {'n':>4} {'understanding':>13} {'baseline':>9} {'asked':>6}")
    for intent in sorted(per, key=lambda name: -per[name]["n"]):
        c = per[intent]
        total.update(c)
        print(f"{intent:20} {c['n']:4} {c['new'] / c['n']:12.1%} {c['old'] / c['n']:9.1%} {c['asked']:6}")
    n = total["n"]
    print(f"{'all':20} {n:4} {total['new'] / n:12.1%} {total['old'] / n:9.1%} {total['asked']:6}")
    print(f"asked with numbered choices: {total['asked']} ({total['asked'] / n:.1%}); "
          f"the right intent among the choices: {total['asked_right']}")
    print(f"no item named but a bin answered: understanding {total['new_bin']}/{total['no_item']} "
          f"({total['new_bin'] / total['no_item']:.1%}), baseline {total['old_bin']}/{total['no_item']} "
          f"({total['old_bin'] / total['no_item']:.1%})")
    deletion = per["delete_data"]
    print(f"deletion recall: understanding {deletion['new']}/{deletion['n']}, baseline {deletion['old']}/{deletion['n']}")
    # Wall time includes waiting for a core on a shared machine; CPU time is the work itself.
    for name, values in (("wall", sorted(latencies)), ("cpu", sorted(cpu))):
        print(f"understanding latency ({name}): p50 {statistics.median(values):.2f} ms, "
              f"p99 {values[int(len(values) * 0.99)]:.2f} ms, max {values[-1]:.2f} ms")
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    if errors:
        for line in sorted(wrong):
            print("  ", *line)


ABLATIONS = {
    "character n-grams only": lambda f: not f.startswith(("w:", "cue:", "has:", "only:", "asks:", "len:")),
    "+ jieba words": lambda f: not f.startswith(("cue:", "has:", "only:", "asks:", "len:")),
    "+ cue words": lambda f: not f.startswith(("has:", "only:", "asks:", "len:")),
    "+ item and which-bin features (all)": None,
}


def ablation(rows: list[dict]) -> None:
    """Dev accuracy of the classifier with fewer kinds of features (same rules around it)."""
    for name, keep in ABLATIONS.items():
        understanding = Understanding(keep)
        right = sum(understanding.read(row["text"]).intent == row["intent"] for row in rows)
        print(f"  {name:40} {right / len(rows):.1%}")


def cross_validate(folds: int) -> None:
    """Train on the other folds of the content phrasings, test on one; the dev set is not used."""
    from handlers.understanding import training_examples
    understanding = get_understanding()
    pairs = training_examples(understanding.intents, understanding.engine, understanding.settings)
    random.Random(15).shuffle(pairs)
    sights = [(understanding.reader.sight(text).features, name) for name, text in pairs]
    right = 0
    for fold in range(folds):
        train = [pair for index, pair in enumerate(sights) if index % folds != fold]
        model = NaiveBayes(train, understanding.settings["classifier"]["smoothing"])
        for index, (features, name) in enumerate(sights):
            if index % folds == fold:
                scores = model.scores(features)
                right += max(scores, key=scores.get) == name
    print(f"{folds}-fold cross-validation over the content phrasings (classifier alone, "
          f"{len(pairs)} examples): {right / len(pairs):.1%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("dev", "test"), default="dev")
    parser.add_argument("--errors", action="store_true", help="list the messages read wrongly")
    parser.add_argument("--cv", type=int, default=5, help="folds of cross-validation (0: skip)")
    parser.add_argument("--ablation", action="store_true", help="accuracy with fewer kinds of features")
    args = parser.parse_args()
    start = time.perf_counter()
    preload()  # as a worker is before its first message (gunicorn's master preloads)
    print(f"## {args.split}  (loaded and trained in {time.perf_counter() - start:.1f} s)")
    report(load(args.split), args.errors)
    if args.cv:
        cross_validate(args.cv)
    if args.ablation:
        print("features (every item names' placeholder kept):")
        ablation(load(args.split))


if __name__ == "__main__":
    main()

