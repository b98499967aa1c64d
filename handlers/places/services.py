"""Areas' own answers to service questions (bulky and renovation waste, appliances, medicine,
batteries, clothes bins, collection times), kept by each area's staff.

A resident's question gets the entry of the nearest node at or above their area (community →
street → district → city) that has one, else the city-wide general text
(content/intents/replies.toml [service]). The chat, the mini-program and the console all ask
`answer_for`; staff write entries only on nodes of their own subtree (handlers/staff/scope.py).
"""
from dataclasses import dataclass

from content.intents import reply
from content.service_texts import text, topic_labels
from handlers.errors import Refused
from handlers.places.points import one_line
from handlers.staff import scope
from models import AreaService, Region, db
from models.statuses import ServiceTopic

TOPICS = tuple(topic.value for topic in ServiceTopic)
LIMITS = {"text": 300, "hours": 100, "phone": 40, "address": 120}
FIELDS = tuple(LIMITS)
LIST_CHARS = 60  # of each entry's text in the list of an area's services
CITY_CODE_LENGTH = 4  # 2201: no node lies above the city


class ServiceError(Refused):
    """A service entry the capability refuses; messages are for staff, in Chinese."""


@dataclass(frozen=True)
class ServiceAnswer:
    """What a resident of an area is told about one service."""
    topic: str
    topic_label: str
    region_code: str | None  # the node whose entry answers; None: the city-wide general text
    area_name: str
    text: str
    hours: str = ""
    phone: str = ""
    address: str = ""


def topic_label(topic: str) -> str:
    return topic_labels().get(topic, topic)


def ancestry(region_code: str | None) -> list[str]:
    """The codes at and above `region_code`, nearest first: a node's ancestors are its code's prefixes."""
    if not region_code or not scope.valid_code(region_code):
        return []
    return [region_code[:length] for length in range(len(region_code), CITY_CODE_LENGTH - 1, -1)]


def nearest_entry(codes: list[str], topic: str) -> AreaService | None:
    """The entry for `topic` of the longest code (the nearest node) of `codes` that has one."""
    if not codes or topic not in TOPICS:
        return None
    found = db.session.execute(db.select(AreaService).where(
        AreaService.topic == topic, AreaService.region_code.in_(codes))).scalars().all()
    return max(found, key=lambda entry: len(entry.region_code), default=None)


def general(topic: str) -> ServiceAnswer:
    return ServiceAnswer(topic=topic, topic_label=topic_label(topic), region_code=None,
                         area_name=text("console.general"), text=reply(f"service.{topic}"))


def from_entry(entry: AreaService) -> ServiceAnswer:
    region = db.session.get(Region, entry.region_code)
    return ServiceAnswer(topic=entry.topic, topic_label=topic_label(entry.topic), region_code=entry.region_code,
                         area_name=region.name if region else entry.region_code, text=entry.text,
                         hours=entry.hours, phone=entry.phone, address=entry.address)


def answer_for(region_code: str | None, topic: str) -> ServiceAnswer:
    """What a resident of `region_code` (None: not bound) is told about `topic`."""
    entry = nearest_entry(ancestry(region_code), topic)
    return from_entry(entry) if entry else general(topic)


def area_answers(region_code: str | None) -> list[ServiceAnswer]:
    """Every topic an area's staff (at or above `region_code`) wrote about, in the staff's order:
    what a resident of the area is told besides the city-wide texts. One query."""
    codes = ancestry(region_code)
    if not codes:
        return []
    nearest: dict[str, AreaService] = {}
    for entry in db.session.execute(db.select(AreaService).where(AreaService.region_code.in_(codes))).scalars():
        if entry.topic not in nearest or len(entry.region_code) > len(nearest[entry.topic].region_code):
            nearest[entry.topic] = entry
    return [from_entry(nearest[topic]) for topic in topic_labels() if topic in nearest]


def inherited(region_code: str, topic: str) -> ServiceAnswer:
    """What the node's residents are told when it has no entry of its own: the nearest one above."""
    entry = nearest_entry(ancestry(region_code)[1:], topic)
    return from_entry(entry) if entry else general(topic)


