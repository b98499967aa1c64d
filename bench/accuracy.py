"""Sorting accuracy benchmark: our engine against a plain exact/substring dictionary lookup.

Run from the repository root: `.venv/bin/python -m bench.accuracy [--errors KIND] [--cv K]`.
Queries come from bench/devset/{dev,test}.csv (regenerate with `python -m bench.devset.generate`).
The `unknown` kind is answered by engines built WITHOUT the held-out items (bench/devset/heldout.txt).
One draw of held-out names can be easier or harder than the list as a whole, so unknown-item
accuracy is also cross-validated over every ordinary name (10 folds: each fold holds out 10 %, as
heldout.txt does; `--cv 0` skips it). That is the figure to trust; next to it, how often two
near-identical names of the list agree on their bin, the ceiling the list's own noise sets.
A query counts as right when the categories answered, in order, are exactly the expected ones and
nothing was left unrecognised; "answered" means at least one answer was given.
"""
import argparse
import csv
import random
import re
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

from bench.guard import guarded
from content.sorting import load_knowledge
from handlers.sorting import Engine
from handlers.sorting.lexicon import SHORTEST_MISTYPED, one_slip_apart
from handlers.sorting.query import normalize
from tests import processes

DEVSET = Path(__file__).parent / "devset"
KINDS = ("bare", "variants", "phrased", "multi", "typos", "extra", "unknown", "special")
# Held-out names no one could sort from the name alone: category descriptions ("纸张类",
# "食物残渣及宠物饲料") and names that say which bin they go in. Reported apart, never removed.
DESCRIPTION = re.compile(r"类$|及|垃圾|可回收")
CONFIDENCE_BINS = (0.0, 0.4, 0.6, 0.8, 0.9, 0.95, 1.01)


class Baseline:
    """What most sorting mini-programs do: the whole text as a name, else known names inside it."""

    def __init__(self, items) -> None:
        self.by_name = {normalize(item.name): item.category for item in items}
        self.longest = max(map(len, self.by_name))

    def classify(self, text: str) -> tuple[list[str], bool]:
        text = normalize(text)
        if text in self.by_name:
            return [self.by_name[text]], False
        found, start = [], 0
        while start < len(text):
            for length in range(min(self.longest, len(text) - start), 1, -1):
                category = self.by_name.get(text[start:start + length])
                if category:
                    found.append(category)
                    start += length
                    break
            else:
                start += 1
        return found, not found


def engine_answer(engine: Engine):
    def classify(text: str) -> tuple[list[str], bool]:
        result = engine.classify(text)
        return [answer.category for answer in result.answers], bool(result.unrecognised)
    return classify


def read_rows(split: str) -> list[dict]:
    with (DEVSET / f"{split}.csv").open(encoding="utf-8") as file:
        return list(csv.DictReader(file))


def build_systems() -> dict[str, dict[str, object]]:
    knowledge = load_knowledge()
    held_out = set((DEVSET / "heldout.txt").read_text(encoding="utf-8").split())
    reduced = [item for item in knowledge.items if item.name not in held_out]
    return {
        "engine": {"full": Engine(knowledge), "reduced": Engine.from_items(reduced)},
        "baseline": {"full": Baseline(knowledge.items), "reduced": Baseline(reduced)},
    }


def run(rows: list[dict], systems: dict) -> dict:
    """Per system and kind: right, answered, total; plus per-query latencies in microseconds."""
    scores = {name: defaultdict(lambda: [0, 0, 0]) for name in systems}
    latencies = {name: [] for name in systems}
    failures = defaultdict(list)
    for name, variants in systems.items():
        classify = {key: engine_answer(s) if isinstance(s, Engine) else s.classify for key, s in variants.items()}
        for row in rows:
            system = classify["reduced" if row["kind"] == "unknown" else "full"]
            system(row["query"])  # warm-up: caches are not what we measure
            started = time.perf_counter()
            categories, left_over = system(row["query"])
            latencies[name].append((time.perf_counter() - started) * 1e6)
            right = categories == row["expected"].split("|") and not left_over
            score = scores[name][row["kind"]]
            score[0] += right
            score[1] += bool(categories)
            score[2] += 1
            if row["kind"] == "unknown" and not DESCRIPTION.search(row["items"]):
                subset = scores[name]["unknown*"]
                subset[0] += right
                subset[1] += bool(categories)
                subset[2] += 1
            if name == "engine" and not right:
                failures[row["kind"]].append((row["query"], row["expected"], categories, left_over))
    return {"scores": scores, "latencies": latencies, "failures": failures}


