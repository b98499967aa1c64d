"""Generate the sorting benchmark queries, reproducibly (fixed seed), from the shipped item list.

Run from the repository root: `.venv/bin/python -m bench.devset.generate`. Writes dev.csv and
test.csv next to this file (committed). Items are split between dev and test, and so are the
question wordings; a held-out part of the item list (heldout.txt) is removed from the engine
when the `unknown` kind is measured, so unknown-item figures are honest.
"""
import csv
import random
import tomllib
from pathlib import Path

import jieba

from bench.devset import typos
from content.sorting import read_items

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
SEED = 20240601
HELD_OUT_SHARE = 0.10
SIZES = {"bare": 150, "variants": 150, "phrased": 200, "multi": 150, "typos": 220, "extra": 120, "unknown": 220,
         "special": 120}
FIELDS = ["kind", "query", "expected", "items"]


TO_TRADITIONAL: dict[int, str] = {}


def split_pool(names: list[str], rng: random.Random) -> tuple[list[str], list[str]]:
    names = sorted(names)
    rng.shuffle(names)
    half = len(names) // 2
    return names[:half], names[half:]


def queries_for(split: str, pool: list[str], held_out: list[str], specials: list[str],
                category: dict[str, str], wording: dict, rng: random.Random, homophones) -> list[dict]:
    rows: list[dict] = []

    def add(kind: str, query: str, items: list[str]) -> None:
        rows.append({"kind": kind, "query": query, "expected": "|".join(category[i] for i in items),
                     "items": "|".join(items)})

    words = wording[split]
    for name in rng.sample(pool, SIZES["bare"]):
        add("bare", name, [name])
    for name in rng.sample(pool, SIZES["variants"]):
        add("variants", variant(name, words["quantities"], rng), [name])
    for name in rng.sample(pool, SIZES["phrased"]):
        add("phrased", rng.choice(words["phrased"]).format(item=name), [name])
    # Items in a list are written the way residents write them alone. Their own generator, so
    # the other kinds' queries do not depend on how the lists are written.
    forms = random.Random(f"{SEED}-{split}-multi")
    modifiers = wording["modifiers"][split]
    for _ in range(SIZES["multi"]):
        names = rng.sample(pool, rng.choice((2, 2, 3)))
        joiner = rng.choice(words["multi_joiners"])
        typed = [as_listed(name, category[name], words["quantities"], modifiers, forms) for name in names]
        add("multi", joiner.join(typed) + rng.choice(words["multi_suffixes"]), names)
    typo_pool = [name for name in pool if typos.typable(name)]
    while sum(row["kind"] == "typos" for row in rows) < SIZES["typos"]:
        name = rng.choice(typo_pool)
        typo = typos.make_typo(name, rng, homophones)
        if typo and typo.lower() not in category:
            query = typo if rng.random() < 0.6 else rng.choice(words["phrased"]).format(item=typo)
            add("typos", query, [name])
    for name in rng.sample(pool, SIZES["extra"]):
        add("extra", rng.choice(modifiers[category[name]]) + name, [name])
    for name in rng.sample(held_out, min(SIZES["unknown"], len(held_out))):
        query = name if rng.random() < 0.7 else rng.choice(words["phrased"]).format(item=name)
        add("unknown", query, [name])
    for _ in range(SIZES["special"]):
        name = rng.choice(specials)
        typed = rng.choice(modifiers["special"]) + name if rng.random() < 0.3 else name
        add("special", rng.choice(words["special"]).format(item=typed), [name])
    return rows


def as_listed(name: str, category: str, quantities: list[str], modifiers: dict, rng: random.Random) -> str:
    """An item in a list of several: half the time its bare name, else as a `variant` or with a
    state word in front ("旧袜子和两节电池")."""
    way = rng.random()
    if way < 0.5:
        return name
    if way < 0.75:
        return variant(name, quantities, rng).strip()
    return rng.choice(modifiers[category]) + name


def variant(name: str, quantities: list[str], rng: random.Random) -> str:
    """`name` as a resident may write it: with a quantity or pointing word, spaces, full-width or
    traditional characters, or Latin letters in another case."""
    ways = ["quantity", "quantity", "space", "traditional"]
    if any(char.isascii() and char.isalnum() for char in name):
        ways += ["case", "full_width"]
    way = rng.choice(ways)
    if way == "quantity":
        return rng.choice(quantities) + name
    if way == "space" and len(name) > 1:
        cut = rng.randrange(1, len(name))
        return name[:cut] + " " + name[cut:] if rng.random() < 0.5 else " " + name + " "
    if way == "traditional":
        traditional = name.translate(TO_TRADITIONAL)
        return traditional if traditional != name else rng.choice(quantities) + traditional
    if way == "case":
        return name.upper() if name != name.upper() else name.lower()
    return "".join(chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else char for char in name)


def traditional_table() -> dict[int, str]:
    """Simplified -> traditional, the inverse of the engine's own table (first form wins)."""
    table = tomllib.loads((ROOT / "content/sorting/traditional.toml").read_text(encoding="utf-8"))
    inverse: dict[str, str] = {}
    for traditional, simplified in zip(table["traditional"], table["simplified"]):
        inverse.setdefault(simplified, traditional)
    return str.maketrans(inverse)


def typed_by_residents(name: str) -> bool:
    """Names residents would type: no source annotations such as "(印有可回收标志)"."""
    return "(" not in name and ")" not in name


def main() -> None:
    rng = random.Random(SEED)
    items = read_items()
    category = {item.name.lower(): item.category for item in items}
    category.update({item.name: item.category for item in items})
    # Items a resident would type as such; notes and specials are measured by their own kinds.
    ordinary = [i.name for i in items
                if i.category != "special" and not i.note and len(i.name) > 1 and typed_by_residents(i.name)]
    specials = [i.name for i in items if i.category == "special" and typed_by_residents(i.name)]
    held_out = sorted(rng.sample(sorted(ordinary), int(len(ordinary) * HELD_OUT_SHARE)))
    known = sorted(set(ordinary) - set(held_out))
    dev_pool, test_pool = split_pool(known, rng)
    dev_held, test_held = split_pool(held_out, rng)
    dev_special, test_special = split_pool(specials, rng)
    wording = tomllib.loads((HERE / "templates.toml").read_text(encoding="utf-8"))
    TO_TRADITIONAL.update(traditional_table())
    homophones = typos.homophone_table(common_characters())
    for split, pool, held, special in (("dev", dev_pool, dev_held, dev_special),
                                       ("test", test_pool, test_held, test_special)):
        rows = queries_for(split, pool, held, special, category, wording, rng, homophones)
        rows += handwritten(split)
        write(HERE / f"{split}.csv", rows)
        print(f"{split}: {len(rows)} queries")
    (HERE / "heldout.txt").write_text("\n".join(held_out) + "\n", encoding="utf-8")


def handwritten(split: str) -> list[dict]:
    with (HERE / "handwritten.csv").open(encoding="utf-8") as file:
        return [{"kind": row["kind"], "query": row["query"], "expected": row["expected"], "items": ""}
                for row in csv.DictReader(file) if row["split"] == split]


def common_characters(minimum_frequency: int = 2000) -> set[str]:
    """Characters a pinyin IME offers early: single-character words frequent in jieba's dictionary."""
    path = Path(jieba.__file__).parent / "dict.txt"
    common = set()
    with path.open(encoding="utf-8") as file:
        for line in file:
            word, frequency, *_ = line.split()
            if len(word) == 1 and int(frequency) >= minimum_frequency:
                common.add(word)
    return common


def write(path: Path, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    main()
