"""GET /api/v1/services: what a resident's area says about a service (bulky waste, medicine, collection
times …), as the chat answers it (public)."""
from typing import Literal

from flask import jsonify
from pydantic import BaseModel, Field

from bot.api import api
from bot.api.openapi import RegionFilter, responses, spec
from bot.api.regions import RegionOut, as_dict, known_region
from content.api_texts import about
from handlers.places import services

Topic = Literal[services.TOPICS]


class ServicesQuery(BaseModel):
    topic: Topic | None = Field(None, description=about("ServicesQuery", "topic"))
    region: RegionFilter | None = Field(None, description=about("ServicesQuery", "region"))


class ServiceOut(BaseModel):
    topic: Topic
    topic_label: str
    region_code: str | None = Field(description=about("ServiceOut", "region_code"))
    area_name: str = Field(description=about("ServiceOut", "area_name"))
    text: str = Field(description=about("ServiceOut", "text"))
    hours: str = Field(description=about("ServiceOut", "hours"))
    phone: str = Field(description=about("ServiceOut", "phone"))
    address: str = Field(description=about("ServiceOut", "address"))


class ServiceList(BaseModel):
    region: RegionOut | None
    services: list[ServiceOut]


def service_json(answer: services.ServiceAnswer) -> dict:
    return {"topic": answer.topic, "topic_label": answer.topic_label, "region_code": answer.region_code,
            "area_name": answer.area_name, "text": answer.text, "hours": answer.hours, "phone": answer.phone,
            "address": answer.address}


@api.get("/services")
@spec.validate(query=ServicesQuery, resp=responses({200: ServiceList}, 400, 404), tags=["places"])
def area_services(query: ServicesQuery):
    """What a resident of ?region= is told about ?topic= (or every service), as in the chat.

    The nearest entry at or above the region (community → street → district → city) that its staff
    wrote in the console, else the city-wide general text. No login needed; 404 unknown_region for a
    region code that does not exist.
    """
    region = known_region(query.region, "region") if query.region else None
    topics = [query.topic] if query.topic else list(services.TOPICS)
    found = [services.answer_for(query.region, topic) for topic in topics]
    return jsonify(region=as_dict(region) if region else None, services=[service_json(answer) for answer in found])
