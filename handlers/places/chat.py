"""Where to take it, in the chat: a service question gets their own area's answer (services.py) and
the points of the right kind in the resident's area (or asks for their location), and a location
message gets the nearest ones.

A location message carries no question, so the kind last asked about is kept for a few minutes.
"""
import logging

import redis

from content import service_texts
from content.intents import settings
from content.place_texts import text
from content.texts import table
from handlers.people import residents
from handlers.places import services
from handlers.places.nearby import NearPoint, nearest
from handlers.places.points import kind_label
from handlers.router import Message, router
from handlers.sorting import answering
from handlers.understanding.chat import service_answer
from infra import state
from models import DropOffPoint, Region, db

log = logging.getLogger(__name__)
ASKED_TTL = 600  # a location sent within ten minutes answers the question asked before it
SHOWN = 3  # points in one reply: a chat message, not a map


def service_topic(message_text: str) -> str | None:
    lowered = message_text.lower()
    for topic, words in settings()["service_topics"].items():
        if any(word in lowered for word in words):
            return topic
    return None


def kinds_of(topic: str | None) -> list[str]:
    return list(table("places.toml")["topics"].get(topic or "", []))


def kinds_label(kinds: list[str]) -> str:
    if not kinds:
        return text("chat.any_kind")
    return text("chat.kinds_joiner").join(kind_label(kind) for kind in kinds)


@router.on_intent("service")
def where_to_take_it(message: Message) -> str:
    """The answer of the resident's own area for the service (else the city-wide one), then the
    points of its kind in their area."""
    topic = service_topic(message.text)
    bound = residents.area_of(message.openid)
    if topic is None:
        return area_services(bound, message)
    answer = services.chat_text(services.answer_for(bound, topic))
    kinds = kinds_of(topic)
    if not kinds:
        return answer
    remember(message.openid, kinds)
    found = in_area(bound, kinds) if bound else []
    if found:
        area = db.session.get(Region, found[0].region_code[:9]) or db.session.get(Region, found[0].region_code)
        lines = [text("chat.in_area", area=area.name if area else "", kinds=kinds_label(kinds))]
        lines += [text("chat.point_in_area", name=p.name, address=p.address, hours=hours(p.hours))
                  for p in found]
        return "\n".join([answer, "", *lines, text("chat.ask_location", kinds=kinds_label(kinds))])
    return "\n".join([answer, "", text("chat.ask_location", kinds=kinds_label(kinds))])


def area_services(bound: str | None, message: Message) -> str:
    """"有什么服务": every service the resident's area wrote about, else the city-wide overview
    (and, not bound, how to see their own area's)."""
    answers = services.area_answers(bound)
    if answers:
        region = db.session.get(Region, bound)
        return services.list_text(answers, region.name if region else "")
    overview = service_answer(message)
    return overview if bound else "\n\n".join([overview, service_texts.text("chat.list_unbound")])


@answering.addendum
def offer_points(message: Message, result) -> str | None:
    """An item that goes to a collection point (a battery, medicine, an old sofa …): what the
    resident's own area says about it, if it says anything, and the nearest points, asked for
    with a location."""
    named = " ".join(f"{answer.mention} {answer.item}" for answer in result.answers)
    topic = service_topic(named) if named else None
    kinds = kinds_of(topic)
    if not kinds:
        return None
    remember(message.openid, kinds)
    offer = text("chat.ask_location", kinds=kinds_label(kinds))
    area = residents.area_of(message.openid)
    local = services.answer_for(area, topic) if area else None
    return "\n\n".join([services.chat_text(local), offer]) if local and local.region_code else offer


@router.on_kind("location")
def nearest_to_you(message: Message) -> str:
    """The nearest points of the kind asked about just before, or of any kind."""
    kinds = recalled(message.openid)
    lat, lng = message.location
    found = sorted((point for kind in kinds or [None] for point in nearest(lat, lng, kind=kind, limit=SHOWN)),
                   key=lambda point: point.distance_m)[:SHOWN]
    if not found:
        return text("chat.none_near", kinds=kinds_label(kinds))
    lines = [text("chat.near", kinds=kinds_label(kinds))]
    lines += [text("chat.point", name=p.name, distance=distance(p), address=p.address, hours=hours(p.hours))
              for p in found]
    return "\n".join(lines)


def in_area(region_code: str, kinds: list[str]) -> list[DropOffPoint]:
    """Active points of these kinds in the resident's street (their community's street)."""
    street = region_code[:9]
    return list(db.session.execute(
        db.select(DropOffPoint).where(DropOffPoint.active.is_(True), DropOffPoint.kind.in_(kinds),
                                      DropOffPoint.region_code.startswith(street, autoescape=True))
        .order_by(DropOffPoint.region_code.desc(), DropOffPoint.id).limit(SHOWN)).scalars())


def distance(point: NearPoint) -> str:
    if point.distance_m < 1000:
        return text("chat.metres", metres=point.distance_m)
    return text("chat.kilometres", km=point.distance_m / 1000)


def hours(value: str) -> str:
    return text("chat.hours", hours=value) if value else ""


def remember(openid: str, kinds: list[str]) -> None:
    try:
        state.set_soon(f"place-kinds:{openid}", ",".join(kinds), ex=ASKED_TTL)
    except redis.RedisError as error:  # without shared state a location answers every kind
        log.warning("asked kinds not kept: %s", error)


def recalled(openid: str) -> list[str]:
    try:
        kept = state.store().get(f"place-kinds:{openid}")
    except redis.RedisError:
        return []
    return kept.split(",") if kept else []
