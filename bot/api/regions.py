"""GET /api/v1/regions: the region tree for the mini-program's area picker (public data)."""
from flask import jsonify
from pydantic import BaseModel, Field

from bot.api import ApiError, api
from bot.api.openapi import Line, refuse, responses, spec
from content.api_texts import about, api_text
from handlers.people import regions


def unknown_region() -> ApiError:
    return ApiError(404, "unknown_region", api_text("errors.regions.unknown_region"))


class RegionsQuery(BaseModel):
    parent: str = Field(regions.CITY, pattern=r"^\d{1,12}$",
                        description=about("RegionsQuery", "parent"))
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


def bad_query(request, response, error, instance, adapter) -> None:
    """The errors this endpoint always gave: an unknown parent is a 404, a long name query_too_long."""
    if error is None:
        return
    where = {str(detail.get("loc", ("",))[0]): detail.get("type") for detail in error.errors()}
    if "parent" in where:
        raise unknown_region()
    if where.get("q") == "string_too_long":
        raise ApiError(400, "query_too_long", api_text("errors.regions.query_too_long"))
    refuse(error)


@api.get("/regions")
@spec.validate(query=RegionsQuery, resp=responses({200: RegionList}, 400, 404), before=bad_query,
               tags=["regions"])
def region_children(query: RegionsQuery):
    """Children of ?parent= (the city by default), or the nodes matching ?q= (fuzzy).

    No login needed. 404 unknown_region for an unknown or inactive parent; 400 for a malformed query.
    """
    node = regions.get(query.parent)
    if node is None or not node.active:
        raise unknown_region()
    found = regions.match(node.code, query.q) if query.q else regions.children(node.code)
    return jsonify(parent=as_dict(node), regions=[as_dict(r) for r in found])
