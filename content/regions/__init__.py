"""The official region tree of 长春市 as data (changchun.csv; see README.md for its source)."""
import csv
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

OFFICIAL_FILE = Path(__file__).with_name("changchun.csv")

# Statistical code lengths per level: 2201 city, 220102 district, 220102001 street.
LEVEL_OF_LENGTH = {4: 1, 6: 2, 9: 3}


@dataclass(frozen=True)
class OfficialNode:
    code: str
    parent_code: str | None
    name: str
    kind: str

    @property
    def level(self) -> int:
        return LEVEL_OF_LENGTH[len(self.code)]


class BadRegionFile(ValueError):
    """The region file is not a tree we can import."""


def load_official(path: Path = OFFICIAL_FILE) -> list[OfficialNode]:
    """The nodes of the file, parents before children; refused whole if it is not one tree."""
    with path.open(encoding="utf-8", newline="") as file:
        nodes = [OfficialNode(row["code"].strip(), row["parent_code"].strip() or None,
                              row["name"].strip(), row["type"].strip())
                 for row in csv.DictReader(file)]
    check_tree(nodes)
    return nodes


def check_tree(nodes: list[OfficialNode]) -> None:
    seen: set[str] = set()
    for node in nodes:
        if len(node.code) not in LEVEL_OF_LENGTH or not node.code.isdigit() or not node.name:
            raise BadRegionFile(f"bad row: {node}")
        if node.code in seen:
            raise BadRegionFile(f"duplicate code {node.code}")
        root = node.parent_code is None
        if root != (node.level == 1) or (not root and (node.parent_code not in seen
                                                       or not node.code.startswith(node.parent_code))):
            raise BadRegionFile(f"{node.code} does not hang under a node listed before it")
        seen.add(node.code)


@cache
def aliases() -> dict[str, str]:
    """Everyday names of nodes (经开区 …) that the official names do not contain."""
    with OFFICIAL_FILE.with_name("aliases.toml").open("rb") as file:
        return tomllib.load(file)


@cache
def demo_communities() -> dict[str, list[str]]:
    """Street code -> the demo's community names under it (demo_communities.toml)."""
    with Path(__file__).with_name("demo_communities.toml").open("rb") as file:
        return tomllib.load(file)