def calibration(rows: list[dict], systems: dict) -> list[tuple[str, int, float, float]]:
    """Single-item answers by confidence: is a 0.9 answer right about 90 % of the time?"""
    bins = defaultdict(lambda: [0, 0, 0.0])
    for row in rows:
        if "|" in row["expected"]:
            continue
        engine = systems["engine"]["reduced" if row["kind"] == "unknown" else "full"]
        result = engine.classify(row["query"])
        if len(result.answers) != 1:
            continue
        answer = result.answers[0]
        index = next(i for i, upper in enumerate(CONFIDENCE_BINS[1:]) if answer.confidence < upper)
        entry = bins[index]
        entry[0] += 1
        entry[1] += answer.category == row["expected"]
        entry[2] += answer.confidence
    table = []
    for index in sorted(bins):
        count, right, total_confidence = bins[index]
        label = f"{CONFIDENCE_BINS[index]:.2f}-{min(CONFIDENCE_BINS[index + 1], 1):.2f}"
        table.append((label, count, total_confidence / count, right / count))
    return table


def percent(right: int, total: int) -> str:
    return f"{100 * right / total:5.1f}%" if total else "   - "


def print_table(split: str, outcome: dict) -> None:
    scores = outcome["scores"]
    print(f"\n## {split}")
    print(f"{'kind':<9} {'n':>5}  {'engine acc':>10} {'answered':>9}  {'baseline acc':>12} {'answered':>9}")
    totals = {name: [0, 0, 0] for name in scores}
    for kind in KINDS:
        engine, baseline = scores["engine"][kind], scores["baseline"][kind]
        for name in scores:
            totals[name] = [a + b for a, b in zip(totals[name], scores[name][kind])]
        print(f"{kind:<9} {engine[2]:>5}  {percent(engine[0], engine[2]):>10} {percent(engine[1], engine[2]):>9}"
              f"  {percent(baseline[0], baseline[2]):>12} {percent(baseline[1], baseline[2]):>9}")
    engine, baseline = scores["engine"]["unknown*"], scores["baseline"]["unknown*"]
    print(f"{'unknown*':<9} {engine[2]:>5}  {percent(engine[0], engine[2]):>10} {percent(engine[1], engine[2]):>9}"
          f"  {percent(baseline[0], baseline[2]):>12} {percent(baseline[1], baseline[2]):>9}"
          "   (* without category descriptions)")
    engine, baseline = totals["engine"], totals["baseline"]
    print(f"{'all':<9} {engine[2]:>5}  {percent(engine[0], engine[2]):>10} {percent(engine[1], engine[2]):>9}"
          f"  {percent(baseline[0], baseline[2]):>12} {percent(baseline[1], baseline[2]):>9}")
    for name, values in outcome["latencies"].items():
        values = sorted(values)
        p99 = values[int(len(values) * 0.99) - 1]
        print(f"latency {name:<8} mean {statistics.fmean(values):7.1f} µs   p99 {p99:7.1f} µs")


def ordinary(items) -> list:
    """The names the `unknown` kind holds out (as bench/devset/generate.py chooses them)."""
    return sorted((item for item in items if item.category != "special" and not item.note and len(item.name) > 1
                   and "(" not in item.name and ")" not in item.name), key=lambda item: item.name)


