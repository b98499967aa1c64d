"""Poster QR codes in the console: make a permanent code for an area, a campaign, a school or a
school activity, download it as an SVG image; follows and scans are counted beside each code."""
import segno
from flask import Response, abort, g, redirect, render_template, request, url_for

from bot.admin import admin, notify, require
from content.staff_texts import staff_text
from handlers.campaigns import authoring as campaigns
from handlers.campaigns import qrcodes
from handlers.people import regions
from handlers.staff import scope
from models import QrCode, db


@admin.get("/qrcodes")
@require("campaigns")
def qrcode_list():
    areas = [regions.get(g.staff.region_code)] if regions.get(g.staff.region_code) else []
    areas += regions.children(g.staff.region_code)
    codes = qrcodes.visible(g.staff)
    return render_template("admin/qrcodes.html", codes=codes, areas=areas,
                           campaigns=campaigns.visible(g.staff), schools=qrcodes.schools(g.staff),
                           activities=qrcodes.activities(g.staff), scans=qrcodes.scan_counts(codes),
                           path_name=regions.path_name)


@admin.post("/qrcodes")
@require("campaigns")
def create_qrcode():
    try:
        code = qrcodes.create(g.staff, request.form.get("kind", ""), request.form.get("target", ""))
    except qrcodes.QrCodeError as error:
        db.session.rollback()
        notify(str(error))
        return redirect(url_for("admin.qrcode_list"))
    db.session.commit()
    notify(staff_text("qrcodes.created", label=code.label))
    return redirect(url_for("admin.qrcode_list"))


@admin.get("/qrcodes/<int:code_id>.svg")
@require("campaigns")
def qrcode_image(code_id: int):
    code = db.session.get(QrCode, code_id)
    if code is None or not scope.in_scope(g.staff, code.region_code):
        abort(404)
    svg = segno.make(code.url, error="m").svg_inline(scale=10)
    return Response(svg, mimetype="image/svg+xml", headers={
        "Content-Disposition": f'attachment; filename="qrcode-{code.scene}.svg"'})