def chat_text(answer: ServiceAnswer) -> str:
    """The answer as a chat message: the area's entry with its times, phone and place, or the general text."""
    if answer.region_code is None:
        return answer.text
    lines = [text("chat.heading", area=answer.area_name, text=answer.text)]
    lines += [text(f"chat.{field}", **{field: value}) for field, value in
              (("hours", answer.hours), ("phone", answer.phone), ("address", answer.address)) if value]
    return "\n".join(lines)


def list_text(answers: list[ServiceAnswer], area_name: str) -> str:
    """The services of an area as one chat message: a line per topic, each entry cut to fit, so the
    reply stays well inside WeChat's 2,048 bytes whatever staff wrote."""
    lines = [text("chat.list_heading", area=area_name)]
    for answer in answers:
        said = answer.text if len(answer.text) <= LIST_CHARS else answer.text[:LIST_CHARS - 1] + "…"
        lines.append(text("chat.list_line", label=answer.topic_label, text=said))
        if answer.phone:
            lines[-1] += text("chat.list_phone", phone=answer.phone)
    lines.append(text("chat.list_more"))
    return "\n".join(lines)


# --- staff keep their own subtree's entries --------------------------------------------------------

def editable(actor, region_code: str, topic: str) -> Region | None:
    """The active node if the actor may write its `topic` entry; else None (the console answers 404)."""
    if topic not in TOPICS or not scope.in_scope(actor, region_code):
        return None
    region = db.session.get(Region, region_code)
    return region if region is not None and region.active else None


def own_entry(region_code: str, topic: str) -> AreaService | None:
    return db.session.execute(db.select(AreaService).filter_by(region_code=region_code, topic=topic)).scalar()


def checked(fields: dict) -> dict:
    """The form's values, each on one line and within its limit; the text is required."""
    values = {field: one_line(fields.get(field)) for field in FIELDS}
    errors = {field: text(f"errors.{field}") for field, limit in LIMITS.items() if len(values[field]) > limit}
    if not values["text"]:
        errors["text"] = text("errors.text")
    if errors:
        raise ServiceError(text("errors.joiner").join(errors.values()), code="invalid_fields", fields=errors)
    return values


def save(actor, region: Region, topic: str, fields: dict) -> dict:
    """Write the node's entry for `topic` (the caller checked `editable`); the changed fields as
    {field: [before, after]}, empty when nothing changed."""
    values = checked(fields)
    entry = own_entry(region.code, topic)
    if entry is None:
        entry = AreaService(region_code=region.code, topic=topic, **values, kept_by=actor.username)
        db.session.add(entry)
        db.session.flush()
        return {field: ["", value] for field, value in values.items() if value}
    changes = {field: [getattr(entry, field), value] for field, value in values.items()
               if getattr(entry, field) != value}
    if changes:
        for field, value in values.items():
            setattr(entry, field, value)
        entry.kept_by = actor.username
        db.session.flush()
    return changes


def clear(region: Region, topic: str) -> dict | None:
    """Remove the node's own entry, so its residents get the one above; what it said, or None."""
    entry = own_entry(region.code, topic)
    if entry is None:
        return None
    said = {field: getattr(entry, field) for field in FIELDS}
    db.session.delete(entry)
    db.session.flush()
    return said


@dataclass(frozen=True)
class TopicRow:
    """One line of the console's page for a node: its own entry, and what its residents are told."""
    topic: str
    label: str
    own: AreaService | None
    answer: ServiceAnswer


def overview(region_code: str) -> list[TopicRow]:
    """Every topic of one node, in the staff's order."""
    own = {entry.topic: entry for entry in db.session.execute(
        db.select(AreaService).filter_by(region_code=region_code)).scalars()}
    return [TopicRow(topic=topic, label=label, own=own.get(topic), answer=answer_for(region_code, topic))
            for topic, label in topic_labels().items()]


def add_missing(rows: list[dict], kept_by: str) -> int:
    """Add the entries (region, topic and the fields) whose node has none for the topic yet: safe to
    run again, and an entry staff have changed is kept. Refuses all if one is invalid."""
    added = 0
    for row in rows:
        region = db.session.get(Region, str(row.get("region") or ""))
        if region is None or row.get("topic") not in TOPICS:
            raise ServiceError(f"{row.get('region')} {row.get('topic')}")
        values = checked(row)
        if own_entry(region.code, row["topic"]) is None:
            db.session.add(AreaService(region_code=region.code, topic=row["topic"], **values, kept_by=kept_by))
            added += 1
    db.session.flush()
    return added
