"""Zero-waste cell types, their 2025 targets and their versioned indicator sets, loaded once.

`targets_2025.csv` lists the 11 cell types of the city's creation plan; `indicators/<type>.v<n>.toml`
holds an indicator set. A type without a set of its own is assessed against the generic one. A cell
keeps the key of the set it applied under ("school.v1"), so a new version never rescores old cells.
"""
import csv
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

HERE = Path(__file__).parent
TARGETS_FILE = HERE / "targets_2025.csv"
INDICATOR_DIR = HERE / "indicators"
SET_FILE = re.compile(r"^(?P<type>[a-z_]+)\.v(?P<version>\d+)\.toml$")
GENERIC = "generic"


@dataclass(frozen=True)
class CellType:
    code: str
    name: str  # 无废学校 …
    target: int  # to be created by the end of 2025


@dataclass(frozen=True)
class Indicator:
    code: str
    group: str
    title: str
    points: int
    evidence: str  # what the unit must upload to prove it


@dataclass(frozen=True)
class IndicatorSet:
    type: str
    version: int
    name: str
    pass_score: int
    indicators: tuple[Indicator, ...]

    @property
    def key(self) -> str:
        return f"{self.type}.v{self.version}"

    @property
    def total(self) -> int:
        return sum(indicator.points for indicator in self.indicators)

    def get(self, code: str) -> Indicator | None:
        return next((i for i in self.indicators if i.code == code), None)


@cache
def cell_types() -> dict[str, CellType]:
    """code → CellType, in the order of the city's plan."""
    with TARGETS_FILE.open(encoding="utf-8") as file:
        return {row["type"]: CellType(row["type"], row["name"], int(row["target_2025"]))
                for row in csv.DictReader(file)}


@cache
def indicator_sets() -> dict[str, IndicatorSet]:
    """'school.v1' → IndicatorSet, for every file in indicators/."""
    sets = {}
    for path in sorted(INDICATOR_DIR.glob("*.toml")):
        if not SET_FILE.match(path.name):
            continue
        with path.open("rb") as file:
            data = tomllib.load(file)
        indicators = tuple(Indicator(i["code"], i["group"], i["title"], int(i["points"]), i["evidence"])
                           for i in data["indicator"])
        loaded = IndicatorSet(data["type"], int(data["version"]), data["name"], int(data["pass_score"]),
                              indicators)
        if len({i.code for i in indicators}) != len(indicators):
            raise ValueError(f"{path.name}: indicator codes repeat")
        sets[loaded.key] = loaded
    return sets


def indicator_set(key: str) -> IndicatorSet:
    return indicator_sets()[key]


def current_set(cell_type: str) -> IndicatorSet:
    """The newest indicator set for a cell type, or the newest generic set."""
    for wanted in (cell_type, GENERIC):
        versions = [s for s in indicator_sets().values() if s.type == wanted]
        if versions:
            return max(versions, key=lambda s: s.version)
    raise LookupError(f"no indicator set for {cell_type}")


@cache
def workflow_texts() -> dict:
    """Status and step names, what is missing, errors: content/cells/workflow.toml."""
    with (HERE / "workflow.toml").open("rb") as file:
        return tomllib.load(file)


def label(section: str, key: str, **values) -> str:
    wording = workflow_texts()[section][key]
    return wording.format(**values) if values else wording
