"""Build content/sorting/items.csv from the Shanghai 2019 list plus the hand-curated Changchun rules.

Run from the repository root: `.venv/bin/python -m content.build_sorting [path/to/items_shanghai_2019.csv]`.
The output is committed; the product never reads ../shared at run time. Re-running is idempotent.
"""
import csv
import re
import sys
import tomllib
import unicodedata
from pathlib import Path

from content.sorting import simplified_table

HERE = Path(__file__).parent / "sorting"
DEFAULT_SOURCE = Path(__file__).resolve().parents[2] / "shared/data/sorting/items_shanghai_2019.csv"
RULES_FILE = HERE / "changchun.toml"
OUTPUT_FILE = HERE / "items.csv"
CATEGORIES = ("recyclable", "hazardous", "kitchen", "residual", "special")
# Annotations such as "(无汞)" or "(如:猪腿骨)": residents never type them.
PARENTHESIS = re.compile(r"\([^)]*\)")
# A few source rows are whole questions ("泡沫箱属于什么垃圾"): keep the item only.
QUESTION = re.compile(r"(是|属于)(那种|哪种|什么)垃圾$")


def clean(name: str) -> str:
    return QUESTION.sub("", re.sub(r"\s+", "", unicodedata.normalize("NFKC", name)))


def merge_variants(items: dict[str, str], preferred: dict[str, str]) -> dict[str, str]:
    """One entry per name as the engine sees it: case and traditional forms merge (CD/cd, 電池/电池).

    When variants disagree, an explicit Changchun override decides; otherwise the first written
    form (sorted) is kept, so the output does not depend on the source order.
    """
    table = simplified_table()
    merged: dict[str, str] = {}
    seen: dict[str, str] = {}
    for name in sorted(items):
        key = name.lower().translate(table)
        if key in seen:
            if key in preferred or seen[key] in preferred:
                merged[seen[key]] = preferred.get(key, preferred.get(seen[key]))
            continue
        written = name.translate(table)
        seen[key] = written
        merged[written] = preferred.get(key, items[name])
    return merged


def read_source(path: Path) -> dict[str, str]:
    items: dict[str, str] = {}
    with path.open(encoding="utf-8") as file:
        for row in csv.DictReader(file):
            items.setdefault(clean(row["item"]), row["category"])
    # Add the bare name of annotated items when the list has no entry of its own for it.
    for name, category in list(items.items()):
        bare = PARENTHESIS.sub("", name)
        if bare and bare != name:
            items.setdefault(bare, category)
    return items


def special_channel(name: str, channels: dict) -> str:
    """The channel of a name whose head (its end, in a Chinese compound) is a special head."""
    best, best_length = "", 0
    for key, channel in channels.items():
        for head in channel["heads"]:
            if name.endswith(head) and len(head) > best_length:
                best, best_length = key, len(head)
    return best


def build(source: Path) -> list[dict[str, str]]:
    rules = tomllib.loads(RULES_FILE.read_text(encoding="utf-8"))
    items = read_source(source)
    items.update(rules["extra_items"])
    items.update(rules["overrides"])
    items = merge_variants(items, {name.lower(): category for name, category in rules["overrides"].items()})
    rows = {name: {"item": name, "category": category, "channel": "", "note": ""}
            for name, category in items.items()}
    for key, channel in rules["channels"].items():
        for name in channel["heads"] + channel["items"]:
            rows.setdefault(name, {"item": name, "category": "special", "channel": key, "note": ""})
    for row in rows.values():
        channel = special_channel(row["item"], rules["channels"])
        if channel:
            row.update(category="special", channel=channel)
        elif row["category"] == "special":
            row["channel"] = row["channel"] or guess_channel(row["item"], rules["channels"])
    for key, note in rules["notes"].items():
        for name in note["items"]:
            rows[name] = {"item": name, "category": note["category"], "channel": "", "note": key}
    return [rows[name] for name in sorted(rows)]


def guess_channel(name: str, channels: dict) -> str:
    """The channel for an item overridden to `special` without a listed head: by shared characters."""
    def overlap(channel: dict) -> int:
        return max(len(set(name) & set(head)) for head in channel["heads"])
    return max(channels, key=lambda key: overlap(channels[key]))


def write(rows: list[dict[str, str]], path: Path) -> None:
    assert all(row["category"] in CATEGORIES for row in rows)
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=["item", "category", "channel", "note"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def store_guesser() -> None:
    """Train the unknown-item guesser on the new list and store its weights next to it."""
    from content.sorting import read_items, read_toml
    from handlers.sorting.answer import CATEGORIES
    from handlers.sorting.model import STORED, Guesser
    items = read_items(OUTPUT_FILE)
    settings = read_toml("tuning.toml")["training"]
    Guesser.train(items, CATEGORIES, settings).save(STORED, items, settings)
    print(f"wrote the guesser's weights to {STORED}")


def main() -> None:
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SOURCE
    rows = build(source)
    write(rows, OUTPUT_FILE)
    store_guesser()
    counts = {c: sum(row["category"] == c for row in rows) for c in CATEGORIES}
    print(f"wrote {len(rows)} items to {OUTPUT_FILE}: {counts}")


if __name__ == "__main__":
    main()
