"""GET /api/v1/regions: the region tree for the mini-program's area picker (public data)."""
from flask import jsonify
from pydantic import BaseModel, Field

from bot.api import ApiError, api
from bot.api.openapi import Line, RegionFilter, responses, spec
from content.api_texts import about, api_text
from handlers.people import regions


def known_region(code: str, field: str):
    """The active region a filter names, or 404 unknown_region pointing at the filter.

    The API's one rule for filters: a malformed value is 400 invalid_fields (the schema says so),
    a well-formed one that names nothing is 404 with the code of what is missing.
    """
    node = regions.get(code)
    if node is None or not node.active:
        message = api_text("errors.regions.unknown_region")
        raise ApiError(404, "unknown_region", message, {field: message})
    return node


class RegionsQuery(BaseModel):
    parent: RegionFilter = Field(regions.CITY, description=about("RegionsQuery", "parent"))
    q: Line(30, 0) = Field("", description=about("RegionsQuery", "q"))


class RegionOut(BaseModel):
    code: str
    name: str
    level: int = Field(description=about("RegionOut", "level"))
    path: str = Field(description=about("RegionOut", "path"))


class RegionList(BaseModel):
    parent: RegionOut
    regions: list[RegionOut]


def as_dict(region) -> dict:
    return {"code": region.code, "name": region.name, "level": region.level,
            "path": regions.path_name(region.code)}


@api.get("/regions")
@spec.validate(query=RegionsQuery, resp=responses({200: RegionList}, 400, 404), tags=["regions"])
def region_children(query: RegionsQuery):
    """Children of ?parent= (the city by default), or the nodes matching ?q= (fuzzy).

    No login needed. 400 invalid_fields for a malformed parent or q; 404 unknown_region for a
    well-formed parent that names no active region.
    """
    node = known_region(query.parent or regions.CITY, "parent")
    found = regions.match(node.code, query.q) if query.q else regions.children(node.code)
    return jsonify(parent=as_dict(node), regions=[as_dict(r) for r in found])
