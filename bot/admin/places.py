"""Drop-off points in the console: list, add, edit, deactivate, and import from Excel, per subtree."""
from flask import Response, abort, g, render_template, request

from bot.admin import admin, page_number, require
from bot.admin.flow import done, record
from content.place_texts import kind_labels, text
from handlers.places import importing, points
from handlers.places.points import PlaceError
from handlers.staff import scope
from infra import xlsx as exports

FORM_FIELDS = ("kind", "name", "address", "lat", "lng", "hours", "region_code")


def point_or_404(point_id: int):
    point = points.point_for(g.staff, point_id)  # out of scope looks exactly like missing
    if point is None:
        abort(404)
    return point


def filters() -> dict:
    args = request.args
    return {"area": points.area_filter(g.staff, args.get("area")),
            "kind": args.get("kind", "") if args.get("kind") in points.KINDS else "",
            "search": args.get("q", "")[:40], "inactive": args.get("inactive") == "1"}


@admin.get("/places")
@require("places")
def places():
    page = page_number()
    chosen = filters()
    rows, more = points.page_of(points.points_query(g.staff, chosen["area"], chosen["kind"], chosen["search"],
                                                    chosen["inactive"]), page)
    return render_template("admin/places.html", rows=rows, more=more, page=page, chosen=chosen,
                           regions=scope.child_regions(g.staff), kinds=kind_labels(),
                           names=scope.region_names(p.region_code for p in rows))


def form_page(point, values: dict, errors: dict, status: int = 200):
    return render_template("admin/place_form.html", point=point, values=values, errors=errors,
                           kinds=kind_labels(), regions=scope.child_regions(g.staff)), status


def submitted() -> dict:
    return {field: request.form.get(field, "") for field in FORM_FIELDS}


@admin.route("/places/new", methods=["GET", "POST"])
@require("places")
def place_new():
    if request.method == "GET":
        return form_page(None, {"region_code": g.staff.region_code}, {})
    values = submitted()
    try:
        point = points.create(g.staff, values)
    except PlaceError as refusal:
        return form_page(None, values, refusal.fields or {"form": refusal.message}, refusal.status)
    record("place_create", point.region_code, f"place:{point.id}",
           {"kind": point.kind, "name": point.name, "lat": point.lat, "lng": point.lng})
    return done(text("console.created", name=point.name), "admin.places")


@admin.route("/places/<int:point_id>/edit", methods=["GET", "POST"])
@require("places")
def place_edit(point_id: int):
    point = point_or_404(point_id)
    if request.method == "GET":
        return form_page(point, {field: getattr(point, field) for field in FORM_FIELDS}, {})
    values = submitted()
    region_before = point.region_code
    try:
        changes = points.update(g.staff, point, values)
    except PlaceError as refusal:
        return form_page(point, values, refusal.fields or {"form": refusal.message}, refusal.status)
    if not changes:
        return done(text("console.unchanged"), "admin.places")
    record("place_update", region_before, f"place:{point.id}", changes)
    return done(text("console.updated", name=point.name), "admin.places")


@admin.post("/places/<int:point_id>/active")
@require("places")
def place_active(point_id: int):
    point = point_or_404(point_id)
    active = request.form.get("active") == "1"
    if points.set_active(point, active):
        record("place_activate" if active else "place_deactivate", point.region_code, f"place:{point.id}",
               {"name": point.name})
    return done(text("console.activated" if active else "console.deactivated", name=point.name),
                "admin.places", **request.args)


@admin.route("/places/import", methods=["GET", "POST"])
@require("places")
def place_import():
    if request.method == "GET":
        return render_template("admin/places_import.html", refusal=None)
    upload = request.files.get("file")
    content = upload.read(importing.MAX_BYTES + 1) if upload else b""
    if not content:
        return render_template("admin/places_import.html", refusal=PlaceError(text("console.no_file"))), 400
    try:
        added = importing.import_points(g.staff, content)
    except PlaceError as refusal:  # the whole file, or every bad row (ImportRefused): nothing was added
        return render_template("admin/places_import.html", refusal=refusal), 400
    record("place_import", g.staff.region_code, "places",
           {"added": len(added), "file": (upload.filename or "")[:80]})
    return done(text("console.imported", count=len(added)), "admin.places")


@admin.get("/places/template.xlsx")
@require("places")
def place_template():
    return Response(importing.template(), mimetype=exports.XLSX, headers={
        "Content-Disposition": 'attachment; filename="drop-off-points-template.xlsx"'})
