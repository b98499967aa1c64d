"""GET /api/v1/places: drop-off points near a coordinate, as GeoJSON for the mini-program's map (public)."""
from typing import Literal

from flask import jsonify
from pydantic import BaseModel, Field

from bot.api import api
from bot.api.openapi import responses, spec
from handlers import places
from handlers.places.nearby import MAX_LIMIT
from models.places import LAT_RANGE, LNG_RANGE
from models.statuses import PointKind

Kind = Literal[tuple(kind.value for kind in PointKind)]


class PlacesQuery(BaseModel):
    lat: float = Field(ge=LAT_RANGE[0], le=LAT_RANGE[1], allow_inf_nan=False,
                       description="纬度（GCJ-02，wx.getLocation 的 type: 'gcj02'）")
    lng: float = Field(ge=LNG_RANGE[0], le=LNG_RANGE[1], allow_inf_nan=False, description="经度（GCJ-02）")
    kind: Kind | None = Field(None, description="回收点类型；不填为全部类型")
    limit: int = Field(5, ge=1, le=MAX_LIMIT, description="最多返回几个，由近到远")


class PointGeometry(BaseModel):
    type: Literal["Point"] = "Point"
    coordinates: list[float] = Field(min_length=2, max_length=2, description="[经度, 纬度]（GCJ-02）")


class PlaceProperties(BaseModel):
    id: int
    kind: Kind
    kind_label: str
    name: str
    address: str
    hours: str
    distance_m: int = Field(description="直线距离（米）")


class PlaceFeature(BaseModel):
    type: Literal["Feature"] = "Feature"
    geometry: PointGeometry
    properties: PlaceProperties


class PlaceCollection(BaseModel):
    """A GeoJSON FeatureCollection (RFC 7946), nearest first."""
    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[PlaceFeature]


def feature(point: places.NearPoint) -> dict:
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [point.lng, point.lat]},
            "properties": {"id": point.id, "kind": point.kind, "kind_label": point.kind_label,
                           "name": point.name, "address": point.address, "hours": point.hours,
                           "distance_m": point.distance_m}}


@api.get("/places")
@spec.validate(query=PlacesQuery, resp=responses({200: PlaceCollection}, 400), tags=["places"])
def nearby_places(query: PlacesQuery):
    """The drop-off points nearest ?lat=&lng= (within 50 km), of one ?kind= or any.

    A GeoJSON FeatureCollection, nearest first, at most ?limit= points; no login needed.
    """
    found = places.nearest(query.lat, query.lng, kind=query.kind, limit=query.limit)
    return jsonify(type="FeatureCollection", features=[feature(point) for point in found])
