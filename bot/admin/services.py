"""Service information in the console: each tier writes its own subtree's answers to residents'
service questions (bulky waste, medicine, collection times …) and sees what its residents are told."""
from flask import Response, abort, g, render_template, request

from bot.admin import admin, require
from bot.admin.flow import done, record
from content.service_texts import text
from handlers.errors import Refused
from handlers.places import importing, service_import, services
from handlers.places.services import ServiceError
from handlers.staff import scope
from infra import xlsx as exports


def editable_or_404(region_code: str, topic: str):
    region = services.editable(g.staff, region_code, topic)  # out of scope looks exactly like missing
    if region is None:
        abort(404)
    return region


@admin.get("/services")
@require("services")
def services_page():
    area = request.args.get("area", "")
    area = area if scope.in_scope(g.staff, area) else g.staff.region_code
    return render_template("admin/services.html", area=area, rows=services.overview(area),
                           regions=scope.child_regions(g.staff), names=scope.region_names([area]))


def form_page(region, topic: str, values: dict, errors: dict, status: int = 200):
    return render_template("admin/service_form.html", region=region, topic=topic,
                           label=services.topic_label(topic), values=values, errors=errors,
                           own=services.own_entry(region.code, topic),
                           above=services.inherited(region.code, topic)), status


@admin.route("/services/<region_code>/<topic>", methods=["GET", "POST"])
@require("services")
def service_edit(region_code: str, topic: str):
    region = editable_or_404(region_code, topic)
    if request.method == "GET":
        entry = services.own_entry(region.code, topic)
        values = {field: getattr(entry, field) for field in services.FIELDS} if entry else {}
        return form_page(region, topic, values, {})
    values = {field: request.form.get(field, "") for field in services.FIELDS}
    try:
        changes = services.save(g.staff, region, topic, values)
    except ServiceError as refusal:
        return form_page(region, topic, values, refusal.fields or {"form": refusal.message}, refusal.status)
    back = {"area": region.code}
    if not changes:
        return done(text("console.unchanged"), "admin.services_page", **back)
    record("area_service_save", region.code, f"service:{region.code}:{topic}", {"topic": topic, **changes})
    return done(text("console.saved", area=region.name, topic=services.topic_label(topic)),
                "admin.services_page", **back)


@admin.post("/services/<region_code>/<topic>/clear")
@require("services")
def service_clear(region_code: str, topic: str):
    region = editable_or_404(region_code, topic)
    said = services.clear(region, topic)
    if said is None:
        return done(text("console.unchanged"), "admin.services_page", area=region.code)
    record("area_service_clear", region.code, f"service:{region.code}:{topic}", {"topic": topic, **said})
    return done(text("console.cleared", area=region.name, topic=services.topic_label(topic)),
                "admin.services_page", area=region.code)


@admin.route("/services/import", methods=["GET", "POST"])
@require("services")
def services_import():
    if request.method == "GET":
        return render_template("admin/services_import.html", refusal=None)
    upload = request.files.get("file")
    content = upload.read(importing.MAX_BYTES + 1) if upload else b""
    if not content:
        return render_template("admin/services_import.html", refusal=ServiceError(text("import.no_file"))), 400
    try:
        written = service_import.import_services(g.staff, content)
    except Refused as refusal:  # the whole file, or every bad row (ImportRefused): nothing was written
        return render_template("admin/services_import.html", refusal=refusal), 400
    record("area_service_import", g.staff.region_code, "services",
           {"file": (upload.filename or "")[:80], "entries": [
               {"region": entry.region_code, "topic": entry.topic, **entry.changes} for entry in written]})
    return done(text("import.imported", count=len(written)), "admin.services_page")


@admin.get("/services/template.xlsx")
@require("services")
def services_template():
    return Response(service_import.template(), mimetype=exports.XLSX, headers={
        "Content-Disposition": 'attachment; filename="area-services-template.xlsx"'})
