"""Residents and volunteers of the staff member's subtree: lists, approval, service hours, export."""
from datetime import datetime

from flask import Response, abort, g, redirect, render_template, request, url_for

from bot.admin import admin, notify, page_number, require
from bot.admin.flow import done, record
from content.staff_texts import staff_text
from handlers.staff import scope
from handlers.volunteers import roster
from handlers.volunteers.roster import RosterError
from infra import xlsx as exports
from models import db


def xlsx(name: str, content: bytes) -> Response:
    stamp = datetime.now().strftime("%Y%m%d-%H%M")
    return Response(content, mimetype=exports.XLSX, headers={
        "Content-Disposition": f'attachment; filename="{name}-{stamp}.xlsx"'})


def filters() -> dict:
    """The list filters from the query string; an area outside the subtree falls back to one's own."""
    args = request.args
    return {"area": roster.area_filter(g.staff, args.get("area")), "search": args.get("q", "")[:40],
            "status": args.get("status", "") if args.get("status") in roster.STATUS_NAMES else ""}


@admin.get("/residents")
@require("residents")
def residents():
    page = page_number()
    chosen = filters()
    rows, more = roster.page_of(roster.residents_query(g.staff, chosen["area"], chosen["search"]), page)
    return render_template("admin/residents.html", rows=rows, more=more, page=page, chosen=chosen,
                           regions=scope.child_regions(g.staff),
                           names=scope.region_names(r.region_code for r in rows))


@admin.get("/residents/export.xlsx")
@require("export")
def residents_export():
    chosen = filters()
    content = roster.residents_workbook(g.staff, chosen["area"], chosen["search"])
    record("export", chosen["area"], "residents")
    db.session.commit()
    return xlsx("residents", content)


@admin.get("/volunteers")
@require("volunteers")
def volunteers():
    page = page_number()
    chosen = filters()
    rows, more = roster.page_of(roster.volunteers_query(g.staff, **chosen), page)
    return render_template("admin/volunteers.html", rows=rows, more=more, page=page, chosen=chosen,
                           regions=scope.child_regions(g.staff), statuses=roster.STATUS_NAMES,
                           names=scope.region_names(v.region_code for v in rows),
                           hours=roster.service_hours(rows), phone_for=roster.phone_for,
                           labels=roster.labels, today=datetime.now().date().isoformat())


@admin.get("/volunteers/export.xlsx")
@require("export")
def volunteers_export():
    chosen = filters()
    content = roster.volunteers_workbook(g.staff, **chosen)
    record("export", chosen["area"], "volunteers", {"full_phone": scope.may(g.staff, "full_phone")})
    db.session.commit()
    return xlsx("volunteers", content)


def volunteer_or_404(volunteer_id: int):
    # Out of scope looks exactly like missing.
    volunteer = roster.volunteer_in_scope(g.staff, volunteer_id)
    if volunteer is None:
        abort(404)
    return volunteer


@admin.post("/volunteers/<int:volunteer_id>/review")
@require("approve_volunteers")
def volunteer_review(volunteer_id: int):
    volunteer = volunteer_or_404(volunteer_id)
    approve = request.form.get("decision") == "approve"
    reason = "" if approve else request.form.get("reason", "").strip()
    try:
        roster.review(g.staff, volunteer, approve, reason)
    except RosterError as refusal:
        db.session.rollback()
        abort(400, str(refusal))
    record("approve" if approve else "reject", volunteer.region_code, f"volunteer {volunteer.id}",
           None if approve else {"reason": volunteer.review_reason})
    db.session.commit()
    notify(staff_text("volunteers.approved" if approve else "volunteers.rejected", name=volunteer.name))
    return redirect(url_for("admin.volunteers", **request.args))


@admin.post("/volunteers/<int:volunteer_id>/service")
@require("record_service")
def volunteer_service(volunteer_id: int):
    volunteer = volunteer_or_404(volunteer_id)
    form = request.form
    try:
        entry = roster.record_service(g.staff, volunteer, form.get("activity", ""),
                                      form.get("served_on", ""), form.get("hours", ""),
                                      form.get("organiser", ""))
    except RosterError as refusal:
        db.session.rollback()
        abort(400, str(refusal))
    record("service", volunteer.region_code, f"volunteer {volunteer.id}",
           {"hours": str(entry.hours), "served_on": str(entry.served_on)})
    return done(staff_text("volunteers.service_recorded", name=volunteer.name, hours=entry.hours),
                "admin.volunteers", **request.args)
