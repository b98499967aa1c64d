"""Residents and volunteers of the staff member's subtree: lists, approval, service hours, export."""
from datetime import datetime

from flask import Response, g, render_template, request

from bot.admin import admin, client_ip, require
from handlers import audit, exports, roster, scope
from models import db


def xlsx(name: str, content: bytes) -> Response:
    stamp = datetime.now().strftime("%Y%m%d-%H%M")
    return Response(content, mimetype=exports.XLSX, headers={
        "Content-Disposition": f'attachment; filename="{name}-{stamp}.xlsx"'})


@admin.get("/residents")
@require("residents")
def residents():
    page = max(request.args.get("page", 1, type=int), 1)
    rows, more = roster.residents(g.staff, request.args.get("area"), page)
    return render_template("admin/residents.html", rows=rows, more=more, page=page,
                           regions=scope.child_regions(g.staff))


@admin.get("/residents/export.xlsx")
@require("export")
def residents_export():
    area = roster.area_filter(g.staff, request.args.get("area"))
    content = roster.residents_workbook(g.staff, area)
    audit.record(g.staff, "export", area, target="residents", ip=client_ip())
    db.session.commit()
    return xlsx("residents", content)


@admin.get("/volunteers")
@require("volunteers")
def volunteers():
    return render_template("admin/volunteers.html", available=roster.volunteer_model() is not None)