def cross_validate(folds: int, seed: int = 7) -> None:
    """Unknown-item accuracy by k-fold cross-validation over the whole item list.

    Each fold's ordinary names are removed from the dictionary and the guesser (which is
    retrained), then asked as bare names. Robust to the luck of one held-out split: the same
    figure for the names of heldout.txt shows how easy this split's draw is.
    """
    knowledge = load_knowledge()
    names = ordinary(knowledge.items)
    random.Random(seed).shuffle(names)
    outcomes: dict[str, dict[str, tuple[bool, bool]]] = {"engine": {}, "baseline": {}}
    for fold in range(folds):
        asked = names[fold::folds]
        removed = {item.name for item in asked}
        reduced = [item for item in knowledge.items if item.name not in removed]
        systems = {"engine": engine_answer(Engine.from_items(reduced)), "baseline": Baseline(reduced).classify}
        for name, system in systems.items():
            for item in asked:
                categories, left_over = system(item.name)
                outcomes[name][item.name] = (categories == [item.category] and not left_over, bool(categories))
    held_out = set((DEVSET / "heldout.txt").read_text(encoding="utf-8").split())
    print(f"\n## {folds}-fold cross-validation over {len(names)} ordinary item names")
    for label, name, chosen in (("engine", "engine", None), ("baseline", "baseline", None),
                                ("engine, heldout.txt", "engine", held_out)):
        rows = [outcome for key, outcome in outcomes[name].items() if chosen is None or key in chosen]
        print(f"{label:<20} acc {percent(sum(r for r, _ in rows), len(rows))}  "
              f"answered {percent(sum(a for _, a in rows), len(rows))}  (n={len(rows)})")
    agree, pairs = self_agreement(names)
    print(f"near-identical names of the list that agree on their bin: {percent(agree, pairs)} of {pairs} pairs "
          "(one character more or less, or one other in names of five or more)")


def self_agreement(items) -> tuple[int, int]:
    """(agreeing, all) pairs of names one slip apart, as the engine's edit path reads a slip."""
    category = {item.name: item.category for item in items}
    by_length = defaultdict(list)
    for name in category:
        by_length[len(name)].append(name)
    agree = pairs = 0
    for name in category:
        # Each pair once: the other name is longer by one, or as long and later (only names long
        # enough for a wrong character can be one slip apart at the same length).
        others = list(by_length[len(name) + 1])
        if len(name) >= SHORTEST_MISTYPED:
            others += [other for other in by_length[len(name)] if other > name]
        for other in others:
            if one_slip_apart(name, other):
                pairs += 1
                agree += category[name] == category[other]
    return agree, pairs


def load_seconds() -> float:
    """What a web process pays once: imports, dictionary, jieba, stored guesser (a fresh interpreter)."""
    code = ("import time; t = time.perf_counter(); from handlers.sorting import get_engine; get_engine(); "
            "print(time.perf_counter() - t)")
    output = processes.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=Path(__file__).parents[1])
    return float(output.stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", metavar="KIND", help="list the engine's misses of this kind (dev split)")
    parser.add_argument("--cv", metavar="K", type=int, default=10,
                        help="folds of the cross-validation of unknown-item accuracy over the item list (0: skip)")
    args = parser.parse_args()
    started = time.perf_counter()
    systems = build_systems()
    print(f"engines built in {time.perf_counter() - started:.1f} s (two engines, two baselines; the reduced "
          "engine trains its own guesser)")
    print(f"production engine load in a fresh process: {load_seconds():.2f} s")
    for split in ("dev", "test"):
        rows = read_rows(split)
        outcome = run(rows, systems)
        print_table(split, outcome)
        if split == "dev" and args.errors:
            for failure in outcome["failures"][args.errors]:
                print("  miss:", *failure)
        print("calibration (single-item answers): confidence bin, n, mean confidence, accuracy")
        for label, count, confidence, accuracy in calibration(rows, systems):
            print(f"  {label}  {count:>5}  {confidence:.2f}  {accuracy:.2f}")
    if args.cv:
        cross_validate(args.cv)


if __name__ == "__main__":
    with guarded():
        main()
