"""The region tree: importing the official list, communities staff add, and finding nodes by name."""
import difflib
import re
from dataclasses import dataclass, field

from content.regions import OFFICIAL_FILE, aliases, demo_communities, load_official
from handlers.errors import Refused
from models import Region, db

CITY = "2201"
# Suffixes residents leave out: 南岭街道 → 南岭, 南关区 → 南关.
SUFFIXES = re.compile(r"(街道办事处|街道|社区居委会|社区|开发区|区|县|市|镇|乡)$")


class RegionError(Refused):
    """A request about the tree that cannot be done; the message is for staff."""


@dataclass
class ImportReport:
    added: int = 0
    updated: int = 0
    retired: int = 0
    unchanged: int = 0
    reactivated: list[str] = field(default_factory=list)


def import_official(path=OFFICIAL_FILE) -> ImportReport:
    """Bring the tree in line with the official file; safe to run again at any time.

    Nodes are keyed by code, so a re-run adds nothing twice. An official node missing from the
    file is retired rather than deleted: residents, volunteers and communities under it keep a
    valid reference, and nothing is orphaned.
    """
    nodes = load_official(path)
    existing = {r.code: r for r in db.session.execute(db.select(Region)).scalars()}
    report = ImportReport()
    for node in nodes:  # parents come first in the file
        wanted = dict(parent_code=node.parent_code, name=node.name, kind=node.kind,
                      level=node.level, source="official", active=True)
        region = existing.get(node.code)
        if region is None:
            db.session.add(Region(code=node.code, **wanted))
            db.session.flush()  # the parent row exists before its children reference it
            report.added += 1
        elif any(getattr(region, key) != value for key, value in wanted.items()):
            if not region.active:
                report.reactivated.append(node.code)
            for key, value in wanted.items():
                setattr(region, key, value)
            report.updated += 1
        else:
            report.unchanged += 1
    listed = {node.code for node in nodes}
    for region in existing.values():
        if region.source == "official" and region.active and region.code not in listed:
            region.active = False
            report.retired += 1
    db.session.flush()
    return report


def add_community(street_code: str, name: str) -> Region:
    """A community (社区) under a street, coded as the street's code plus three digits."""
    name = name.strip()
    street = db.session.get(Region, street_code)
    if street is None or street.level != 3 or not street.active:
        raise RegionError(f"{street_code} is not an active street or town")
    if not 2 <= len(name) <= 64:
        raise RegionError("a community name has 2 to 64 characters")
    siblings = children(street_code, active_only=False)
    if any(s.name == name for s in siblings):
        raise RegionError(f"{street.name} already has {name}")
    number = max((int(s.code[-3:]) for s in siblings), default=0) + 1
    if number > 999:
        raise RegionError(f"{street.name} has no community codes left")
    community = Region(code=f"{street_code}{number:03d}", parent_code=street_code, name=name,
                       kind="community", level=4, source="staff", active=True)
    db.session.add(community)
    db.session.flush()
    return community


def add_demo_communities() -> int:
    """The demo's communities (content/regions/demo_communities.toml); those present are kept."""
    added = 0
    for street_code, names in demo_communities().items():
        present = {region.name for region in children(street_code, active_only=False)}
        for name in names:
            if name not in present and db.session.get(Region, street_code) is not None:
                add_community(street_code, name)
                added += 1
    return added


def get(code: str | None) -> Region | None:
    return db.session.get(Region, code) if code else None


def children(code: str, active_only: bool = True) -> list[Region]:
    query = db.select(Region).filter_by(parent_code=code).order_by(Region.code)
    if active_only:
        query = query.filter_by(active=True)
    return list(db.session.execute(query).scalars())


def path(code: str | None) -> list[Region]:
    """The nodes from the district down to `code` (the city is left out: everyone is in it)."""
    nodes = []
    region = get(code)
    while region is not None and region.level > 1:
        nodes.append(region)
        region = get(region.parent_code)
    return nodes[::-1]


def path_name(code: str | None) -> str:
    return "".join(region.name for region in path(code))


def short_name(name: str) -> str:
    short = SUFFIXES.sub("", name)
    return short if len(short) >= 2 else name


def descendants(code: str) -> list[Region]:
    query = (db.select(Region).where(Region.code.startswith(code, autoescape=True),
                                     Region.code != code, Region.active.is_(True))
             .order_by(Region.code))
    return list(db.session.execute(query).scalars())


def match(code: str, text: str) -> list[Region]:
    """Active nodes under `code` that `text` names: exact, by short name, alias, path or fuzzy.

    One result is a match; several are for the resident to pick from; none is no match.
    """
    text = re.sub(r"\s+", "", text)
    if not text:
        return []
    below = descendants(code)
    alias = aliases().get(text)
    for found in ([r for r in below if r.code == alias],
                  [r for r in below if text in (r.name, short_name(r.name))],
                  by_path(code, text),
                  [r for r in below if text in r.name],
                  close(below, text)):
        if found:  # 南岭 is 南岭街道 before it is 南岭街道南岭社区: the shallowest nodes win
            top = min(r.level for r in found)
            return [r for r in found if r.level == top]
    return []


def by_path(code: str, text: str) -> list[Region]:
    """"南关区南岭" → 南岭街道 under 南关区: a node's name, then what follows under it."""
    for child in children(code):
        for prefix in (child.name, short_name(child.name)):
            rest = text.removeprefix(prefix)
            if rest != text and rest:
                return match(child.code, rest)
    return []


def close(candidates: list[Region], text: str) -> list[Region]:
    """Typos: the names most like `text` (南领 → 南岭)."""
    names = {name: r for r in candidates for name in (r.name, short_name(r.name))}
    best = difflib.get_close_matches(text, list(names), n=3, cutoff=0.6)
    return list(dict.fromkeys(names[name] for name in best))
