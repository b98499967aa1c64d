"""Areas' service entries from Excel: the template staff fill in, and an import that takes all rows or none.

Like the drop-off points' import (importing.py): every row is checked before any is written, so a
file with one bad row changes nothing and the staff member gets every bad row's number and reason
at once. A row writes its area's entry for its topic, replacing the one there, within the staff
member's own subtree only.
"""
from dataclasses import dataclass

from content.service_texts import import_columns, import_notes, text, topic_labels
from handlers.places import services
from handlers.places.importing import ImportRefused, RegionResolver, RowError, cell_text, read
from handlers.places.services import ServiceError
from infra import xlsx

FIELDS = ("region", "topic", "text", "hours", "phone", "address")


@dataclass(frozen=True)
class Imported:
    """One entry the import wrote: its node, topic, and what changed ({field: [before, after]})."""
    region_code: str
    topic: str
    changes: dict


def template() -> bytes:
    """The workbook staff fill in: the headers, a drop-down of topics, and a sheet of notes."""
    labels = list(topic_labels().values())
    return xlsx.template(text("import.sheet"), list(import_columns().values()), text("import.notes_sheet"),
                         import_notes(), choices={1: labels})


def topic_of(value: str) -> str | None:
    """A row's 服务类别: its label as the template lists it, or the topic's code."""
    by_label = {label: topic for topic, label in topic_labels().items()}
    return by_label.get(value) or (value if value in services.TOPICS else None)


def checked_row(actor, resolver: RegionResolver, fields: dict) -> tuple[tuple | None, list[str]]:
    """((region, topic, values), []) for a good row, else (None, its reasons)."""
    reasons = []
    region_code, region_error = resolver.resolve(cell_text(fields["region"]))
    if region_error:
        reasons.append(region_error)
    label = cell_text(fields["topic"])
    topic = topic_of(label)
    if topic is None:
        reasons.append(text("import.topic", value=label, topics=text("import.list_joiner").join(topic_labels().values())) if label
                       else text("import.no_topic"))
    try:
        values = services.checked({field: cell_text(fields[field]) for field in services.FIELDS})
    except ServiceError as refusal:
        reasons += list((refusal.fields or {}).values())
        values = None
    region = services.editable(actor, region_code, topic) if region_code and topic else None
    if region_code and topic and region is None:
        reasons.append(text("import.not_editable", value=cell_text(fields["region"])))
    return ((region, topic, values), []) if not reasons else (None, reasons)


def import_services(actor, content: bytes) -> list[Imported]:
    """Write every row of the uploaded workbook as its area's entry, or none (ImportRefused)."""
    rows = read(content, list(import_columns().values()), FIELDS)
    resolver = RegionResolver(actor)
    seen: dict[tuple, int] = {}
    errors, good = [], []
    for number, fields in rows:
        entry, reasons = checked_row(actor, resolver, fields)
        if entry:
            key = (entry[0].code, entry[1])
            if key in seen:
                reasons.append(text("import.duplicate_in_file", row=seen[key]))
            seen.setdefault(key, number)
        if reasons:
            errors.append(RowError(number, text("errors.joiner").join(reasons)))
        else:
            good.append(entry)
    if errors:
        raise ImportRefused(errors)
    return [Imported(region.code, topic, services.save(actor, region, topic, values))
            for region, topic, values in good]
