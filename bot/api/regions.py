"""GET /api/v1/regions: the region tree for the mini-program's area picker (public data)."""
from flask import jsonify, request

from bot.api import ApiError, api
from handlers import regions


def as_dict(region) -> dict:
    return {"code": region.code, "name": region.name, "level": region.level,
            "path": regions.path_name(region.code)}


@api.get("/regions")
def region_children():
    """Children of ?parent= (the city by default), or the nodes matching ?q= (fuzzy)."""
    parent = request.args.get("parent", regions.CITY)
    node = regions.get(parent)
    if node is None or not node.active:
        raise ApiError(404, "unknown_region", "没有这个地区")
    query = request.args.get("q", "").strip()
    if len(query) > 30:
        raise ApiError(400, "query_too_long", "名称太长了")
    found = regions.match(node.code, query) if query else regions.children(node.code)
    return jsonify(parent=as_dict(node), regions=[as_dict(r) for r in found])
