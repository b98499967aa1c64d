"""Drop-off points from Excel: the template staff fill in, and an import that takes all rows or none.

Every row is checked before any is added: a file with one bad row adds nothing, and the staff
member gets every bad row's number and reason at once, so one correction round is enough.
"""
from dataclasses import dataclass

from content.place_texts import columns, kind_labels, template_notes, text
from handlers.people import regions
from handlers.places.points import PlaceError, check, one_line
from handlers.staff import scope
from infra import xlsx
from models import DropOffPoint, Region, db

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
FIELDS = ("kind", "name", "address", "lat", "lng", "hours", "region")


@dataclass(frozen=True)
class RowError:
    row: int  # as Excel numbers it: the header is row 1
    reason: str


class ImportRefused(PlaceError):
    """A file with bad rows: nothing was imported; `rows` says which and why."""

    def __init__(self, rows: list[RowError]):
        super().__init__(text("errors.import_failed", count=len(rows)), code="import_refused",
                         fields={str(error.row): error.reason for error in rows})
        self.rows = rows


def template() -> bytes:
    """The workbook staff fill in: the headers, a drop-down of kinds, and a sheet of notes."""
    labels = list(kind_labels().values())
    return xlsx.template(text("template.sheet"), list(columns().values()), text("template.notes_sheet"),
                         template_notes(), choices={0: labels})


def cell_text(value) -> str:
    """What a cell says: a code typed as a number (220102001.0) is the code's digits."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value).strip()


def read(content: bytes, expected: list[str] | None = None, fields: tuple[str, ...] = FIELDS) -> list[tuple[int, dict]]:
    """(row number, {field: value}) of every data row, after the header (`expected`, the points'
    columns by default) is checked; the areas' service import reads its own sheet with it too."""
    if len(content) > MAX_BYTES:
        raise PlaceError(text("errors.too_large", mb=MAX_BYTES // 1024 // 1024), code="too_large")
    try:
        rows = xlsx.read_rows(content, MAX_ROWS + 1)
    except xlsx.NotAWorkbook:
        raise PlaceError(text("errors.bad_file"), code="bad_file")
    expected = expected or list(columns().values())
    if not rows or [cell_text(v) for v in rows[0][1][:len(expected)]] != expected:
        raise PlaceError(text("errors.bad_header", expected="、".join(expected)), code="bad_header")
    if len(rows) > MAX_ROWS + 1:
        raise PlaceError(text("errors.too_many_rows", limit=MAX_ROWS), code="too_many_rows")
    if len(rows) == 1:
        raise PlaceError(text("errors.empty_file"), code="empty_file")
    return [(number, dict(zip(fields, (list(values) + [None] * len(fields))[:len(fields)])))
            for number, values in rows[1:]]


class RegionResolver:
    """A row's 所属地区, a code or a name, as a node of the staff member's subtree (or why not)."""

    def __init__(self, actor):
        self.actor = actor
        own = regions.get(actor.region_code)
        self.below = ([own] if own else []) + regions.descendants(actor.region_code)

    def resolve(self, value: str) -> tuple[str | None, str]:
        if not value:
            return None, text("errors.region")
        if value.isdigit():
            region = regions.get(value)
            if region is None or not region.active:
                return None, text("errors.region_unknown", value=value)
            if not scope.in_scope(self.actor, value):
                return None, text("errors.region_out_of_scope", value=value)
            return value, ""
        name = "".join(value.split())
        found = [r for r in self.below if name in (r.name, regions.short_name(r.name))]
        elsewhere = bool(found)
        if not found:  # a path from the district down: 南关区南岭街道
            along = regions.by_path(regions.CITY, name)
            found = [r for r in along if scope.in_scope(self.actor, r.code)]
            elsewhere = bool(along) or db.session.execute(
                db.select(Region.code).where(Region.name == name, Region.active.is_(True)).limit(1)).first()
        if len(found) == 1:
            return found[0].code, ""
        if found:
            return None, text("errors.region_ambiguous", value=value)
        key = "errors.region_out_of_scope" if elsewhere else "errors.region_unknown"
        return None, text(key, value=value)


def import_points(actor, content: bytes) -> list[DropOffPoint]:
    """Add every row of the uploaded workbook as a point kept by `actor`, or none (ImportRefused)."""
    rows = read(content)
    by_label = {label: kind for kind, label in kind_labels().items()}
    resolver = RegionResolver(actor)
    existing = existing_keys({one_line(fields.get("name")) for _, fields in rows})
    seen: dict[tuple, int] = {}
    errors, points = [], []
    for number, fields in rows:
        kind = cell_text(fields["kind"])
        fields = {**fields, "kind": by_label.get(kind, kind)}
        values, wrong = check(fields)
        reasons = list(wrong.values())
        if "kind" in wrong and kind:
            reasons[list(wrong).index("kind")] = text("errors.kind_label", value=kind,
                                                      kinds="、".join(by_label))
        region_code, region_error = resolver.resolve(cell_text(fields["region"]))
        if region_error:
            reasons.append(region_error)
        key = (values["kind"], values["name"], values["address"])
        if not wrong and key in seen:
            reasons.append(text("errors.duplicate_in_file", row=seen[key]))
        elif not wrong and key in existing:
            reasons.append(text("errors.duplicate"))
        seen.setdefault(key, number)
        if reasons:
            errors.append(RowError(number, "；".join(reasons)))
        else:
            points.append(DropOffPoint(**values, region_code=region_code, kept_by=actor.username, active=True))
    if errors:
        raise ImportRefused(errors)
    db.session.add_all(points)
    db.session.flush()
    return points


def existing_keys(names: set[str]) -> set[tuple]:
    """(kind, name, address) of the active points that share a name with a row of the file."""
    found, names = set(), sorted(names)
    for start in range(0, len(names), 500):
        query = db.select(DropOffPoint.kind, DropOffPoint.name, DropOffPoint.address).where(
            DropOffPoint.name.in_(names[start:start + 500]), DropOffPoint.active.is_(True))
        found.update(tuple(row) for row in db.session.execute(query))
    return found
